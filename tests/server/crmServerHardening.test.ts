import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../../lib/crm/contract';
import { encodeCursor } from '../../server/CrmRepository';
import { SEED } from '../../server/seed';
import { type CrmServerHandle, startCrmServer } from '../../server/startCrmServer';
import { crmTestClient, emailActivity, uniqueEmail, uniqueExternalId } from './crmTestClient';
import { freshPgliteDataDir } from './freshPgliteDataDir';

/** Issue 14, findings 3 and 5: what an attacker tried against the reference server. */
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
async function dataDir(label: string): Promise<string> {
  const dir = await freshPgliteDataDir(label);
  dirs.push(dir);
  return dir;
}

describe('the colleague token (finding 3)', () => {
  it('works only with demo seeding on and no configured demo token', async () => {
    const dir = await dataDir('crm-colleague');
    const colleagueStatus = async (crm: CrmServerHandle) =>
      (await crmTestClient(crm.url, SEED.colleague.token)('GET', '/me')).status;

    const demo = await startCrmServer({ dataDir: dir, port: 0, quiet: true });
    expect(await colleagueStatus(demo)).toBe(200);
    await demo.close();

    // The same database restarted for real use: the published token stops working.
    const configured = await startCrmServer({
      dataDir: dir,
      port: 0,
      quiet: true,
      seedToken: 'crm_configured_token_0000000000000000',
    });
    try {
      expect(await colleagueStatus(configured)).toBe(401);
      expect((await crmTestClient(configured.url, configured.token)('GET', '/me')).status).toBe(200);
    } finally {
      await configured.close();
    }

    const unseeded = await startCrmServer({
      dataDir: await dataDir('crm-noseed'),
      port: 0,
      quiet: true,
      seed: false,
    });
    try {
      expect(await colleagueStatus(unseeded)).toBe(401);
    } finally {
      await unseeded.close();
    }
  });
});

