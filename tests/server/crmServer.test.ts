import { rm } from 'node:fs/promises';
import { afterAll } from 'vitest';
import { describeCrmContract } from './crmContractSuite';
import { freshPgliteDataDir } from './freshPgliteDataDir';
import { checkEveryResponseAgainstOpenApi } from './openApiResponseCheck';

checkEveryResponseAgainstOpenApi();

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describeCrmContract('PGlite', async () => {
  const dataDir = await freshPgliteDataDir('crm-contract');
  dirs.push(dataDir);
  return { dataDir };
});

const databaseUrl = process.env.DATABASE_URL;
describeCrmContract('Postgres (DATABASE_URL)', () => ({ databaseUrl }), !databaseUrl);
