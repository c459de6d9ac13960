import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrmError } from '../../lib/crm/CrmError';
import { Contact, ContactEmailsResponse, LookupResponse } from '../../lib/crm/contract';
import { createRestCrmConnector } from '../../lib/crm/vendors/rest/RestCrmConnector';
import { SEED } from '../../server/seed';
import { type CrmServerHandle, type CrmServerOptions, startCrmServer } from '../../server/startCrmServer';
import { crmTestClient, uniqueEmail } from './crmTestClient';
import { freshPgliteDataDir } from './freshPgliteDataDir';

/**
 * Alternate addresses on the reference CRM (docs/CRM-CONTRACT.md, "Alternate addresses"):
 * POST /contacts/{id}/emails and DELETE /contacts/{id}/emails/{email}, over raw HTTP and
 * through the `rest` connector, on PGlite and on Postgres when DATABASE_URL is set.
 */
function describeContactEmails(
  label: string,
  storage: () => Promise<CrmServerOptions> | CrmServerOptions,
  skip = false,
) {
  describe.skipIf(skip)(`alternate addresses on ${label}`, () => {
    let crm: CrmServerHandle;
    let api: ReturnType<typeof crmTestClient>;
    beforeAll(async () => {
      crm = await startCrmServer({ ...(await storage()), port: 0, log: () => undefined });
      api = crmTestClient(crm.url, crm.token);
    });
    afterAll(async () => {
      await crm?.close();
    });

    async function createContact(emails = [uniqueEmail()], name = 'Alice Moreau') {
      const res = await api('POST', '/contacts', { name, emails });
      expect(res.status).toBe(201);
      return Contact.parse(res.json);
    }

    it('adds an address after the others; lookups find the contact by it; a repeat changes nothing', async () => {
      const alice = await createContact();
      const other = uniqueEmail('alice.home');
      const added = await api('POST', `/contacts/${alice.id}/emails`, { email: `  ${other.toUpperCase()} ` });
      expect(added.status).toBe(200);
      expect(ContactEmailsResponse.parse(added.json).contact.emails).toEqual([alice.emails[0], other]);
      const again = await api('POST', `/contacts/${alice.id}/emails`, { email: other });
      expect(again.status).toBe(200);
      expect(again.json.contact.emails).toEqual([alice.emails[0], other]);
      const found = LookupResponse.parse((await api('POST', '/lookup', { emails: [other] })).json);
      expect(found.contacts.map((c) => c.id)).toEqual([alice.id]);
    });

    it('answers 409 with the contact holding the address, 404 for an unknown contact, 400 for a bad address', async () => {
      const alice = await createContact();
      const bob = await createContact([uniqueEmail('bob')], 'Bob Stone');
      const taken = await api('POST', `/contacts/${alice.id}/emails`, { email: bob.emails[0] });
      expect(taken.status).toBe(409);
      expect(taken.json.error.code).toBe('conflict');
      expect(Contact.parse(taken.json.error.details.contact).id).toBe(bob.id);
      const missing = await api('POST', '/contacts/con_nobody/emails', { email: uniqueEmail() });
      expect(missing.status).toBe(404);
      expect(missing.json.error.code).toBe('not_found');
      const bad = await api('POST', `/contacts/${alice.id}/emails`, { email: 'not an address' });
      expect(bad.status).toBe(400);
      expect(bad.json.error.code).toBe('invalid_request');
    });

    it('removes an alternate address (idempotent) and refuses the main one', async () => {
      const alice = await createContact();
      const other = uniqueEmail('alice.other');
      await api('POST', `/contacts/${alice.id}/emails`, { email: other });
      const removed = await api('DELETE', `/contacts/${alice.id}/emails/${encodeURIComponent(other)}`);
      expect(removed.status).toBe(200);
      expect(removed.json.contact.emails).toEqual(alice.emails);
      const again = await api('DELETE', `/contacts/${alice.id}/emails/${encodeURIComponent(other)}`);
      expect(again.status).toBe(200);
      expect((await api('POST', '/lookup', { emails: [other] })).json.contacts).toEqual([]);
      const main = await api(
        'DELETE',
        `/contacts/${alice.id}/emails/${encodeURIComponent(alice.emails[0]!)}`,
      );
      expect(main.status).toBe(400);
      expect(main.json.error.code).toBe('invalid_request');
      expect((await api('DELETE', `/contacts/con_nobody/emails/${encodeURIComponent(other)}`)).status).toBe(
        404,
      );
    });

    it('gives one owner when two contacts claim the same address at once', async () => {
      const [a, b] = await Promise.all([createContact(), createContact([uniqueEmail()], 'Alice Moreau')]);
      const address = uniqueEmail('shared');
      const answers = await Promise.all([
        api('POST', `/contacts/${a.id}/emails`, { email: address }),
        api('POST', `/contacts/${b.id}/emails`, { email: address }),
      ]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
      expect((await api('POST', '/lookup', { emails: [address] })).json.contacts).toHaveLength(1);
    });

    it('works through the rest connector, which words a taken address as a conflict with the contact', async () => {
      const connector = createRestCrmConnector({ baseUrl: crm.url, token: SEED.colleague.token });
      expect(connector.info.capabilities.addAlternateEmail).toBe(true);
      const alice = await createContact();
      const other = uniqueEmail('alice.mobile');
      expect((await connector.addContactEmail!(alice.id, other)).emails).toEqual([alice.emails[0], other]);
      expect((await connector.removeContactEmail!(alice.id, other)).emails).toEqual(alice.emails);
      const bob = await createContact([uniqueEmail('bob')], 'Bob Stone');
      const refused = await connector.addContactEmail!(alice.id, bob.emails[0]!).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(CrmError);
      expect((refused as CrmError).kind).toBe('conflict');
      expect(((refused as CrmError).options.details as { contact: Contact }).contact.id).toBe(bob.id);
    });
  });
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describeContactEmails('PGlite', async () => {
  const dataDir = await freshPgliteDataDir('crm-contact-emails');
  dirs.push(dataDir);
  return { dataDir };
});

const databaseUrl = process.env.DATABASE_URL;
describeContactEmails('Postgres (DATABASE_URL)', () => ({ databaseUrl }), !databaseUrl);
