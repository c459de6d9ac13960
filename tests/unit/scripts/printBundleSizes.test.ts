import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bundleModulesPath } from '../../../scripts/bundleModules';
import { checkBundles } from '../../../scripts/print-bundle-sizes';

let dir: string;
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A built extension in the shape WXT writes it: manifest, content script, module record beside it. */
async function build(outlookModules: Record<string, number>, outlookBytes: string | Buffer = 'x') {
  dir = await mkdtemp(join(tmpdir(), 'bundles-'));
  const out = join(dir, 'chrome-mv3');
  await mkdir(join(out, 'content-scripts'), { recursive: true });
  await writeFile(
    join(out, 'manifest.json'),
    JSON.stringify({ content_scripts: [{ js: ['content-scripts/outlook.js'] }] }),
  );
  await writeFile(join(out, 'content-scripts/outlook.js'), outlookBytes);
  await writeFile(bundleModulesPath(out), JSON.stringify({ 'content-scripts/outlook.js': outlookModules }));
  return out;
}

describe('print-bundle-sizes', () => {
  it('passes a content script made of shared code, printing its budget', async () => {
    const { lines, failures } = checkBundles(await build({ 'lib/errors/describeError.ts': 10 }));
    expect(failures).toEqual([]);
    expect(lines[0]).toContain('budget 150 kB gzip');
  });

  it('fails when a content script bundles Dexie, oauth4webapi, a connector or background code', async () => {
    const { failures } = checkBundles(
      await build({
        'node_modules/dexie/dist/dexie.js': 1,
        'node_modules/oauth4webapi/build/index.js': 1,
        'lib/crm/vendors/hubspot/HubSpotCrmConnector.ts': 1,
        'lib/errors/toErrorInfo.ts': 1,
      }),
    );
    const text = failures.join('\n');
    expect(text).toMatch(/bundles Dexie/);
    expect(text).toMatch(/bundles oauth4webapi/);
    expect(text).toMatch(/bundles a CRM connector/);
    expect(text).toMatch(/bundles background code/);
  });

  it('fails when an entry is over its gzip budget', async () => {
    // Random bytes do not compress: 160 kB of them is about 160 kB gzip.
    const noise = Buffer.from(Array.from({ length: 160 * 1024 }, () => Math.floor(Math.random() * 256)));
    const { failures } = checkBundles(await build({}, noise));
    expect(failures.join('\n')).toMatch(/content-script:outlook is .* over its budget of 150 kB/);
  });
});
