import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrmError } from '../../../../../lib/crm/CrmError';
import { createPipedriveCrmConnector } from '../../../../../lib/crm/vendors/pipedrive/PipedriveCrmConnector';
import { FakePipedriveApi, type FakePipedriveUser } from '../../../../fakes/FakePipedriveApi';

describe('Pipedrive alternate addresses against the strict fake', () => {
  let pipedrive: FakePipedriveApi;
  let rep: FakePipedriveUser;
  const connect = () => createPipedriveCrmConnector({ apiToken: rep.token, apiBase: pipedrive.url });

  beforeEach(async () => {
    pipedrive = new FakePipedriveApi({ burstLimit: 120 });
    await pipedrive.start();
    rep = pipedrive.addUser({ name: 'Riley Rep', email: 'riley@ourco.example' });
  });
  afterEach(() => pipedrive.stop());

  it("adds an address to the person's emails, primary untouched, and the lookup finds the person by it", async () => {
    const alice = pipedrive.addPerson({ name: 'Alice Moreau', emails: ['alice@acme.example'] });
    const connector = connect();
    expect(connector.info.capabilities.addAlternateEmail).toBe(true);
    const contact = await connector.addContactEmail!(String(alice.id), 'A.Moreau@Acme-Group.example');
    expect(contact.emails).toEqual(['alice@acme.example', 'a.moreau@acme-group.example']);
    expect(pipedrive.requests).toContain(`PATCH /api/v2/persons/${alice.id}`);
    const found = await connector.lookup({ emails: ['a.moreau@acme-group.example'] });
    expect(found.contacts.map((c) => c.id)).toEqual([String(alice.id)]);
    const patches = pipedrive.requests.filter((r) => r.startsWith('PATCH')).length;
    await connector.addContactEmail!(String(alice.id), 'a.moreau@acme-group.example');
    expect(pipedrive.requests.filter((r) => r.startsWith('PATCH')).length).toBe(patches);
  });

  it('removes it again (the undo), refuses the main address, and names the person already holding an address', async () => {
    const alice = pipedrive.addPerson({
      name: 'Alice Moreau',
      emails: ['alice@acme.example', 'alice@home.example'],
    });
    const bob = pipedrive.addPerson({ name: 'Bob Stone', emails: ['bob@acme.example'] });
    const connector = connect();
    expect((await connector.removeContactEmail!(String(alice.id), 'alice@home.example')).emails).toEqual([
      'alice@acme.example',
    ]);
    expect((await connector.lookup({ emails: ['alice@home.example'] })).contacts).toEqual([]);
    await expect(connector.removeContactEmail!(String(alice.id), 'alice@acme.example')).rejects.toMatchObject(
      {
        kind: 'invalid_request',
      },
    );
    const refused = await connector.addContactEmail!(String(alice.id), 'bob@acme.example').catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(CrmError);
    expect(((refused as CrmError).options.details as { contact: { id: string } }).contact.id).toBe(
      String(bob.id),
    );
    await expect(connector.addContactEmail!('424242', 'x@acme.example')).rejects.toMatchObject({
      kind: 'not_found',
    });
  });
});
