import { spawn } from 'node:child_process';

/**
 * `wxt build` of the shipped Chrome build, which the demo loads as it is: it waits for and
 * photographs panel states with Playwright frame locators (the panel is an extension page in
 * a frame, tests/e2e/harness/panelFrame.ts).
 */
export async function buildExtension(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npx', ['wxt', 'build'], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`wxt build failed (exit code ${code ?? 'signal'})`)),
    );
  });
}
