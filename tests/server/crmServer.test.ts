import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeCrmContract } from './crmContractSuite';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describeCrmContract('PGlite', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'crm-contract-'));
  dirs.push(dataDir);
  return { dataDir };
});

const databaseUrl = process.env.DATABASE_URL;
describeCrmContract('Postgres (DATABASE_URL)', () => ({ databaseUrl }), !databaseUrl);
