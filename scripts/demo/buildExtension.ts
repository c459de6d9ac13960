import { spawn } from 'node:child_process';
import { writeOpenShadowRootBuild } from '../writeOpenShadowRootBuild';

/**
 * `wxt build` of the shipped Chrome build, then its copy whose panel shadow root is open
 * (.output/open-shadow-root, scripts/writeOpenShadowRootBuild.ts): the demo waits for and
 * photographs panel states with Playwright locators, which cannot enter a closed root.
 * Nothing else differs.
 */
export async function buildExtension(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npx', ['wxt', 'build'], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`wxt build failed (exit code ${code ?? 'signal'})`)),
    );
  });
  await writeOpenShadowRootBuild();
}
