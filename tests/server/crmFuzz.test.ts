import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/openDatabase';
import { SEED } from '../../server/seed';
import { startCrmServer } from '../../server/startCrmServer';
import { OPENAPI_PATH } from '../../server/writeOpenApiDocument';
import { freshPgliteDataDir } from './freshPgliteDataDir';
import { FUZZED_OPERATIONS, hostileRequests } from './fuzz/hostileRequests';
import { runHostileRequests } from './fuzz/runHostileRequests';
import { checkEveryResponseAgainstOpenApi } from './openApiResponseCheck';

checkEveryResponseAgainstOpenApi();

/**
 * Hostile requests against the reference server (docs/SECURITY.md, "Any client can send the CRM
 * anything"): every endpoint of
 * server/openapi.json, a fixed seed so a failure reproduces. `npm run test:fuzz` runs a
 * longer campaign (FUZZ_REQUESTS, FUZZ_SEED).
 */
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 2_400);
const SEED_VALUE = Number(process.env.FUZZ_SEED ?? 20_261_201);

/** Tables whose rows existed before the campaign must all be there, byte for byte, after it. */
const SNAPSHOT_TABLES = {
  org: 'id',
  users: 'id',
  api_tokens: 'token_hash',
  settings: 'key',
  companies: 'id',
  company_domains: 'domain',
  contacts: 'id',
  contact_emails: 'email',
  deals: 'id',
  deal_contacts: 'deal_id, contact_id',
  activities: 'id',
  tasks: 'id',
} as const;
/** Tables the API never writes to: exactly equal after the campaign. */
const READ_ONLY_TABLES = ['org', 'users', 'api_tokens', 'settings', 'companies', 'company_domains', 'deals'];

async function snapshot(dataDir: string): Promise<Record<string, Map<string, string>>> {
  const db = await openDatabase({ dataDir });
  try {
    const result: Record<string, Map<string, string>> = {};
    for (const [table, key] of Object.entries(SNAPSHOT_TABLES)) {
      const { rows } = await db.query<{ k: string; row: unknown }>(
        `SELECT concat_ws('|', ${key}) AS k, to_jsonb(t) AS row FROM ${table} t ORDER BY ${key}`,
      );
      result[table] = new Map(rows.map((r) => [r.k, JSON.stringify(r.row)]));
    }
    return result;
  } finally {
    await db.close();
  }
}

describe('reference CRM under hostile requests', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('covers every operation of server/openapi.json', () => {
    const document = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as { paths: Record<string, object> };
    // The CRM contract; the token exchange (/oauth/...) has its own hostile-input tests in
    // tests/server/oauthExchange.test.ts and is off on this server.
    const documented = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      );
    expect([...FUZZED_OPERATIONS].sort()).toEqual(documented.sort());
  });

  it(`answers ${REQUESTS} hostile requests without a 5xx, in the documented shapes, data intact`, async () => {
    const dataDir = await freshPgliteDataDir('crm-fuzz');
    dirs.push(dataDir);
    // Seed, then take the "before" picture with the server stopped (PGlite is single-process).
    const first = await startCrmServer({ dataDir, port: 0, quiet: true });
    const token = first.token;
    await first.close();
    const before = await snapshot(dataDir);

    // Forged tokens are a sixth of the campaign: the failed-auth limit would answer the rest 429.
    const crm = await startCrmServer({ dataDir, port: 0, quiet: true, failedAuthPerMinute: 1_000_000 });
    const requests = hostileRequests(FUZZED_OPERATIONS, REQUESTS, SEED_VALUE, { valid: token });
    let figures: Awaited<ReturnType<typeof runHostileRequests>>;
    let stillAnswers: { me: number; lookup: unknown };
    try {
      figures = await runHostileRequests(crm.url, requests, {
        onProgress: (done) => {
          console.log(`fuzz: ${done}/${REQUESTS}`);
        },
      });
      const auth = { Authorization: `Bearer ${token}` };
      const me = await fetch(`${crm.url}/api/v1/me`, { headers: auth });
      const lookup = await fetch(`${crm.url}/api/v1/lookup`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ emails: [SEED.contacts.primary.email], domains: [] }),
      });
      stillAnswers = {
        me: me.status,
        lookup: ((await lookup.json()) as { contacts: { id: string }[] }).contacts.map((c) => c.id),
      };
    } finally {
      await crm.close();
    }
    const after = await snapshot(dataDir);

    console.log(
      `fuzz: ${figures.requests} requests (seed ${SEED_VALUE}) in ${figures.durationMs} ms; ` +
        `5xx: ${figures.serverErrors}; undocumented bodies: ${figures.undocumentedBodies}; ` +
        `no answer: ${figures.noAnswer}\n  statuses ${JSON.stringify(figures.byStatus)}\n` +
        `  categories ${JSON.stringify(figures.byCategory)}`,
    );
    if (process.env.FUZZ_DUMP) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(process.env.FUZZ_DUMP, JSON.stringify(figures.failures, null, 1));
    }
    expect(figures.requests).toBe(REQUESTS);
    expect(Math.min(...Object.values(figures.byOperation))).toBeGreaterThanOrEqual(
      Math.floor(REQUESTS / FUZZED_OPERATIONS.length),
    );
    expect(figures.failures.slice(0, 10)).toEqual([]);
    expect(figures.serverErrors).toBe(0);
    expect(stillAnswers).toEqual({ me: 200, lookup: [SEED.contacts.primary.id] });

    const changed: string[] = [];
    for (const [table, rows] of Object.entries(before)) {
      for (const [key, row] of rows) if (after[table]!.get(key) !== row) changed.push(`${table} ${key}`);
      if (READ_ONLY_TABLES.includes(table) && after[table]!.size !== rows.size) changed.push(`${table} grew`);
    }
    expect(changed).toEqual([]);
  }, 600_000);
});
