import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrmError } from '../../../../../lib/crm/CrmError';
import { createHubSpotCrmConnector } from '../../../../../lib/crm/vendors/hubspot/HubSpotCrmConnector';
import { FakeHubSpotApi, type FakeHubSpotUser } from '../../../../fakes/FakeHubSpotApi';

describe('HubSpot alternate addresses against the strict fake', () => {
  let hubspot: FakeHubSpotApi;
  let rep: FakeHubSpotUser;
  const connect = () =>
    createHubSpotCrmConnector({ accessToken: rep.token, repEmail: rep.email, apiBase: hubspot.url });

  beforeEach(async () => {
    hubspot = new FakeHubSpotApi();
    await hubspot.start();
    rep = hubspot.addUser({ email: 'riley@ourco.example', firstName: 'Riley', lastName: 'Rep' });
  });
  afterEach(() => hubspot.stop());

  it('adds a secondary email through contacts v1, and the next lookup finds the contact by it', async () => {
    const alice = hubspot.addObject('contacts', {
      email: 'alice@acme.example',
      firstname: 'Alice',
      lastname: 'Moreau',
    });
    const connector = connect();
    expect(connector.info.capabilities.addAlternateEmail).toBe(true);
    // Asked once before: the connector must not answer the next lookup from that memory.
    expect((await connector.lookup({ emails: ['a.moreau@acme-group.example'] })).contacts).toEqual([]);
    const contact = await connector.addContactEmail!(alice.id, 'A.Moreau@Acme-Group.example');
    expect(contact.emails).toEqual(['alice@acme.example', 'a.moreau@acme-group.example']);
    expect(hubspot.requests).toContain(
      `PUT /contacts/v1/secondary-email/${alice.id}/email/a.moreau%40acme-group.example`,
    );
    const found = await connector.lookup({ emails: ['a.moreau@acme-group.example'] });
    expect(found.contacts.map((c) => c.id)).toEqual([alice.id]);
    // A repeat writes nothing.
    const before = hubspot.requests.filter((r) => r.startsWith('PUT')).length;
    await connector.addContactEmail!(alice.id, 'a.moreau@acme-group.example');
    expect(hubspot.requests.filter((r) => r.startsWith('PUT')).length).toBe(before);
  });

  it('removes it again (the undo), refuses the main address, and answers an unknown contact with not_found', async () => {
    const alice = hubspot.addObject('contacts', {
      email: 'alice@acme.example',
      firstname: 'Alice',
      lastname: 'Moreau',
      hs_additional_emails: 'a.moreau@acme-group.example',
    });
    const connector = connect();
    const contact = await connector.removeContactEmail!(alice.id, 'a.moreau@acme-group.example');
    expect(contact.emails).toEqual(['alice@acme.example']);
    expect(hubspot.requests).toContain(
      `DELETE /contacts/v1/secondary-email/${alice.id}/email/a.moreau%40acme-group.example`,
    );
    expect((await connector.lookup({ emails: ['a.moreau@acme-group.example'] })).contacts).toEqual([]);
    await expect(connector.removeContactEmail!(alice.id, 'alice@acme.example')).rejects.toMatchObject({
      kind: 'invalid_request',
    });
    await expect(connector.addContactEmail!('999999', 'x@acme.example')).rejects.toMatchObject({
      kind: 'not_found',
    });
  });

  it('answers an address another contact holds as a conflict naming that contact', async () => {
    const alice = hubspot.addObject('contacts', {
      email: 'alice@acme.example',
      firstname: 'Alice',
      lastname: 'Moreau',
    });
    const bob = hubspot.addObject('contacts', {
      email: 'bob@acme.example',
      firstname: 'Bob',
      lastname: 'Stone',
    });
    const refused = await connect().addContactEmail!(alice.id, 'bob@acme.example').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CrmError);
    expect(refused).toMatchObject({ kind: 'conflict' });
    expect(((refused as CrmError).options.details as { contact: { id: string } }).contact.id).toBe(bob.id);
  });
});
