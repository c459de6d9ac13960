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
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
