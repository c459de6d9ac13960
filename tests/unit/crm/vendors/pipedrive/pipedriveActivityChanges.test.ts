import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmConnector } from '../../../../../lib/crm/CrmConnector';
import type { EmailActivityInput } from '../../../../../lib/crm/contract';
import { createPipedriveCrmConnector } from '../../../../../lib/crm/vendors/pipedrive/PipedriveCrmConnector';
import { FakePipedriveApi, type FakePipedriveUser } from '../../../../fakes/FakePipedriveApi';

function email(contactId: string, overrides: Partial<EmailActivityInput> = {}): EmailActivityInput {
  return {
    type: 'email',
    externalId: `m-${Math.random().toString(16).slice(2)}@mail.example`,
    contactId,
    direction: 'outgoing',
    subject: 'Proposal',
    snippet: 'Here are the numbers',
    occurredAt: '2026-11-30T10:15:00.000Z',
    from: { name: 'Riley Rep', address: 'riley@ourco.example' },
    to: [{ name: 'Alice Moreau', address: 'alice@acme.example' }],
    cc: [],
    hasAttachments: false,
    source: 'gmail',
    ...overrides,
  };
}

describe('Pipedrive undo, move and redact against the strict fake', () => {
  let pipedrive: FakePipedriveApi;
  let rep: FakePipedriveUser;
  let connector: CrmConnector;
  let alice: string;
  let bob: string;

  beforeEach(async () => {
    pipedrive = new FakePipedriveApi({ burstLimit: 120 });
    await pipedrive.start();
    rep = pipedrive.addUser({ name: 'Riley Rep', email: 'riley@ourco.example' });
    connector = createPipedriveCrmConnector({ apiToken: rep.token, apiBase: pipedrive.url });
    alice = String(pipedrive.addPerson({ name: 'Alice Moreau', emails: ['alice@acme.example'] }).id);
    bob = String(pipedrive.addPerson({ name: 'Bob Stone', emails: ['bob@acme.example'] }).id);
  });
  afterEach(() => pipedrive.stop());

  async function logged(contactId = alice) {
    const input = email(contactId);
    const [result] = (await connector.logActivities([input])).results;
    if (!result || result.status === 'error') throw new Error('not logged');
    return { id: result.id, externalId: input.externalId, contactId };
  }

  it('declares the three and removes an email once (a second remove is absent)', async () => {
    expect(connector.info.capabilities).toMatchObject({
      removeActivity: true,
      moveActivity: true,
      redactActivity: true,
    });
    const ref = await logged();
    expect(await connector.removeActivity(ref)).toEqual({ status: 'removed' });
    expect(await connector.removeActivity(ref)).toEqual({ status: 'absent' });
    expect((await connector.listContactActivities(alice)).activities).toEqual([]);
  });

  it('moves an email to a deal and off it, and says when nothing changed', async () => {
    const deal = pipedrive.addDeal({ title: 'Renewal', personId: Number(alice) });
    const ref = await logged();
    const moved = await connector.moveActivity(ref, { dealId: String(deal.id) });
    expect(moved).toEqual({ status: 'changed', activity: { ...ref, dealId: String(deal.id) } });
    expect((await connector.moveActivity(ref, { dealId: String(deal.id) })).status).toBe('unchanged');
    expect((await connector.moveActivity(ref, { dealId: null })).activity.dealId).toBeNull();
    await expect(connector.moveActivity({ ...ref, id: '999999' }, { dealId: null })).rejects.toMatchObject({
      kind: 'not_found',
    });
  });

  it('moves an email to another person: logged there once, gone from the first', async () => {
    const ref = await logged();
    const moved = await connector.moveActivity(ref, { contactId: bob });
    expect(moved.status).toBe('changed');
    expect(moved.activity.contactId).toBe(bob);
    expect((await connector.listContactActivities(alice)).activities).toEqual([]);
    const bobs = (await connector.listContactActivities(bob)).activities;
    expect(bobs.map((a) => [a.id, a.externalId, a.subject])).toEqual([
      [moved.activity.id, ref.externalId, 'Proposal'],
    ]);
    await expect(connector.moveActivity(moved.activity, { contactId: '424242' })).rejects.toMatchObject({
      kind: 'invalid_request',
    });
  });

  it('redacts to who and when: subject and text gone, participants and the once-only key kept', async () => {
    const ref = await logged();
    expect((await connector.redactActivity(ref)).status).toBe('changed');
    const [after] = (await connector.listContactActivities(alice)).activities;
    expect(after).toMatchObject({
      id: ref.id,
      externalId: ref.externalId,
      snippet: '',
      to: [{ address: 'alice@acme.example' }],
    });
    expect(after?.subject).toBe('');
    expect(pipedrive.requests.filter((r) => r.startsWith('PATCH'))).toHaveLength(1);
    expect((await connector.redactActivity(ref)).status).toBe('unchanged');
    // Logging the same email again finds the redacted one: still once.
    const [again] = (await connector.logActivities([email(alice, { externalId: ref.externalId })])).results;
    expect(again).toMatchObject({ status: 'existing', id: ref.id });
  });
});
