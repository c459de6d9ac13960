import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing';

// Nothing skips in CI: the Postgres half of the server tests needs the cluster .ci/run starts.
if (process.env.CI === 'true' && !process.env.DATABASE_URL)
  throw new Error('CI=true without DATABASE_URL: start Postgres first (see .ci/run and .ci/postgres.sh).');

export default defineConfig({
  plugins: [WxtVitest()],
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx', 'tests/server/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['tests/unit/setup.ts'],
    // One test file per core. Vitest's default (cores - 1) leaves one of a 2-core machine's
    // cores idle, although the main process mostly waits while the workers run: measured
    // on tests/server, 141 s with one worker and 90 s with two (the README's Tests section has the suite's figures).
    maxWorkers: availableParallelism(),
    minWorkers: 1,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
