import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrmConnector } from '../../../../../lib/crm/CrmConnector';
import { CrmError } from '../../../../../lib/crm/CrmError';
import {
  createRestCrmConnector,
  parseRetryAfter,
} from '../../../../../lib/crm/vendors/rest/RestCrmConnector';
import { SEED } from '../../../../../server/seed';
import { type CrmServerHandle, startCrmServer } from '../../../../../server/startCrmServer';
import { emailActivity, uniqueEmail, uniqueExternalId } from '../../../../server/crmTestClient';
import { freshPgliteDataDir } from '../../../../server/freshPgliteDataDir';

async function crmError(promise: Promise<unknown>): Promise<CrmError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CrmError);
    return error as CrmError;
  }
  throw new Error('expected a CrmError');
}

describe('rest connector against the reference server', () => {
  let crm: CrmServerHandle;
  let dataDir: string;
  let connector: CrmConnector;

  beforeAll(async () => {
    dataDir = await freshPgliteDataDir('crm-connector');
    crm = await startCrmServer({ dataDir, port: 0, quiet: true });
    connector = createRestCrmConnector({ baseUrl: `${crm.url}/`, token: crm.token });
  });
  afterAll(async () => {
    await crm?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reads who the token belongs to', async () => {
    // The seeded demo user is the organisation's admin (server/seed.ts).
    expect(await connector.whoami()).toEqual({ user: { ...SEED.demoUser, role: 'admin' }, org: SEED.org });
  });

  it('looks up contacts and companies, and opens a contact', async () => {
    const found = await connector.lookup({
      emails: [SEED.contacts.withAlternate.alternateEmail],
      domains: [SEED.companies.acme.domain],
    });
    expect(found.contacts.map((c) => c.id)).toEqual([SEED.contacts.withAlternate.id]);
    expect(found.companies.map((c) => c.id)).toEqual([SEED.companies.acme.id]);
    const detail = await connector.getContact(SEED.contacts.primary.id);
    expect(detail.company?.id).toBe(SEED.companies.acme.id);
    expect(detail.recentActivities).toHaveLength(10);
  });

  it('creates a contact, and reports a taken address as a conflict carrying the existing contact', async () => {
    const email = uniqueEmail();
    const created = await connector.createContact({ name: 'Via Connector', emails: [email] });
    const error = await crmError(connector.createContact({ name: 'Again', emails: [email.toUpperCase()] }));
    expect(error.kind).toBe('conflict');
    expect(error.status).toBe(409);
    expect(error.options.details).toEqual({ contact: created });
  });

  it('logs activities idempotently, pages them and finds them by Message-ID', async () => {
    const contact = await connector.createContact({ name: 'Pager', emails: [uniqueEmail()] });
    const batch = Array.from({ length: 5 }, (_, i) =>
      emailActivity(contact.id, { occurredAt: new Date(Date.UTC(2024, 0, 1 + i)).toISOString() }),
    );
    const first = await connector.logActivities(batch);
    expect(first.results.every((r) => r.status === 'created')).toBe(true);
    const second = await connector.logActivities(batch);
    expect(second.results.every((r) => r.status === 'existing')).toBe(true);

    const page1 = await connector.listContactActivities(contact.id, { limit: 3 });
    expect(page1.activities).toHaveLength(3);
    const page2 = await connector.listContactActivities(contact.id, {
      limit: 3,
      cursor: page1.nextCursor ?? '',
    });
    expect(page2.activities).toHaveLength(2);
    expect(page2.nextCursor).toBeNull();

    const [one] = batch;
    const matches = await connector.activitiesForMessage(one?.externalId ?? '');
    expect(matches.map((a) => a.contactId)).toEqual([contact.id]);
    expect(matches[0]?.loggedByName).toBe(SEED.demoUser.name);
  });

  it('creates tasks idempotently', async () => {
    const task = {
      contactId: SEED.contacts.primary.id,
      title: 'Follow up',
      sourceExternalId: uniqueExternalId(),
    };
    const first = await connector.createTask(task);
    const again = await connector.createTask(task);
    expect([first.status, again.status]).toEqual(['created', 'existing']);
    expect(again.task.id).toBe(first.task.id);
  });

  it('maps 401, 404 and 413 to auth, not_found and invalid_request', async () => {
    const wrongToken = 'crm_wrong_token_that_must_not_leak';
    const unauthorised = await crmError(
      createRestCrmConnector({ baseUrl: crm.url, token: wrongToken }).whoami(),
    );
    expect(unauthorised.kind).toBe('auth');
    expect(unauthorised.message).not.toContain(wrongToken);
    expect((await crmError(connector.getContact('con_nope'))).kind).toBe('not_found');
    const tooMany = Array.from({ length: 101 }, () => emailActivity(SEED.contacts.primary.id));
    const tooLarge = await crmError(connector.logActivities(tooMany));
    expect(tooLarge.kind).toBe('invalid_request');
    expect(tooLarge.status).toBe(413);
  });

  it('removes, moves and redacts a logged email against the reference server; a repeat removal is absent', async () => {
    const input = emailActivity(SEED.contacts.primary.id, { body: 'Full text' });
    const [logged] = (await connector.logActivities([input])).results;
    const ref = { id: logged?.id ?? '', externalId: input.externalId, contactId: input.contactId };
    const toDeal = await connector.moveActivity(ref, { dealId: 'deal_seed_001' });
    expect(toDeal).toEqual({ status: 'changed', activity: { ...ref, dealId: 'deal_seed_001' } });
    const redacted = await connector.redactActivity(ref);
    expect(redacted.status).toBe('changed');
    const [stored] = await connector.activitiesForMessage(input.externalId);
    expect(stored).toMatchObject({ subject: '', snippet: '', dealId: 'deal_seed_001' });
    expect(stored?.body).toBeUndefined();
    expect(await connector.removeActivity(ref)).toEqual({ status: 'removed' });
    expect(await connector.removeActivity(ref)).toEqual({ status: 'absent' });
    expect((await crmError(connector.redactActivity(ref))).kind).toBe('not_found');
    // Someone else's email, for a rep: 403 with "only who logged it, or an admin".
    const [theirs] = (await connector.logActivities([emailActivity(SEED.contacts.primary.id)])).results;
    const rep = createRestCrmConnector({ baseUrl: crm.url, token: SEED.colleague.token });
    const refused = await crmError(
      rep.removeActivity({ id: theirs?.id ?? '', externalId: 'x', contactId: SEED.contacts.primary.id }),
    );
    expect([refused.kind, refused.code, refused.status]).toEqual(['auth', 'activity_not_yours', 403]);
  });

  it('reports a refused connection as a network error', async () => {
    // Port 1 is reserved and nothing listens there.
    const error = await crmError(
      createRestCrmConnector({ baseUrl: 'http://127.0.0.1:1', token: 't' }).whoami(),
    );
    expect(error.kind).toBe('network');
    expect(error.retryable).toBe(true);
  });
});

