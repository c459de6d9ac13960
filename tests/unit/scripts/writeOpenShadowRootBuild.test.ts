import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeOpenShadowRootBuild } from '../../../scripts/writeOpenShadowRootBuild';

// The shape esbuild gives the createShadowRootUi call in entrypoints/outlook.content/index.tsx.
const PANEL_CALL =
  '(await h_(a,{name:"crm-sidebar-panel",position:"inline",anchor:"body",mode:"closed",isolateEvents:!0,append:"last"}))';

let dir: string;
afterEach(() => rm(dir, { recursive: true, force: true }));

async function shippedBuild(outlookScript: string): Promise<{ from: string; to: string }> {
  dir = await mkdtemp(join(tmpdir(), 'open-root-'));
  const from = join(dir, 'chrome-mv3');
  await mkdir(join(from, 'content-scripts'), { recursive: true });
  await writeFile(join(from, 'content-scripts/outlook.js'), outlookScript);
  await writeFile(join(from, 'manifest.json'), '{"manifest_version":3}');
  return { from, to: join(dir, 'open-shadow-root/chrome-mv3') };
}

describe('writeOpenShadowRootBuild', () => {
  it('copies the build and opens only the panel root', async () => {
    // Another closed root elsewhere in the script (not the panel's) must stay closed.
    const script = `x.attachShadow({mode:"closed"});${PANEL_CALL}`;
    const { from, to } = await shippedBuild(script);
    await writeOpenShadowRootBuild(from, to);
    expect(await readFile(join(to, 'content-scripts/outlook.js'), 'utf8')).toBe(
      script.replace('anchor:"body",mode:"closed"', 'anchor:"body",mode:"open"'),
    );
    expect(await readFile(join(to, 'manifest.json'), 'utf8')).toBe('{"manifest_version":3}');
    expect(await readFile(join(from, 'content-scripts/outlook.js'), 'utf8')).toBe(script);
  });

  it('refuses a build where the panel literal is missing or doubled', async () => {
    const missing = await shippedBuild(PANEL_CALL.replace('mode:"closed"', 'mode:c'));
    await expect(writeOpenShadowRootBuild(missing.from, missing.to)).rejects.toThrow(/found it 0 times/);
    await rm(dir, { recursive: true, force: true });
    const doubled = await shippedBuild(PANEL_CALL + PANEL_CALL);
    await expect(writeOpenShadowRootBuild(doubled.from, doubled.to)).rejects.toThrow(/found it 2 times/);
  });
});
