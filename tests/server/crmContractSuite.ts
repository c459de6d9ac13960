import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActivityPage,
  Contact,
  ContactDetail,
  EmailActivity,
  LookupResponse,
  MeResponse,
} from '../../lib/crm/contract';
import { SEED } from '../../server/seed';
import { type CrmServerHandle, type CrmServerOptions, startCrmServer } from '../../server/startCrmServer';
import { OPENAPI_PATH } from '../../server/writeOpenApiDocument';
import { crmTestClient, emailActivity, uniqueEmail, uniqueExternalId } from './crmTestClient';

/**
 * Every row of CRM-CONTRACT.md against a real reference server. Runs once per storage
 * (PGlite always, Postgres when DATABASE_URL is set); data is unique per run so the
 * suite can run again on a database that already holds earlier runs.
 */
export function describeCrmContract(
  label: string,
  storage: () => Promise<CrmServerOptions> | CrmServerOptions,
  skip = false,
) {
  describe.skipIf(skip)(`CRM contract on ${label}`, () => {
    let crm: CrmServerHandle;
    let api: ReturnType<typeof crmTestClient>;
    const logLines: string[] = [];

    beforeAll(async () => {
      crm = await startCrmServer({ ...(await storage()), port: 0, log: (line) => logLines.push(line) });
      api = crmTestClient(crm.url, crm.token);
    });
    afterAll(async () => {
      await crm?.close();
    });

    async function createContact(emails = [uniqueEmail()], name = 'Test Person') {
      const res = await api('POST', '/contacts', { name, emails });
      expect(res.status).toBe(201);
      return Contact.parse(res.json);
    }

    describe('auth', () => {
      it('rejects a missing, wrong or malformed token with 401 and the error shape', async () => {
        for (const token of [null, 'wrong-token', '']) {
          const res = await api('GET', '/me', undefined, token);
          expect(res.status).toBe(401);
          expect(res.json.error.code).toBe('unauthorized');
          expect(typeof res.json.error.message).toBe('string');
          expect(res.headers.get('www-authenticate')).toBe('Bearer');
        }
      });

      it('answers /me with the user of each token and the organisation', async () => {
        const demo = await api('GET', '/me');
        expect(demo.status).toBe(200);
        expect(MeResponse.parse(demo.json)).toEqual({
          user: { ...SEED.demoUser, role: 'admin' },
          org: SEED.org,
        });
        const colleague = await api('GET', '/me', undefined, SEED.colleague.token);
        expect(colleague.json.user.id).toBe(SEED.colleague.id);
      });

      it('allows extension origins with Authorization and Content-Type (the service worker calls it)', async () => {
        const res = await fetch(`${crm.url}/api/v1/lookup`, {
          method: 'OPTIONS',
          headers: {
            Origin: 'chrome-extension://abcdefghijklmnop',
            'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': 'authorization,content-type',
          },
        });
        expect(res.status).toBeLessThan(300);
        expect(res.headers.get('access-control-allow-origin')).toBe('chrome-extension://abcdefghijklmnop');
        expect(res.headers.get('vary')?.toLowerCase()).toContain('origin');
        expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
        expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
      });
    });

    describe('errors', () => {
      it('answers unknown routes with 404 in the error shape', async () => {
        for (const path of ['/nothing-here', '/api/v1/nothing-here']) {
          const res = await fetch(`${crm.url}${path}`, { headers: { Authorization: `Bearer ${crm.token}` } });
          expect(res.status).toBe(404);
          expect((await res.json()).error.code).toBe('not_found');
        }
      });

      it('answers a body that is not JSON with 400', async () => {
        const res = await api('POST', '/lookup', '{not json');
        expect(res.status).toBe(400);
        expect(res.json.error.code).toBe('invalid_json');
      });
    });

    describe('POST /lookup', () => {
      it('finds contacts by main and alternate email, case-insensitively, and companies by domain', async () => {
        const res = await api('POST', '/lookup', {
          emails: [
            `  ${SEED.contacts.primary.email.toUpperCase()} `,
            SEED.contacts.withAlternate.alternateEmail.toUpperCase(),
          ],
          domains: [SEED.companies.brightwater.domain, 'ACME-ROBOTICS.COM', 'unknown-company.example'],
        });
        expect(res.status).toBe(200);
        const body = LookupResponse.parse(res.json);
        expect(body.contacts.map((c) => c.id).sort()).toEqual(
          [SEED.contacts.primary.id, SEED.contacts.withAlternate.id].sort(),
        );
        const ben = body.contacts.find((c) => c.id === SEED.contacts.withAlternate.id);
        expect(ben?.emails).toEqual([
          SEED.contacts.withAlternate.email,
          SEED.contacts.withAlternate.alternateEmail,
        ]);
        expect(body.companies.map((c) => c.id).sort()).toEqual(
          [SEED.companies.acme.id, SEED.companies.brightwater.id].sort(),
        );
      });

      it('returns each contact once when several of its addresses are asked for', async () => {
        const res = await api('POST', '/lookup', {
          emails: [SEED.contacts.withAlternate.email, SEED.contacts.withAlternate.alternateEmail],
        });
        expect(res.json.contacts).toHaveLength(1);
        expect(res.json.companies).toEqual([]);
      });

      it('accepts empty lists and unknown addresses', async () => {
        expect((await api('POST', '/lookup', {})).json).toEqual({ contacts: [], companies: [] });
        expect((await api('POST', '/lookup', { emails: [uniqueEmail()], domains: [] })).json).toEqual({
          contacts: [],
          companies: [],
        });
      });

      it('rejects more than 100 emails with 413 and a bad body with 400 and the issues', async () => {
        const tooMany = await api('POST', '/lookup', {
          emails: Array.from({ length: 101 }, (_, i) => `p${i}@x.example`),
        });
        expect(tooMany.status).toBe(413);
        expect(tooMany.json.error.code).toBe('batch_too_large');
        const bad = await api('POST', '/lookup', { emails: 'not-a-list' });
        expect(bad.status).toBe(400);
        expect(bad.json.error.details[0].path).toEqual(['emails']);
      });
    });

    describe('GET /contacts/{id}', () => {
      it('returns the contact with its company, open deals and the newest 10 activities', async () => {
        const res = await api('GET', `/contacts/${SEED.contacts.primary.id}`);
        expect(res.status).toBe(200);
        const detail = ContactDetail.parse(res.json);
        expect(detail.emails).toEqual([SEED.contacts.primary.email]);
        expect(detail.company?.id).toBe(SEED.companies.acme.id);
        expect(detail.company?.domains).toContain(SEED.companies.acme.domain);
        expect(detail.deals.length).toBeGreaterThan(0);
        for (const deal of detail.deals) expect(deal.stage).not.toMatch(/^closed/);
        expect(detail.recentActivities).toHaveLength(10);
        const times = detail.recentActivities.map((a) => a.occurredAt);
        expect([...times].sort().reverse()).toEqual(times);
        expect(detail.url).toBe(`${crm.url}/contacts/${SEED.contacts.primary.id}`);
      });

      it('answers an unknown id with 404', async () => {
        const res = await api('GET', '/contacts/con_does_not_exist');
        expect(res.status).toBe(404);
        expect(res.json.error.code).toBe('not_found');
      });
    });

    describe('POST /contacts', () => {
      it('creates a contact with lower-cased addresses and links the company by domain', async () => {
        const local = uniqueEmail().split('@')[0];
        const res = await api('POST', '/contacts', {
          name: 'New Person',
          emails: [` ${local?.toUpperCase()}@Acme-Robotics.com `, `${local}@home.example`],
          title: 'Buyer',
        });
        expect(res.status).toBe(201);
        const contact = Contact.parse(res.json);
        expect(contact.emails).toEqual([`${local}@acme-robotics.com`, `${local}@home.example`]);
        expect(contact.companyId).toBe(SEED.companies.acme.id);
        expect(contact.ownerName).toBe(SEED.demoUser.name);
        const found = await api('POST', '/lookup', { emails: [`${local}@home.example`] });
        expect(found.json.contacts[0].id).toBe(contact.id);
      });

      it('answers 409 with the existing contact when an email (even an alternate) is taken', async () => {
        const res = await api('POST', '/contacts', {
          name: 'Someone Else',
          emails: [uniqueEmail(), SEED.contacts.withAlternate.alternateEmail.toUpperCase()],
        });
        expect(res.status).toBe(409);
        expect(res.json.error.code).toBe('conflict');
        expect(Contact.parse(res.json.error.details.contact).id).toBe(SEED.contacts.withAlternate.id);
      });

      it('gives one contact and one 409 when the same address is created twice at once', async () => {
        const email = uniqueEmail();
        const [a, b] = await Promise.all([
          api('POST', '/contacts', { name: 'Twin', emails: [email] }),
          api('POST', '/contacts', { name: 'Twin', emails: [email] }),
        ]);
        expect([a.status, b.status].sort()).toEqual([201, 409]);
      });

      it('rejects an invalid body with 400 and the schema issues', async () => {
        const res = await api('POST', '/contacts', { name: '', emails: ['not an email'] });
        expect(res.status).toBe(400);
        expect(res.json.error.code).toBe('invalid_request');
        const paths = res.json.error.details.map((i: { path: string[] }) => i.path.join('.'));
        expect(paths).toContain('name');
        expect(paths).toContain('emails.0');
      });
    });

    describe('GET /contacts/{id}/activities', () => {
      it('pages newest first with opaque cursors, ties broken by id, and null at the end', async () => {
        const contact = await createContact();
        const base = Date.parse('2024-03-01T12:00:00.000Z');
        // 45 activities, three sharing each timestamp, so the keyset needs the id.
        const batch = Array.from({ length: 45 }, (_, i) =>
          emailActivity(contact.id, {
            occurredAt: new Date(base + Math.floor(i / 3) * 60_000).toISOString(),
          }),
        );
        expect((await api('POST', '/activities', { activities: batch })).status).toBe(201);

        const seen: string[] = [];
        const pageSizes: number[] = [];
        let cursor: string | null = null;
        do {
          const query: string = cursor ? `?limit=20&cursor=${encodeURIComponent(cursor)}` : '?limit=20';
          const res = await api('GET', `/contacts/${contact.id}/activities${query}`);
          expect(res.status).toBe(200);
          const page = ActivityPage.parse(res.json);
          pageSizes.push(page.activities.length);
          seen.push(...page.activities.map((a) => `${a.occurredAt}|${a.id}`));
          cursor = page.nextCursor;
        } while (cursor);
        expect(pageSizes).toEqual([20, 20, 5]);
        expect(new Set(seen).size).toBe(45);
        expect([...seen].sort().reverse()).toEqual(seen);
      });

      it('defaults to 20 per page and rejects bad limits and cursors with 400', async () => {
        const res = await api('GET', `/contacts/${SEED.contacts.primary.id}/activities`);
        expect(res.json.activities).toHaveLength(20);
        expect(res.json.nextCursor).toEqual(expect.any(String));
        expect((await api('GET', `/contacts/${SEED.contacts.primary.id}/activities?limit=101`)).status).toBe(
          400,
        );
        expect(
          (await api('GET', `/contacts/${SEED.contacts.primary.id}/activities?cursor=garbage`)).status,
        ).toBe(400);
      });

      it('answers 404 for an unknown contact', async () => {
        expect((await api('GET', '/contacts/con_nope/activities')).status).toBe(404);
      });
    });

    describe('POST /activities', () => {
      it('is idempotent on (externalId, contactId): 201 created, then 200 existing with the same ids', async () => {
        const contact = await createContact();
        const other = await createContact();
        const externalId = uniqueExternalId();
        // One message, two contacts: two activities sharing the Message-ID.
        const batch = [emailActivity(contact.id, { externalId }), emailActivity(other.id, { externalId })];
        const first = await api('POST', '/activities', { activities: batch });
        expect(first.status).toBe(201);
        expect(first.json.results.map((r: { status: string }) => r.status)).toEqual(['created', 'created']);
        const again = await api('POST', '/activities', { activities: batch });
        expect(again.status).toBe(200);
        expect(again.json.results.map((r: { status: string }) => r.status)).toEqual(['existing', 'existing']);
        expect(again.json.results.map((r: { id: string }) => r.id)).toEqual(
          first.json.results.map((r: { id: string }) => r.id),
        );
      });

      it('creates exactly one row for 50 concurrent identical posts', async () => {
        const contact = await createContact();
        const activity = emailActivity(contact.id);
        const responses = await Promise.all(
          Array.from({ length: 50 }, () => api('POST', '/activities', { activities: [activity] })),
        );
        const results = responses.map((r) => r.json.results[0]);
        expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
        expect(new Set(results.map((r) => r.id)).size).toBe(1);
        expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
        const stored = await api('GET', `/activities?externalId=${encodeURIComponent(activity.externalId)}`);
        expect(stored.json.activities).toHaveLength(1);
      });

      it('reports an unknown contactId per item without failing the batch', async () => {
        const contact = await createContact();
        const good = emailActivity(contact.id);
        const bad = emailActivity('con_missing');
        const res = await api('POST', '/activities', { activities: [good, bad] });
        expect(res.status).toBe(201);
        expect(res.json.results[0]).toMatchObject({ status: 'created', externalId: good.externalId });
        expect(res.json.results[1]).toMatchObject({ status: 'error', contactId: 'con_missing' });
        expect(res.json.results[1].message).toEqual(expect.any(String));
      });

      it('keeps the first log of a Message-ID when another rep logs it with other content', async () => {
        const contact = await createContact();
        const first = emailActivity(contact.id, { subject: 'Pricing', snippet: 'The figures you asked for' });
        const created = await api('POST', '/activities', { activities: [first] });
        expect(created.status).toBe(201);
        const colleague = crmTestClient(crm.url, SEED.colleague.token);
        const second = await colleague('POST', '/activities', {
          activities: [{ ...first, subject: 'Something else', snippet: 'Rewritten', direction: 'outgoing' }],
        });
        expect(second.status).toBe(200);
        expect(second.json.results[0]).toMatchObject({ status: 'existing', id: created.json.results[0].id });
        const stored = await api('GET', `/activities?externalId=${encodeURIComponent(first.externalId)}`);
        expect(stored.json.activities).toHaveLength(1);
        expect(stored.json.activities[0]).toMatchObject({
          subject: 'Pricing',
          snippet: 'The figures you asked for',
          direction: 'incoming',
          loggedBy: SEED.demoUser.id,
        });
      });

      it('treats a key repeated inside one batch as one activity', async () => {
        const contact = await createContact();
        const activity = emailActivity(contact.id);
        const res = await api('POST', '/activities', { activities: [activity, activity] });
        expect(res.json.results.map((r: { status: string }) => r.status)).toEqual(['created', 'existing']);
        expect(res.json.results[0].id).toBe(res.json.results[1].id);
      });

      it('rejects 101 items with 413 and a malformed item with 400 and its path', async () => {
        const contact = await createContact();
        const tooMany = Array.from({ length: 101 }, () => emailActivity(contact.id));
        expect((await api('POST', '/activities', { activities: tooMany })).status).toBe(413);
        const bad = await api('POST', '/activities', {
          activities: [emailActivity(contact.id, { externalId: '<Not-Normalised@x>' })],
        });
        expect(bad.status).toBe(400);
        expect(bad.json.error.details[0].path).toEqual(['activities', '0', 'externalId']);
        expect((await api('POST', '/activities', { activities: [] })).status).toBe(400);
      });

      it('stores and returns every field', async () => {
        const contact = await createContact();
        const input = emailActivity(contact.id, {
          direction: 'outgoing',
          body: 'Full text',
          cc: [{ name: 'Cc Person', address: 'cc@example.com' }],
          hasAttachments: true,
          threadId: 'thread-42',
          source: 'outlook',
          occurredAt: '2024-05-06T07:08:09.123+02:00',
        });
        await api('POST', '/activities', { activities: [input] });
        const [stored] = (await api('GET', `/contacts/${contact.id}/activities`)).json.activities;
        expect(EmailActivity.parse(stored)).toMatchObject({
          ...input,
          occurredAt: '2024-05-06T05:08:09.123Z',
          loggedBy: SEED.demoUser.id,
          loggedByName: SEED.demoUser.name,
        });
      });
    });

    describe('GET /activities?externalId=', () => {
      it('finds activities across users, with who logged them', async () => {
        const seeded = await api(
          'GET',
          `/activities?externalId=${encodeURIComponent(SEED.colleagueLoggedExternalId)}`,
        );
        expect(seeded.json.activities).toHaveLength(1);
        expect(seeded.json.activities[0]).toMatchObject({
          loggedBy: SEED.colleague.id,
          loggedByName: SEED.colleague.name,
          contactId: SEED.contacts.primary.id,
        });

        const contact = await createContact();
        const activity = emailActivity(contact.id);
        await crmTestClient(crm.url, SEED.colleague.token)('POST', '/activities', { activities: [activity] });
        // The raw header form is normalised by the server.
        const raw = `<${activity.externalId.toUpperCase()}>`;
        const res = await api('GET', `/activities?externalId=${encodeURIComponent(raw)}`);
        expect(res.status).toBe(200);
        expect(res.json.activities).toHaveLength(1);
        expect(res.json.activities[0].loggedBy).toBe(SEED.colleague.id);
        expect(res.json.activities[0].loggedByName).toBe(SEED.colleague.name);
      });

      it('returns an empty list for an unknown Message-ID and 400 without one', async () => {
        expect((await api('GET', `/activities?externalId=${uniqueExternalId()}`)).json).toEqual({
          activities: [],
        });
        expect((await api('GET', '/activities')).status).toBe(400);
      });
    });

    describe('DELETE and PATCH /activities/{id}', () => {
      const rep = () => crmTestClient(crm.url, SEED.colleague.token);
      async function logOne(client = api, overrides: Parameters<typeof emailActivity>[1] = {}) {
        const contact = await createContact();
        const res = await client('POST', '/activities', {
          activities: [emailActivity(contact.id, { body: 'The full text', ...overrides })],
        });
        expect(res.status).toBe(201);
        return { contact, id: res.json.results[0].id as string };
      }

      it('removes an activity once; a repeat is 404 activity_not_found, and the email is gone', async () => {
        const { contact, id } = await logOne();
        const removed = await api('DELETE', `/activities/${id}`);
        expect(removed.status).toBe(200);
        expect(removed.json.status).toBe('removed');
        expect(EmailActivity.parse(removed.json.activity)).toMatchObject({ id, contactId: contact.id });
        const again = await api('DELETE', `/activities/${id}`);
        expect(again.status).toBe(404);
        expect(again.json.error.code).toBe('activity_not_found');
        expect(again.json.error.message).toContain('removed');
        const page = await api('GET', `/contacts/${contact.id}/activities`);
        expect(page.json.activities).toEqual([]);
      });

      it('moves to a deal and off it, and to another contact, answering unchanged on a repeat', async () => {
        const { contact, id } = await logOne();
        const toDeal = await api('PATCH', `/activities/${id}`, { dealId: 'deal_seed_001' });
        expect(toDeal.status).toBe(200);
        expect(toDeal.json).toMatchObject({ status: 'changed', activity: { id, dealId: 'deal_seed_001' } });
        expect((await api('PATCH', `/activities/${id}`, { dealId: 'deal_seed_001' })).json.status).toBe(
          'unchanged',
        );
        expect((await api('PATCH', `/activities/${id}`, { dealId: null })).json.activity.dealId).toBeNull();

        const other = await createContact();
        const moved = await api('PATCH', `/activities/${id}`, { contactId: other.id });
        expect(moved.json).toMatchObject({ status: 'changed', activity: { id, contactId: other.id } });
        expect((await api('GET', `/contacts/${contact.id}/activities`)).json.activities).toEqual([]);
        expect((await api('PATCH', `/activities/${id}`, { contactId: other.id })).json.status).toBe(
          'unchanged',
        );
      });

      it("a move to a contact that already has the email leaves one activity, that contact's", async () => {
        const a = await createContact();
        const b = await createContact();
        const externalId = uniqueExternalId();
        const logged = await api('POST', '/activities', {
          activities: [emailActivity(a.id, { externalId }), emailActivity(b.id, { externalId })],
        });
        const [idA, idB] = logged.json.results.map((r: { id: string }) => r.id);
        const moved = await api('PATCH', `/activities/${idA}`, { contactId: b.id });
        expect(moved.json).toMatchObject({ status: 'changed', activity: { id: idB, contactId: b.id } });
        const stored = await api('GET', `/activities?externalId=${encodeURIComponent(externalId)}`);
        expect(stored.json.activities.map((x: { id: string }) => x.id)).toEqual([idB]);
      });

      it('redacts to who and when: subject, snippet and body emptied, the rest kept; a repeat is unchanged', async () => {
        const { id } = await logOne();
        const redacted = await api('PATCH', `/activities/${id}`, { privacy: 'metadata' });
        expect(redacted.status).toBe(200);
        const activity = EmailActivity.parse(redacted.json.activity);
        expect(redacted.json.status).toBe('changed');
        expect(activity).toMatchObject({ subject: '', snippet: '', direction: 'incoming' });
        expect(activity.body).toBeUndefined();
        expect(activity.to).toEqual([
          { name: 'Dana Whitfield', address: 'dana.whitfield@northwind-trading.com' },
        ]);
        expect((await api('PATCH', `/activities/${id}`, { privacy: 'metadata' })).json.status).toBe(
          'unchanged',
        );
      });

      it('lets only the rep who logged it, or an admin, change it: 403 names who logged it', async () => {
        const mine = await logOne(rep());
        const adminsOwn = await logOne(api);
        const refused = await rep()('DELETE', `/activities/${adminsOwn.id}`);
        expect(refused.status).toBe(403);
        expect(refused.json.error.code).toBe('forbidden');
        expect(refused.json.error.message).toContain(SEED.demoUser.name);
        expect(refused.json.error.message).toContain(SEED.colleague.email);
        expect(refused.json.error.details).toEqual({ loggedBy: SEED.demoUser.id });
        expect((await rep()('PATCH', `/activities/${adminsOwn.id}`, { privacy: 'metadata' })).status).toBe(
          403,
        );
        expect((await rep()('PATCH', `/activities/${mine.id}`, { privacy: 'metadata' })).status).toBe(200);
        // The admin may change anyone's.
        expect((await api('DELETE', `/activities/${mine.id}`)).status).toBe(200);
      });

      it('refuses unknown ids (404), unknown targets (400 unknown_reference) and empty or unknown changes (400)', async () => {
        const missing = await api('PATCH', '/activities/act_missing', { dealId: null });
        expect(missing.status).toBe(404);
        expect(missing.json.error.code).toBe('activity_not_found');
        const { id } = await logOne();
        const unknown = await api('PATCH', `/activities/${id}`, {
          dealId: 'deal_nope',
          contactId: 'con_nope',
        });
        expect(unknown.status).toBe(400);
        expect(unknown.json.error.code).toBe('unknown_reference');
        expect(unknown.json.error.details.map((i: { path: string[] }) => i.path.join('.'))).toEqual([
          'contactId',
          'dealId',
        ]);
        for (const body of [{}, { subject: 'x' }, { privacy: 'snippet' }]) {
          const bad = await api('PATCH', `/activities/${id}`, body);
          expect(bad.status).toBe(400);
          expect(bad.json.error.code).toBe('invalid_request');
        }
      });
    });

    describe('POST /tasks', () => {
      it('is idempotent on (sourceExternalId, contactId, title)', async () => {
        const contact = await createContact();
        const task = {
          contactId: contact.id,
          title: 'Send the proposal',
          sourceExternalId: uniqueExternalId(),
          dueAt: '2030-01-02T09:00:00.000Z',
          priority: 'high',
        };
        const first = await api('POST', '/tasks', task);
        expect(first.status).toBe(201);
        expect(first.json).toMatchObject({ status: 'created', task: { ...task, notes: null } });
        const again = await api('POST', '/tasks', task);
        expect(again.status).toBe(200);
        expect(again.json.status).toBe('existing');
        expect(again.json.task.id).toBe(first.json.task.id);
        const otherTitle = await api('POST', '/tasks', { ...task, title: 'Call back' });
        expect(otherTitle.status).toBe(201);
      });

      it('answers 404 for an unknown contact and 400 for a bad body', async () => {
        expect((await api('POST', '/tasks', { contactId: 'con_nope', title: 'x' })).status).toBe(404);
        const bad = await api('POST', '/tasks', {
          contactId: SEED.contacts.primary.id,
          title: '',
          priority: 'urgent',
        });
        expect(bad.status).toBe(400);
        expect(bad.json.error.details.length).toBe(2);
      });
    });

    describe('OpenAPI and logs', () => {
      it('serves the committed OpenAPI document', async () => {
        const res = await fetch(`${crm.url}/api/v1/openapi.json`);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual(JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')));
      });

      it('logs one JSON line per request with method, path, status and duration, never the token', () => {
        expect(logLines.length).toBeGreaterThan(50);
        for (const line of logLines) {
          expect(line).not.toContain(crm.token);
          expect(line).not.toContain(SEED.colleague.token);
          const entry = JSON.parse(line);
          expect(entry).toMatchObject({
            method: expect.any(String),
            path: expect.any(String),
            status: expect.any(Number),
            durationMs: expect.any(Number),
          });
        }
      });
    });
  });
}
