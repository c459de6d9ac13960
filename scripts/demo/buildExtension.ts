import { spawn } from 'node:child_process';

/**
 * `wxt build` of the variant whose panel shadow root is open (.output/open-shadow-root, see
 * wxt.config.ts): the demo waits for and photographs panel states with Playwright locators,
 * which cannot enter the shipped build's closed root. Nothing else differs.
 */
export function buildExtension(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['wxt', 'build'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, WXT_PANEL_SHADOW_ROOT: 'open' },
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`wxt build failed (exit code ${code ?? 'signal'})`)),
    );
  });
}
