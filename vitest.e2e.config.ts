import { defineConfig } from 'vitest/config';

// Two test files at a time, each with its own Chromium, servers (port 0) and profile.
// Much of an e2e file's time is waiting (honoured Retry-After pauses, provider timeouts,
// service-worker restarts, polling for what the page shows), so two files overlap well
// on two cores; more would mostly compete for them. Vitest starts the largest files
// first, which puts the long fault test beside the rest.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    fileParallelism: true,
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
});
