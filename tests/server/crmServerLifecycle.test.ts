import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CrmRepository } from '../../server/CrmRepository';
import { createCrmApp, MAX_BODY_BYTES } from '../../server/createCrmApp';
import type { Database } from '../../server/db/openDatabase';
import { SEED } from '../../server/seed';
import { type CrmServerOptions, startCrmServer } from '../../server/startCrmServer';
import { OPENAPI_PATH, renderOpenApiDocument } from '../../server/writeOpenApiDocument';
import { crmTestClient, emailActivity, uniqueEmail } from './crmTestClient';
import { freshPgliteDataDir } from './freshPgliteDataDir';
import { checkEveryResponseAgainstOpenApi } from './openApiResponseCheck';

checkEveryResponseAgainstOpenApi();

const databaseUrl = process.env.DATABASE_URL;

async function survivesRestart(storage: CrmServerOptions) {
  const first = await startCrmServer({ ...storage, port: 0, quiet: true });
  const api = crmTestClient(first.url, first.token);
  const created = await api('POST', '/contacts', { name: 'Persistent Person', emails: [uniqueEmail()] });
  expect(created.status).toBe(201);
  const activity = emailActivity(created.json.id);
  expect((await api('POST', '/activities', { activities: [activity] })).status).toBe(201);
  await first.close();

  const second = await startCrmServer({ ...storage, port: 0, quiet: true });
  try {
    // Same generated token, no second seed, and the data is still there.
    expect(second.token).toBe(first.token);
    expect(second.seeded).toBe(false);
    const again = crmTestClient(second.url, second.token);
    const found = await again('POST', '/lookup', { emails: created.json.emails });
    expect(found.json.contacts.map((c: { id: string }) => c.id)).toEqual([created.json.id]);
    const logged = await again('POST', '/activities', { activities: [activity] });
    expect(logged.json.results[0].status).toBe('existing');
    const lookup = await again('POST', '/lookup', { emails: [SEED.contacts.primary.email] });
    expect(lookup.json.contacts).toHaveLength(1);
  } finally {
    await second.close();
  }
}

describe('reference CRM server lifecycle', () => {
  it('keeps data and the generated token across a restart on the same PGlite folder', {
    timeout: 120_000,
  }, async () => {
    const dataDir = await freshPgliteDataDir('crm-restart');
    try {
      await survivesRestart({ dataDir });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it.skipIf(!databaseUrl)('keeps data across a restart on Postgres', async () => {
    await survivesRestart({ databaseUrl, seedToken: 'crm_restart_test_token_000000000000' });
  });

  it('accepts a configured demo token, and no demo data when seed is false', async () => {
    const dataDir = await freshPgliteDataDir('crm-noseed');
    const crm = await startCrmServer({
      dataDir,
      port: 0,
      quiet: true,
      seed: false,
      seedToken: 'crm_configured_token_0000000000',
    });
    try {
      expect(crm.token).toBe('crm_configured_token_0000000000');
      const api = crmTestClient(crm.url, crm.token);
      expect((await api('GET', '/me')).json.user.id).toBe(SEED.demoUser.id);
      expect((await api('POST', '/lookup', { emails: [SEED.contacts.primary.email] })).json.contacts).toEqual(
        [],
      );
    } finally {
      await crm.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('answers an unexpected failure with 500 in the error shape and logs it without the token', async () => {
    const failing = unreachableDatabase();
    const lines: string[] = [];
    const app = createCrmApp({
      repository: new CrmRepository(failing, () => 'http://crm.test'),
      log: (line) => lines.push(line),
    });
    const res = await app.request('/api/v1/me', { headers: { Authorization: 'Bearer secret-token-value' } });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'internal', message: 'internal server error' } });
    expect(lines.join('\n')).toContain('disk on fire');
    expect(lines.join('\n')).not.toContain('secret-token-value');
  });

  it('refuses bodies over the size limit with 413 before reading them', async () => {
    const app = createCrmApp({
      repository: new CrmRepository(unreachableDatabase(), () => 'http://crm.test'),
    });
    const res = await app.request('/api/v1/activities', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(MAX_BODY_BYTES + 1) },
      body: 'x'.repeat(MAX_BODY_BYTES + 1),
    });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('payload_too_large');
  });
});

function unreachableDatabase(): Database {
  const fail = () => Promise.reject(new Error('disk on fire'));
  return {
    kind: 'pglite',
    query: fail,
    transaction: fail,
    exclusively: fail,
    close: () => Promise.resolve(),
  };
}

describe('OpenAPI document', () => {
  it('committed server/openapi.json matches the zod schemas (refresh: npx tsx server/writeOpenApiDocument.ts)', () => {
    expect(readFileSync(OPENAPI_PATH, 'utf8')).toBe(renderOpenApiDocument());
  });

  it('describes every endpoint of the contract', () => {
    const document = JSON.parse(renderOpenApiDocument());
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual(
      [
        '/api/v1/activities',
        '/api/v1/activities/logged',
        '/api/v1/activities/{id}',
        '/api/v1/contacts',
        '/api/v1/contacts/{id}',
        '/api/v1/contacts/{id}/activities',
        '/api/v1/contacts/{id}/emails',
        '/api/v1/contacts/{id}/emails/{email}',
        '/api/v1/lookup',
        '/api/v1/me',
        '/api/v1/org/settings',
        '/api/v1/tasks',
        '/oauth/{provider}/token',
      ].sort(),
    );
    expect(Object.keys(document.paths['/api/v1/activities']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(document.paths['/oauth/{provider}/token'])).toEqual(['post']);
  });
});
