import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { CrmConnector } from '../../lib/crm/CrmConnector';
import { CrmError } from '../../lib/crm/CrmError';
import {
  ActivityPage,
  Contact,
  ContactDetail,
  type EmailActivityInput,
  ErrorBody,
  LogActivitiesResponse,
  LookupResponse,
  MAX_BATCH,
  type MeResponse,
  TaskResponse,
} from '../../lib/crm/contract';
import { createRestCrmConnector } from '../../lib/crm/RestCrmConnector';

export interface ConformanceOptions {
  baseUrl: string;
  token: string;
  /** A second user's token: enables the "logged by a colleague" check. */
  colleagueToken?: string;
  fetch?: typeof fetch;
  /** Called as each check finishes, for live output. */
  onResult?: (result: ConformanceResult) => void;
}

export interface ConformanceResult {
  name: string;
  ok: boolean;
  skipped?: boolean;
  message?: string;
  durationMs: number;
}

export interface ConformanceReport {
  results: ConformanceResult[];
  passed: number;
  failed: number;
  skipped: number;
}

class CheckFailed extends Error {}
class CheckSkipped extends Error {}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

/**
 * Checks a live CRM against CRM-CONTRACT.md: through the extension's own `rest`
 * connector (what the extension will really see) and raw HTTP (exact statuses and
 * headers). Creates its own uniquely named data, so it can run again and again
 * against the same CRM; it never deletes anything.
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const apiBase = `${options.baseUrl.replace(/\/+$/, '')}/api/v1`;
  const connector: CrmConnector = createRestCrmConnector({
    baseUrl: options.baseUrl,
    token: options.token,
    fetch: doFetch,
  });
  const run = randomUUID().slice(0, 8);
  const uniqueEmail = (label: string) =>
    `${label}.${run}.${randomUUID().slice(0, 6)}@conformance-${run}.example`;
  const uniqueExternalId = () => `conformance-${randomUUID()}@conformance.example`;

  async function raw(method: string, path: string, body?: unknown, token: string | null = options.token) {
    const response = await doFetch(`${apiBase}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, json, headers: response.headers };
  }

  function parsed<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
    const result = schema.safeParse(value);
    expect(result.success, `${what} does not match the contract: ${result.error?.issues[0]?.message ?? ''}`);
    return result.data;
  }

  function errorShape(value: unknown, what: string) {
    return parsed(ErrorBody, value, `${what} error body`);
  }

  function activity(contactId: string, overrides: Partial<EmailActivityInput> = {}): EmailActivityInput {
    return {
      type: 'email',
      externalId: uniqueExternalId(),
      contactId,
      direction: 'incoming',
      subject: 'Conformance check',
      snippet: 'Created by the CRM contract conformance suite.',
      occurredAt: new Date().toISOString(),
      from: { name: 'Conformance', address: 'conformance@conformance.example' },
      to: [],
      cc: [],
      hasAttachments: false,
      threadId: null,
      source: 'gmail',
      ...overrides,
    };
  }

  // State shared by later checks; a check whose prerequisite failed is skipped.
  let me: z.infer<typeof MeResponse> | undefined;
  let contact: z.infer<typeof Contact> | undefined;
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new CheckSkipped(`needs ${what}`);
    return value;
  };

  const checks: [string, () => Promise<void>][] = [
    [
      'GET /me without a token is 401 with the error shape',
      async () => {
        const res = await raw('GET', '/me', undefined, null);
        expect(res.status === 401, `status ${res.status}, expected 401`);
        errorShape(res.json, '401');
      },
    ],
    [
      'GET /me with a wrong token is 401',
      async () => {
        const res = await raw('GET', '/me', undefined, `wrong-${randomUUID()}`);
        expect(res.status === 401, `status ${res.status}, expected 401`);
      },
    ],
    [
      'GET /me returns the user and organisation',
      async () => {
        me = await connector.whoami();
      },
    ],
    [
      'an unknown route is 404 with the error shape',
      async () => {
        const res = await raw('GET', `/no-such-route-${run}`);
        expect(res.status === 404, `status ${res.status}, expected 404`);
        errorShape(res.json, '404');
      },
    ],
    [
      'POST /contacts creates a contact (201) with lower-cased emails',
      async () => {
        const primary = uniqueEmail('primary');
        const alternate = uniqueEmail('alternate');
        const res = await raw('POST', '/contacts', {
          name: `Conformance ${run}`,
          emails: [primary.toUpperCase(), ` ${alternate} `],
        });
        expect(res.status === 201, `status ${res.status}, expected 201`);
        const created = parsed(Contact, res.json, 'created contact');
        expect(
          created.emails[0] === primary && created.emails[1] === alternate,
          `emails ${JSON.stringify(created.emails)}, expected [${primary}, ${alternate}]`,
        );
        contact = created;
      },
    ],
    [
      'POST /lookup finds a contact by an alternate email, case-insensitively',
      async () => {
        const c = need(contact, 'a created contact');
        const found = await connector.lookup({ emails: [` ${c.emails[1]?.toUpperCase()} `] });
        expect(
          found.contacts.length === 1 && found.contacts[0]?.id === c.id,
          `found ${found.contacts.map((x) => x.id).join(', ') || 'nothing'}`,
        );
      },
    ],
    [
      'POST /lookup answers unknown emails and domains with empty lists',
      async () => {
        const found = await connector.lookup({
          emails: [uniqueEmail('nobody')],
          domains: [`nobody-${run}.example`],
        });
        expect(found.contacts.length === 0 && found.companies.length === 0, 'expected no matches');
      },
    ],
    [
      'POST /lookup by domains only answers contacts and companies lists',
      async () => {
        const m = need(me, '/me');
        parsed(
          LookupResponse,
          (await raw('POST', '/lookup', { emails: [], domains: m.org.domains })).json,
          'lookup',
        );
      },
    ],
    [
      'POST /lookup with more than 100 emails is 413',
      async () => {
        const emails = Array.from({ length: MAX_BATCH + 1 }, (_, i) => `p${i}@conformance.example`);
        const res = await raw('POST', '/lookup', { emails });
        expect(res.status === 413, `status ${res.status}, expected 413`);
        errorShape(res.json, '413');
      },
    ],
    [
      'POST /contacts with a taken email is 409 with the existing contact in error.details.contact',
      async () => {
        const c = need(contact, 'a created contact');
        const error = await connector
          .createContact({
            name: 'Duplicate',
            emails: [uniqueEmail('fresh'), c.emails[1]?.toUpperCase() ?? ''],
          })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(
          error instanceof CrmError && error.kind === 'conflict',
          `expected a conflict, got ${String(error)}`,
        );
        const details = error.options.details as { contact?: { id?: string } } | undefined;
        expect(details?.contact?.id === c.id, 'error.details.contact is not the existing contact');
      },
    ],
    [
      'POST /contacts with an invalid body is 400 with the issues in details',
      async () => {
        const res = await raw('POST', '/contacts', { name: '', emails: ['not an email'] });
        expect(res.status === 400, `status ${res.status}, expected 400`);
        const body = errorShape(res.json, '400');
        expect(Array.isArray(body.error.details) && body.error.details.length > 0, 'details holds no issues');
      },
    ],
    [
      'GET /contacts/{id} returns the contact with company, deals and recent activities',
      async () => {
        const c = need(contact, 'a created contact');
        const res = await raw('GET', `/contacts/${encodeURIComponent(c.id)}`);
        expect(res.status === 200, `status ${res.status}`);
        const detail = parsed(ContactDetail, res.json, 'contact detail');
        expect(detail.id === c.id, 'another contact came back');
      },
    ],
    [
      'GET /contacts/{id} of an unknown id is 404',
      async () => {
        const res = await raw('GET', `/contacts/unknown-${run}`);
        expect(res.status === 404, `status ${res.status}, expected 404`);
      },
    ],
    [
      'POST /activities creates (201), and the same batch again is 200 "existing" with the same ids',
      async () => {
        const c = need(contact, 'a created contact');
        const batch = Array.from({ length: 3 }, () => activity(c.id));
        const first = await raw('POST', '/activities', { activities: batch });
        expect(first.status === 201, `first post: status ${first.status}, expected 201`);
        const firstBody = parsed(LogActivitiesResponse, first.json, 'log response');
        expect(
          firstBody.results.every((r) => r.status === 'created'),
          'first post did not create every item',
        );
        const again = await raw('POST', '/activities', { activities: batch });
        expect(again.status === 200, `second post: status ${again.status}, expected 200`);
        const againBody = parsed(LogActivitiesResponse, again.json, 'log response');
        expect(
          againBody.results.every((r) => r.status === 'existing'),
          'second post was not all "existing"',
        );
        expect(
          againBody.results.every((r, i) => r.id === firstBody.results[i]?.id),
          'the second post returned other ids',
        );
      },
    ],
    [
      'POST /activities: 20 concurrent identical posts create exactly one activity',
      async () => {
        const c = need(contact, 'a created contact');
        const one = activity(c.id);
        const all = await Promise.all(Array.from({ length: 20 }, () => connector.logActivities([one])));
        const results = all.map((r) => r.results[0]);
        const created = results.filter((r) => r?.status === 'created').length;
        expect(created === 1, `${created} posts said "created", expected 1`);
        expect(new Set(results.map((r) => r?.id)).size === 1, 'posts returned different ids');
        const stored = await connector.activitiesForMessage(one.externalId);
        expect(stored.length === 1, `${stored.length} activities stored, expected 1`);
      },
    ],
    [
      'POST /activities reports an unknown contactId per item without failing the batch',
      async () => {
        const c = need(contact, 'a created contact');
        const response = await connector.logActivities([activity(c.id), activity(`unknown-${run}`)]);
        expect(response.results[0]?.status === 'created', 'the good item was not created');
        expect(response.results[1]?.status === 'error', 'the unknown contact was not a per-item error');
      },
    ],
    [
      'POST /activities with more than 100 items is 413',
      async () => {
        const c = need(contact, 'a created contact');
        const res = await raw('POST', '/activities', {
          activities: Array.from({ length: MAX_BATCH + 1 }, () => activity(c.id)),
        });
        expect(res.status === 413, `status ${res.status}, expected 413`);
      },
    ],
    [
      'POST /activities with a malformed item is 400 with the issues in details',
      async () => {
        const c = need(contact, 'a created contact');
        const res = await raw('POST', '/activities', {
          activities: [{ ...activity(c.id), direction: 'sideways' }],
        });
        expect(res.status === 400, `status ${res.status}, expected 400`);
        const body = errorShape(res.json, '400');
        expect(Array.isArray(body.error.details) && body.error.details.length > 0, 'details holds no issues');
      },
    ],
    [
      'GET /contacts/{id}/activities pages newest first with cursors, nextCursor null at the end',
      async () => {
        const pageContact = await connector.createContact({
          name: `Pages ${run}`,
          emails: [uniqueEmail('pages')],
        });
        const base = Date.UTC(2024, 0, 1);
        const batch = Array.from({ length: 25 }, (_, i) =>
          activity(pageContact.id, {
            occurredAt: new Date(base + Math.floor(i / 2) * 3_600_000).toISOString(),
          }),
        );
        await connector.logActivities(batch);
        const sizes: number[] = [];
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let guard = 0; guard < 10; guard++) {
          const query = new URLSearchParams({ limit: '10', ...(cursor ? { cursor } : {}) });
          const res = await raw('GET', `/contacts/${encodeURIComponent(pageContact.id)}/activities?${query}`);
          const page = parsed(ActivityPage, res.json, 'activity page');
          sizes.push(page.activities.length);
          seen.push(...page.activities.map((a) => a.occurredAt));
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        expect(sizes.join(',') === '10,10,5', `page sizes ${sizes.join(',')}, expected 10,10,5`);
        expect(
          seen.every((t, i) => i === 0 || Date.parse(seen[i - 1] ?? '') >= Date.parse(t)),
          'not newest first',
        );
      },
    ],
    [
      'GET /activities?externalId= finds the activity with who logged it',
      async () => {
        const c = need(contact, 'a created contact');
        const m = need(me, '/me');
        const one = activity(c.id);
        await connector.logActivities([one]);
        const found = await connector.activitiesForMessage(one.externalId);
        expect(
          found.length === 1 && found[0]?.loggedBy === m.user.id,
          'not found, or loggedBy is not the caller',
        );
      },
    ],
    [
      'GET /activities?externalId= shows what a colleague logged',
      async () => {
        const colleagueToken = options.colleagueToken;
        if (!colleagueToken) throw new CheckSkipped('pass --colleague-token to check');
        const c = need(contact, 'a created contact');
        const colleague = createRestCrmConnector({
          baseUrl: options.baseUrl,
          token: colleagueToken,
          fetch: doFetch,
        });
        const colleagueMe = await colleague.whoami();
        const one = activity(c.id);
        await colleague.logActivities([one]);
        const found = await connector.activitiesForMessage(one.externalId);
        expect(found[0]?.loggedBy === colleagueMe.user.id, "the colleague's activity is not visible");
      },
    ],
    [
      'POST /tasks creates (201), and the same task again is 200 "existing"',
      async () => {
        const c = need(contact, 'a created contact');
        const task = {
          contactId: c.id,
          title: 'Conformance follow-up',
          sourceExternalId: uniqueExternalId(),
        };
        const first = await raw('POST', '/tasks', task);
        expect(first.status === 201, `status ${first.status}, expected 201`);
        const again = await raw('POST', '/tasks', task);
        expect(again.status === 200, `status ${again.status}, expected 200`);
        const a = parsed(TaskResponse, first.json, 'task response');
        const b = parsed(TaskResponse, again.json, 'task response');
        expect(a.task.id === b.task.id && b.status === 'existing', 'the second post created another task');
      },
    ],
    [
      'GET /openapi.json serves the OpenAPI document',
      async () => {
        const res = await raw('GET', '/openapi.json');
        expect(res.status === 200, `status ${res.status}`);
        const doc = res.json as { openapi?: unknown; paths?: Record<string, unknown> } | undefined;
        expect(
          typeof doc?.openapi === 'string' && doc.paths?.['/api/v1/lookup'],
          'not an OpenAPI document of the contract',
        );
      },
    ],
  ];

  const results: ConformanceResult[] = [];
  for (const [name, check] of checks) {
    const started = performance.now();
    let result: ConformanceResult;
    try {
      await check();
      result = { name, ok: true, durationMs: performance.now() - started };
    } catch (error) {
      const skipped = error instanceof CheckSkipped;
      result = {
        name,
        ok: skipped,
        skipped: skipped || undefined,
        message: error instanceof Error ? error.message : String(error),
        durationMs: performance.now() - started,
      };
    }
    results.push(result);
    options.onResult?.(result);
  }
  const skipped = results.filter((r) => r.skipped).length;
  const passed = results.filter((r) => r.ok && !r.skipped).length;
  return { results, passed, failed: results.length - passed - skipped, skipped };
}
