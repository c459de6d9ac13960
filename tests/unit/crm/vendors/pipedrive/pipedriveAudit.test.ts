import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggedContactsOf } from '../../../../../lib/audit/SyncAudit';
import { createPipedriveCrmConnector } from '../../../../../lib/crm/vendors/pipedrive/PipedriveCrmConnector';
import { FakePipedriveApi } from '../../../../fakes/FakePipedriveApi';

describe('the sync audit on Pipedrive (no account-wide search for a logged email)', () => {
  let pipedrive: FakePipedriveApi;
  beforeAll(async () => {
    pipedrive = new FakePipedriveApi({ burstLimit: 120 });
    await pipedrive.start();
  });
  afterAll(() => pipedrive.stop());

  it('asks per message for its contacts, and finds what a colleague logged; a message without contacts is not asked', async () => {
    const rep = pipedrive.addUser({ name: 'Riley Rep', email: 'riley@ourco.example' });
    const colleague = pipedrive.addUser({ name: 'Casey', email: 'casey@ourco.example' });
    const jane = pipedrive.addPerson({ name: 'Jane', emails: ['jane@acme.example'] });
    const ben = pipedrive.addPerson({ name: 'Ben', emails: ['ben@acme.example'] });
    const connect = (token: string) =>
      createPipedriveCrmConnector({ apiToken: token, apiBase: pipedrive.url });
    await connect(colleague.token).logActivities([
      {
        externalId: 'logged@mail.example',
        contactId: String(jane.id),
        direction: 'outgoing',
        subject: 'Hi',
        snippet: '',
        occurredAt: '2026-12-01T08:00:00.000Z',
        from: { name: 'Casey', address: 'casey@ourco.example' },
        to: [{ name: 'Jane', address: 'jane@acme.example' }],
        cc: [],
        hasAttachments: false,
        source: 'gmail',
      },
    ]);
    pipedrive.requests.length = 0;
    const held = await loggedContactsOf(connect(rep.token), [
      { externalId: 'logged@mail.example', contactIds: [String(jane.id), String(ben.id)] },
      { externalId: 'missing@mail.example', contactIds: [String(ben.id)] },
      { externalId: 'new-contact@mail.example', contactIds: [] },
    ]);
    expect([...held]).toEqual([['logged@mail.example', new Set([String(jane.id)])]]);
    // Two messages with contacts: their persons' activities, no account-wide question.
    expect(pipedrive.requests.filter((r) => r === 'GET /api/v2/activities')).toHaveLength(3);
  });
});
