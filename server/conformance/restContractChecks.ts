import { randomUUID } from 'node:crypto';
import {
  ActivityPage,
  ChangeActivityResponse,
  Contact,
  ErrorBody,
  LogActivitiesResponse,
  LoggedMessagesResponse,
  LookupResponse,
  MAX_BATCH,
  MeResponse,
  OrgSettingsResponse,
  RemoveActivityResponse,
  TaskResponse,
} from '../../lib/crm/contract';
import {
  CheckSkipped,
  type ConformanceCheck,
  type ConformanceContext,
  expect,
  need,
  parsed,
} from './ConformanceCheck';

/** Raw HTTP against CRM-CONTRACT.md: the exact statuses and bodies the connector hides. */
async function raw(
  ctx: ConformanceContext,
  method: string,
  path: string,
  body?: unknown,
  token?: string | null,
) {
  const rest = need(ctx.target.rest, 'a REST contract CRM');
  const bearer = token === undefined ? rest.token : token;
  const response = await ctx.target.fetch(`${rest.baseUrl.replace(/\/+$/, '')}/api/v1${path}`, {
    method,
    headers: {
      ...(bearer === null ? {} : { Authorization: `Bearer ${bearer}` }),
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

const errorShape = (value: unknown, what: string) => parsed(ErrorBody, value, `${what} error body`);

function expectStatus(res: { status: number }, status: number, what = '') {
  expect(res.status === status, `${what ? `${what}: ` : ''}status ${res.status}, expected ${status}`);
}

/** The organisation settings, or null where the CRM does not offer them (404). */
async function orgSettings(ctx: ConformanceContext) {
  const res = await raw(ctx, 'GET', '/org/settings');
  if (res.status === 404) {
    errorShape(res.json, '404');
    return null;
  }
  expectStatus(res, 200, 'GET /org/settings');
  return parsed(OrgSettingsResponse, res.json, 'organisation settings');
}

/** The target's tokens by the role `/me` says they have (a CRM without roles says none). */
async function tokensByRole(ctx: ConformanceContext) {
  const rest = need(ctx.target.rest, 'a REST contract CRM');
  const byRole: { admin?: string; rep?: string } = {};
  for (const token of [rest.token, rest.colleagueToken]) {
    if (!token) continue;
    const me = parsed(MeResponse, (await raw(ctx, 'GET', '/me', undefined, token)).json, '/me');
    if (me.user.role) byRole[me.user.role] ??= token;
  }
  return byRole;
}

/** Only for the `rest` connector: CRM-CONTRACT.md's statuses, headers and bodies. */
export const REST_CONTRACT_CHECKS: ConformanceCheck[] = [
  {
    name: 'GET /me without a token is 401 with the error shape',
    run: async (ctx) => {
      const res = await raw(ctx, 'GET', '/me', undefined, null);
      expectStatus(res, 401);
      errorShape(res.json, '401');
    },
  },
  {
    name: 'GET /me with a wrong token is 401',
    run: async (ctx) => expectStatus(await raw(ctx, 'GET', '/me', undefined, `wrong-${randomUUID()}`), 401),
  },
  {
    name: 'an unknown route is 404 with the error shape',
    run: async (ctx) => {
      const res = await raw(ctx, 'GET', `/no-such-route-${ctx.run}`);
      expectStatus(res, 404);
      errorShape(res.json, '404');
    },
  },
  {
    name: 'POST /contacts answers 201',
    run: async (ctx) => {
      const res = await raw(ctx, 'POST', '/contacts', {
        name: `Raw ${ctx.run}`,
        emails: [ctx.uniqueEmail('raw')],
      });
      expectStatus(res, 201);
      parsed(Contact, res.json, 'created contact');
    },
  },
  {
    name: 'POST /contacts with a taken email is 409 with the existing contact in error.details.contact',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const res = await raw(ctx, 'POST', '/contacts', { name: 'Duplicate', emails: [c.emails[0]] });
      expectStatus(res, 409);
      const body = errorShape(res.json, '409');
      expect(
        (body.error.details as { contact?: { id?: string } })?.contact?.id === c.id,
        'no existing contact',
      );
    },
  },
  {
    name: 'POST /lookup by domains only answers contacts and companies lists',
    run: async (ctx) => {
      const m = need(ctx.me, 'whoami');
      parsed(
        LookupResponse,
        (await raw(ctx, 'POST', '/lookup', { emails: [], domains: m.org.domains })).json,
        'lookup',
      );
    },
  },
  {
    name: 'POST /lookup with more than 100 emails is 413',
    run: async (ctx) => {
      const emails = Array.from({ length: MAX_BATCH + 1 }, (_, i) => `p${i}@conformance.example`);
      const res = await raw(ctx, 'POST', '/lookup', { emails });
      expectStatus(res, 413);
      errorShape(res.json, '413');
    },
  },
  {
    name: 'POST /contacts with an invalid body is 400 with the issues in details',
    run: async (ctx) => {
      const res = await raw(ctx, 'POST', '/contacts', { name: '', emails: ['not an email'] });
      expectStatus(res, 400);
      const body = errorShape(res.json, '400');
      expect(Array.isArray(body.error.details) && body.error.details.length > 0, 'details holds no issues');
    },
  },
  {
    name: 'GET /contacts/{id} of an unknown id is 404',
    run: async (ctx) => expectStatus(await raw(ctx, 'GET', `/contacts/unknown-${ctx.run}`), 404),
  },
  {
    name: 'POST /activities answers 201 when it creates and 200 when everything existed',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const batch = [ctx.activity(c.id)];
      const first = await raw(ctx, 'POST', '/activities', { activities: batch });
      expectStatus(first, 201, 'first post');
      parsed(LogActivitiesResponse, first.json, 'log response');
      expectStatus(await raw(ctx, 'POST', '/activities', { activities: batch }), 200, 'second post');
    },
  },
  {
    name: 'POST /activities with more than 100 items is 413',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const activities = Array.from({ length: MAX_BATCH + 1 }, () => ctx.activity(c.id));
      expectStatus(await raw(ctx, 'POST', '/activities', { activities }), 413);
    },
  },
  {
    name: 'POST /activities with a malformed item is 400 with the issues in details',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const res = await raw(ctx, 'POST', '/activities', {
        activities: [{ ...ctx.activity(c.id), direction: 'sideways' }],
      });
      expectStatus(res, 400);
      const body = errorShape(res.json, '400');
      expect(Array.isArray(body.error.details) && body.error.details.length > 0, 'details holds no issues');
    },
  },
  {
    name: 'GET /contacts/{id}/activities pages newest first with cursors, nextCursor null at the end',
    run: async (ctx) => {
      const pageContact = await ctx.connector.createContact({
        name: `Pages ${ctx.run}`,
        emails: [ctx.uniqueEmail('pages')],
      });
      const base = Date.UTC(2024, 0, 1);
      await ctx.connector.logActivities(
        Array.from({ length: 25 }, (_, i) =>
          ctx.activity(pageContact.id, {
            occurredAt: new Date(base + Math.floor(i / 2) * 3_600_000).toISOString(),
          }),
        ),
      );
      const sizes: number[] = [];
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 10; guard++) {
        const query = new URLSearchParams({ limit: '10', ...(cursor ? { cursor } : {}) });
        const res = await raw(
          ctx,
          'GET',
          `/contacts/${encodeURIComponent(pageContact.id)}/activities?${query}`,
        );
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
  },
  {
    name: 'POST /activities/logged answers the logged Message-IDs with their contacts; over 100 is 413',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const one = ctx.activity(c.id);
      await raw(ctx, 'POST', '/activities', { activities: [one] });
      const res = await raw(ctx, 'POST', '/activities/logged', {
        externalIds: [one.externalId, ctx.uniqueExternalId()],
      });
      expectStatus(res, 200);
      const body = parsed(LoggedMessagesResponse, res.json, 'logged messages');
      expect(
        body.messages.length === 1 && body.messages[0]?.contactIds.includes(c.id) === true,
        `answered ${JSON.stringify(body.messages)}`,
      );
      const externalIds = Array.from({ length: MAX_BATCH + 1 }, () => ctx.uniqueExternalId());
      expectStatus(await raw(ctx, 'POST', '/activities/logged', { externalIds }), 413, 'oversized');
    },
  },
  {
    name: 'POST /tasks answers 201, and the same task again 200 "existing"',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const task = {
        contactId: c.id,
        title: 'Conformance follow-up',
        sourceExternalId: ctx.uniqueExternalId(),
      };
      const first = await raw(ctx, 'POST', '/tasks', task);
      expectStatus(first, 201);
      const again = await raw(ctx, 'POST', '/tasks', task);
      expectStatus(again, 200);
      const a = parsed(TaskResponse, first.json, 'task response');
      const b = parsed(TaskResponse, again.json, 'task response');
      expect(a.task.id === b.task.id && b.status === 'existing', 'the second post created another task');
    },
  },
  {
    name: 'GET /org/settings answers the organisation settings, or 404 where the CRM has none',
    run: async (ctx) => {
      await orgSettings(ctx);
    },
  },
  {
    name: 'PUT /org/settings answers 403 to a rep, and an admin saving the same settings gets them back',
    run: async (ctx) => {
      const current = await orgSettings(ctx);
      if (!current) throw new CheckSkipped('the CRM has no organisation settings');
      const { admin, rep } = await tokensByRole(ctx);
      if (!admin && !rep) throw new CheckSkipped('/me names no roles');
      // The settings as they are: the check changes nothing on the CRM it runs against.
      const body = { settings: current.settings };
      if (rep) {
        const refused = await raw(ctx, 'PUT', '/org/settings', body, rep);
        expectStatus(refused, 403, 'a rep');
        errorShape(refused.json, '403');
      }
      if (admin) {
        const saved = await raw(ctx, 'PUT', '/org/settings', body, admin);
        expectStatus(saved, 200, 'an admin');
        const answer = parsed(OrgSettingsResponse, saved.json, 'saved settings');
        expect(
          JSON.stringify(answer.settings) === JSON.stringify(current.settings),
          `saved ${JSON.stringify(current.settings)}, answered ${JSON.stringify(answer.settings)}`,
        );
        const partial = await raw(ctx, 'PUT', '/org/settings', { settings: { excludedDomains: [] } }, admin);
        expectStatus(partial, 400, 'settings missing fields');
      }
    },
  },
  {
    name: "DELETE and PATCH /activities/{id}: 403 for a rep on another user's email, 200 on their own, then 404 activity_not_found",
    run: async (ctx) => {
      const rest = need(ctx.target.rest, 'a REST contract CRM');
      const c = need(ctx.contact, 'a created contact');
      const { rep } = await tokensByRole(ctx);
      const other = [rest.token, rest.colleagueToken].find((t) => t !== undefined && t !== rep);
      if (!rep || !other) throw new CheckSkipped('needs a rep and another user (/me names roles)');
      const logAs = async (token: string) => {
        const res = await raw(ctx, 'POST', '/activities', { activities: [ctx.activity(c.id)] }, token);
        expectStatus(res, 201, 'logging');
        const id = parsed(LogActivitiesResponse, res.json, 'log response').results[0]?.id;
        return need(id ?? undefined, 'a logged activity id');
      };
      const theirs = await logAs(other);
      const refused = await raw(ctx, 'DELETE', `/activities/${encodeURIComponent(theirs)}`, undefined, rep);
      if (
        refused.status === 405 ||
        (refused.status === 404 && errorShape(refused.json, '404').error.code !== 'activity_not_found')
      )
        throw new CheckSkipped('the CRM does not offer changing a logged email');
      expectStatus(refused, 403, "a rep removing another user's email");
      errorShape(refused.json, '403');
      const patched = await raw(
        ctx,
        'PATCH',
        `/activities/${encodeURIComponent(theirs)}`,
        { privacy: 'metadata' },
        rep,
      );
      expectStatus(patched, 403, "a rep redacting another user's email");

      const mine = await logAs(rep);
      const redacted = await raw(
        ctx,
        'PATCH',
        `/activities/${encodeURIComponent(mine)}`,
        { privacy: 'metadata' },
        rep,
      );
      expectStatus(redacted, 200, 'redacting their own');
      const change = parsed(ChangeActivityResponse, redacted.json, 'change response');
      expect(
        change.activity.subject === '' && change.activity.snippet === '',
        'the redacted email kept its subject',
      );
      const removed = await raw(ctx, 'DELETE', `/activities/${encodeURIComponent(mine)}`, undefined, rep);
      expectStatus(removed, 200, 'removing their own');
      parsed(RemoveActivityResponse, removed.json, 'remove response');
      const again = await raw(ctx, 'DELETE', `/activities/${encodeURIComponent(mine)}`, undefined, rep);
      expectStatus(again, 404, 'removing it again');
      expect(
        errorShape(again.json, '404').error.code === 'activity_not_found',
        'a repeat is not activity_not_found',
      );
      const empty = await raw(ctx, 'PATCH', `/activities/${encodeURIComponent(theirs)}`, {}, other);
      expectStatus(empty, 400, 'an empty change');
    },
  },
  {
    name: 'GET /openapi.json serves the OpenAPI document',
    run: async (ctx) => {
      const res = await raw(ctx, 'GET', '/openapi.json');
      expectStatus(res, 200);
      const doc = res.json as { openapi?: unknown; paths?: Record<string, unknown> } | undefined;
      expect(
        typeof doc?.openapi === 'string' && doc.paths?.['/api/v1/lookup'],
        'not an OpenAPI document of the contract',
      );
    },
  },
];