describe('the reference server against a web page and bad input', () => {
  let crm: CrmServerHandle;
  let api: ReturnType<typeof crmTestClient>;
  const warnings: string[] = [];

  beforeAll(async () => {
    crm = await startCrmServer({
      dataDir: await dataDir('crm-hardening'),
      port: 0,
      quiet: true,
      corsOrigins: ['https://crm-admin.example.com'],
    });
    api = crmTestClient(crm.url, crm.token);
  });
  afterAll(async () => {
    await crm?.close();
  });

  async function fromOrigin(origin: string, method: 'GET' | 'OPTIONS' = 'GET') {
    const response = await fetch(`${crm.url}/api/v1/me`, {
      method,
      headers: {
        Origin: origin,
        ...(method === 'OPTIONS'
          ? { 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' }
          : { Authorization: `Bearer ${SEED.colleague.token}` }),
      },
    });
    await response.arrayBuffer();
    return response.headers.get('access-control-allow-origin');
  }

  it('gives CORS only to extension origins and the configured ones (finding 3)', async () => {
    for (const method of ['GET', 'OPTIONS'] as const) {
      expect(await fromOrigin('https://evil.example', method)).toBeNull();
      expect(await fromOrigin('null', method)).toBeNull();
      expect(await fromOrigin('http://localhost:3000', method)).toBeNull();
      expect(await fromOrigin('chrome-extension://abcdefghijklmnopabcdefghijklmnop', method)).toBe(
        'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
      );
      expect(await fromOrigin('moz-extension://0b3f1c2e-4d5a-4b6c-8d7e-9f0a1b2c3d4e', method)).toBe(
        'moz-extension://0b3f1c2e-4d5a-4b6c-8d7e-9f0a1b2c3d4e',
      );
      expect(await fromOrigin('https://crm-admin.example.com', method)).toBe('https://crm-admin.example.com');
    }
  });

  it('warns when told to listen on every interface, and listens on loopback by default', async () => {
    expect(new URL(crm.url).hostname).toBe('127.0.0.1');
    const open = await startCrmServer({
      dataDir: await dataDir('crm-open'),
      port: 0,
      quiet: true,
      host: '0.0.0.0',
      warn: (message) => warnings.push(message),
    });
    await open.close();
    expect(warnings).toEqual([expect.stringContaining('every interface')]);
  });

  async function expect400(method: string, path: string, body?: unknown) {
    const res = await api(method, path, body);
    expect({ path, status: res.status }).toEqual({ path, status: 400 });
    expect(ErrorBody.safeParse(res.json).success).toBe(true);
    return res.json as ErrorBody;
  }

  it('refuses NUL bytes in any text with 400 and the documented body (finding 5)', async () => {
    await expect400('POST', '/contacts', { name: 'Nul\u0000Person', emails: [uniqueEmail()] });
    await expect400('POST', '/contacts', { name: 'Ok', emails: [uniqueEmail()], title: 'a\u0000b' });
    await expect400('POST', '/lookup', { emails: ['a\u0000@example.com'], domains: [] });
    await expect400('POST', '/lookup', { emails: [], domains: ['\u0000'] });
    await expect400('POST', '/activities', {
      activities: [emailActivity(SEED.contacts.primary.id, { subject: 'Hello\u0000' })],
    });
    await expect400('POST', '/tasks', {
      contactId: SEED.contacts.primary.id,
      title: 'Call',
      sourceExternalId: 'a\u0000b@example.com',
    });
    await expect400('GET', '/activities?externalId=a%00b%40example.com');
    await expect400('GET', '/contacts/%00');
    await expect400('GET', '/contacts/%00/activities');
  });

  it('refuses lone surrogates in activity JSON with 400 (finding 5)', async () => {
    const activity = JSON.stringify({ activities: [emailActivity(SEED.contacts.primary.id)] });
    for (const loneSurrogate of ['\\ud800', '\\udfff', '\\ud83d']) {
      const body = activity.replace('"Quarterly review"', `"Quarterly ${loneSurrogate} review"`);
      await expect400('POST', '/activities', body);
    }
    // A pair is a character like any other.
    const pair = activity.replace('"Quarterly review"', '"Quarterly \\ud83d\\ude00 review"');
    expect((await api('POST', '/activities', pair)).status).toBe(201);
  });

  it('refuses the year 0000 (and anything outside 0001-9999) in dates and cursors (finding 5)', async () => {
    for (const occurredAt of [
      '0000-01-01T00:00:00Z',
      '0001-01-01T00:00:00+01:00',
      '9999-12-31T23:00:00-05:00',
    ]) {
      await expect400('POST', '/activities', {
        activities: [emailActivity(SEED.contacts.primary.id, { occurredAt })],
      });
    }
    await expect400('POST', '/tasks', {
      contactId: SEED.contacts.primary.id,
      title: 'Call',
      dueAt: '0000-06-01T09:00:00Z',
    });
    const cursor = encodeCursor({ t: '0000-01-01T00:00:00.000Z', id: 'act_x' });
    const res = await expect400('GET', `/contacts/${SEED.contacts.primary.id}/activities?cursor=${cursor}`);
    expect(res.error.code).toBe('invalid_cursor');
    // The edges themselves are fine.
    const edge = emailActivity(SEED.contacts.primary.id, { occurredAt: '0001-01-01T00:00:00Z' });
    expect((await api('POST', '/activities', { activities: [edge] })).status).toBe(201);
  });

  it('refuses values longer than its indexes can hold with 400 (finding 5)', async () => {
    // 998 characters but 3,992 bytes: more than a B-tree entry holds with the contact id.
    await expect400('POST', '/activities', {
      activities: [emailActivity(SEED.contacts.primary.id, { externalId: `${'😀'.repeat(997)}@x` })],
    });
    await expect400('POST', '/tasks', {
      contactId: SEED.contacts.primary.id,
      title: '😀'.repeat(500),
      sourceExternalId: uniqueExternalId(),
    });
    await expect400('POST', '/contacts', { name: 'Long', emails: [`${'a'.repeat(3_000)}@example.com`] });
    await expect400('GET', `/contacts/${'c'.repeat(5_000)}`);
    // A 500-character title in three-byte characters still fits.
    const cjk = await api('POST', '/tasks', {
      contactId: SEED.contacts.primary.id,
      title: '漢'.repeat(333),
      sourceExternalId: uniqueExternalId(),
    });
    expect(cjk.status).toBe(201);
  });

  it('answers an oversized URL with the documented error body, and keeps answering', async () => {
    const response = await fetch(`${crm.url}/api/v1/contacts/${'c'.repeat(40_000)}`, {
      headers: { Authorization: `Bearer ${crm.token}` },
    });
    expect(response.status).toBe(431);
    expect(ErrorBody.safeParse(await response.json()).success).toBe(true);
    expect((await api('GET', '/me')).status).toBe(200);
  });
});