describe('rest connector error mapping (stub fetch)', () => {
  const token = 'crm_secret_token_value';
  const connectorAnswering = (
    respond: (url: string, init: RequestInit) => Response | Promise<Response>,
    timeoutMs?: number,
  ) => {
    const calls: { url: string; init: RequestInit }[] = [];
    const connector = createRestCrmConnector({
      baseUrl: 'https://crm.example.com/base/',
      token,
      timeoutMs,
      fetch: async (input, init) => {
        const url = String(input);
        calls.push({ url, init: init ?? {} });
        return respond(url, init ?? {});
      },
    });
    return { connector, calls };
  };
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json', ...headers },
    });

  it('builds URLs under /api/v1 with the bearer token and JSON body', async () => {
    const { connector, calls } = connectorAnswering(() => json(200, { activities: [] }));
    await connector.activitiesForMessage('a+b@c d');
    expect(calls[0]?.url).toBe('https://crm.example.com/base/api/v1/activities?externalId=a%2Bb%40c+d');
    expect(new Headers(calls[0]?.init.headers).get('Authorization')).toBe(`Bearer ${token}`);
  });

  it('maps 429 with Retry-After in seconds or as an HTTP-date', async () => {
    const seconds = await crmError(
      connectorAnswering(() =>
        json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'Retry-After': '7' }),
      ).connector.whoami(),
    );
    expect(seconds.kind).toBe('rate_limited');
    expect(seconds.retryAfterMs).toBe(7000);
    expect(seconds.retryable).toBe(true);

    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    const dated = await crmError(
      connectorAnswering(
        () => new Response('busy', { status: 429, headers: { 'Retry-After': inAMinute } }),
      ).connector.whoami(),
    );
    expect(dated.retryAfterMs).toBeGreaterThan(55_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(new Date(0).toUTCString())).toBe(0);
  });

  it('reads 405, or 404 without activity_not_found, on an activity change as a CRM that cannot', async () => {
    const ref = { id: 'act_1', externalId: 'm@x', contactId: 'con_1' };
    for (const answer of [
      () => json(405, { error: { code: 'method_not_allowed', message: 'no' } }),
      () => json(404, { error: { code: 'not_found', message: 'no such route' } }),
      () => new Response('Not Found', { status: 404 }),
    ]) {
      const { connector } = connectorAnswering(answer);
      expect((await crmError(connector.redactActivity(ref))).kind).toBe('unsupported');
      expect((await crmError(connector.removeActivity(ref))).kind).toBe('unsupported');
    }
    const { connector, calls } = connectorAnswering(() =>
      json(404, { error: { code: 'activity_not_found', message: 'gone' } }),
    );
    expect(await connector.removeActivity({ ...ref, id: 'a/b' })).toEqual({ status: 'absent' });
    expect(calls[0]?.url).toBe('https://crm.example.com/base/api/v1/activities/a%2Fb');
    expect(calls[0]?.init.method).toBe('DELETE');
    expect((await crmError(connector.moveActivity(ref, { dealId: null }))).kind).toBe('not_found');
    expect(JSON.parse(String(calls[1]?.init.body))).toEqual({ dealId: null });
  });

  it('maps statuses to kinds', async () => {
    const cases: [number, string][] = [
      [400, 'invalid_request'],
      [401, 'auth'],
      [403, 'auth'],
      [404, 'not_found'],
      [409, 'conflict'],
      [413, 'invalid_request'],
      [500, 'server'],
      [503, 'server'],
    ];
    for (const [status, kind] of cases) {
      const error = await crmError(
        connectorAnswering(() => json(status, { error: { code: 'x', message: 'y' } })).connector.whoami(),
      );
      expect([status, error.kind]).toEqual([status, kind]);
      expect(error.status).toBe(status);
    }
    const gateway = await crmError(
      connectorAnswering(() => new Response('<html>Bad gateway</html>', { status: 502 })).connector.whoami(),
    );
    expect(gateway.kind).toBe('server');
  });

  it('times out a request that never answers as a network error', async () => {
    const { connector } = connectorAnswering(
      (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
      50,
    );
    const started = Date.now();
    const error = await crmError(connector.whoami());
    expect(error.kind).toBe('network');
    expect(error.message).toContain('50 ms');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('maps a failed fetch to network', async () => {
    const error = await crmError(
      connectorAnswering(() => {
        throw new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') });
      }).connector.whoami(),
    );
    expect(error.kind).toBe('network');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('rejects answers that do not match the contract', async () => {
    const wrongShape = await crmError(
      connectorAnswering(() => json(200, { user: { id: 1 } })).connector.whoami(),
    );
    expect(wrongShape.kind).toBe('invalid_response');
    expect(wrongShape.message).toContain('user');
    const notJson = await crmError(
      connectorAnswering(() => new Response('<html>login</html>')).connector.whoami(),
    );
    expect(notJson.kind).toBe('invalid_response');
  });

  it('never puts the token into an error message, even when the server echoes it', async () => {
    const error = await crmError(
      connectorAnswering(() =>
        json(401, { error: { code: 'unauthorized', message: `token ${token} is unknown` } }),
      ).connector.whoami(),
    );
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain(token);
  });
});
