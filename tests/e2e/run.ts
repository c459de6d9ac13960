import { spawnSync } from 'node:child_process';
import { CHROMIUM_INSTALL_HINT, chromiumPath } from './harness/chromium';

// The e2e suite never skips silently: in CI a missing Chromium is a failure, and
// elsewhere skipping needs an explicit SKIP_E2E=1.
function run(cmd: string, args: string[], env: Record<string, string> = {}): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!chromiumPath()) {
  if (process.env.SKIP_E2E === '1' && process.env.CI !== 'true') {
    console.warn('SKIP_E2E=1: end-to-end tests skipped because Chromium is not installed.');
    process.exit(0);
  }
  console.error(
    `End-to-end tests need Chromium at /usr/bin/chromium (or CHROMIUM_PATH).\n` +
      `Install it with: ${CHROMIUM_INSTALL_HINT}\n` +
      (process.env.CI === 'true' ? '' : 'To skip them on this machine only, set SKIP_E2E=1.\n'),
  );
  process.exit(1);
}

run('npx', ['wxt', 'build']);
run('npx', ['vitest', 'run', '-c', 'vitest.e2e.config.ts', ...process.argv.slice(2)]);
