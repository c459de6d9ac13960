import { readFileSync } from 'node:fs';
import { cp, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

// The package does not export its package.json; find it beside the resolved entry point.
const pgliteEntry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
const pgliteVersion: string = JSON.parse(
  readFileSync(join(pgliteEntry.slice(0, pgliteEntry.lastIndexOf('/dist/')), 'package.json'), 'utf8'),
).version;
const TEMPLATE = join(tmpdir(), `crm-pglite-initdb-${pgliteVersion}`);

/**
 * An empty PGlite data folder in a new temp directory. PGlite's initdb takes ~4 s, a
 * copy of an initialised folder ~0.1 s, so the first call per machine makes a template
 * (no schema: the server still runs its migrations) and later calls copy it.
 */
export async function freshPgliteDataDir(label = 'crm'): Promise<string> {
  if (!(await exists(TEMPLATE))) {
    const building = await mkdtemp(join(tmpdir(), 'crm-pglite-initdb-building-'));
    const db = await PGlite.create(building);
    await db.close();
    // Parallel test files may race here; rename is atomic and the loser just cleans up.
    await rename(building, TEMPLATE).catch(() => rm(building, { recursive: true, force: true }));
  }
  const dir = await mkdtemp(join(tmpdir(), `${label}-`));
  await cp(TEMPLATE, dir, { recursive: true });
  return dir;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
