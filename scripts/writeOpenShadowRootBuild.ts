import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
export const SHIPPED_BUILD_DIR = join(ROOT, '.output/chrome-mv3');
export const OPEN_SHADOW_ROOT_BUILD_DIR = join(ROOT, '.output/open-shadow-root/chrome-mv3');

/** The Outlook panel's createShadowRootUi options as the minifier writes them (entrypoints/outlook.content). */
const PANEL_ROOT_MODE = /(name:"crm-sidebar-panel",[^{}]*?mode:)"closed"/g;
const OUTLOOK_SCRIPT = 'content-scripts/outlook.js';

/**
 * The locator-driven e2e suites and the demo need the Outlook panel's shadow root open:
 * Playwright cannot see into a closed root. Instead of a second `wxt build` (about a
 * minute on two cores), the variant is the shipped Chrome build copied byte for byte
 * with that one literal changed, so what they test is exactly what ships. If the
 * literal is not found exactly once (the option was renamed, the minifier changed its
 * output), this throws rather than write a variant that is silently still closed.
 */
export async function writeOpenShadowRootBuild(
  from = SHIPPED_BUILD_DIR,
  to = OPEN_SHADOW_ROOT_BUILD_DIR,
): Promise<string> {
  const script = await readFile(join(from, OUTLOOK_SCRIPT), 'utf8');
  const found = script.match(PANEL_ROOT_MODE)?.length ?? 0;
  if (found !== 1)
    throw new Error(
      `${join(from, OUTLOOK_SCRIPT)}: expected the panel's mode:"closed" exactly once, found it ${found} times; ` +
        'update PANEL_ROOT_MODE in scripts/writeOpenShadowRootBuild.ts to the build output.',
    );
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true });
  await writeFile(join(to, OUTLOOK_SCRIPT), script.replace(PANEL_ROOT_MODE, '$1"open"'));
  return to;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  console.log(`Open-shadow-root variant written to ${await writeOpenShadowRootBuild()}`);
}
