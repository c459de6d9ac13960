import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmConnector } from '../../../../../lib/crm/CrmConnector';
import type { EmailActivityInput } from '../../../../../lib/crm/contract';
import { createHubSpotCrmConnector } from '../../../../../lib/crm/vendors/hubspot/HubSpotCrmConnector';
import { FakeHubSpotApi, type FakeHubSpotUser } from '../../../../fakes/FakeHubSpotApi';

function email(contactId: string): EmailActivityInput {
  return {
    type: 'email',
    externalId: `m-${Math.random().toString(16).slice(2)}@mail.example`,
    contactId,
    direction: 'outgoing',
    subject: 'Proposal',
    snippet: 'Here are the numbers',
    occurredAt: '2026-11-30T10:00:00.000Z',
    from: { name: 'Riley Rep', address: 'riley@ourco.example' },
    to: [{ name: 'Alice Moreau', address: 'alice@acme.example' }],
    cc: [],
    hasAttachments: false,
    source: 'gmail',
  };
}

describe('HubSpot undo and redact against the strict fake', () => {
  let hubspot: FakeHubSpotApi;
  let rep: FakeHubSpotUser;
  let connector: CrmConnector;
  let alice: string;

  beforeEach(async () => {
    hubspot = new FakeHubSpotApi();
    await hubspot.start();
    rep = hubspot.addUser({ email: 'riley@ourco.example', firstName: 'Riley', lastName: 'Rep' });
    connector = createHubSpotCrmConnector({
      accessToken: rep.token,
      repEmail: rep.email,
      apiBase: hubspot.url,
    });
    alice = hubspot.addObject('contacts', {
      email: 'alice@acme.example',
      firstname: 'Alice',
      lastname: 'Moreau',
    }).id;
  });
  afterEach(() => hubspot.stop());

  async function logged() {
    const input = email(alice);
    const [result] = (await connector.logActivities([input])).results;
    if (!result || result.status === 'error') throw new Error('not logged');
    return { id: result.id, externalId: input.externalId, contactId: alice };
  }

  it('declares remove, move and redact, and archives an email once', async () => {
    expect(connector.info.capabilities).toMatchObject({
      removeActivity: true,
      redactActivity: true,
      moveActivity: true,
    });
    const ref = await logged();
    expect(await connector.removeActivity(ref)).toEqual({ status: 'removed' });
    expect(hubspot.requests).toContain(`DELETE /crm/v3/objects/emails/${ref.id}`);
    expect(await connector.removeActivity(ref)).toEqual({ status: 'absent' });
    expect(await connector.activitiesForMessage(ref.externalId, { contactIds: [alice] })).toEqual([]);
    await expect(connector.moveActivity(ref, { dealId: null })).rejects.toMatchObject({
      kind: 'not_found',
      status: 404,
    });
  });

  it('redacts to who and when, once; the email stays logged once', async () => {
    const ref = await logged();
    const redacted = await connector.redactActivity(ref);
    expect(redacted).toMatchObject({
      status: 'changed',
      activity: { id: ref.id, externalId: ref.externalId },
    });
    const [after] = await connector.activitiesForMessage(ref.externalId, { contactIds: [alice] });
    expect(after).toMatchObject({ subject: '', snippet: '', to: [{ address: 'alice@acme.example' }] });
    expect((await connector.redactActivity(ref)).status).toBe('unchanged');
    const [again] = (await connector.logActivities([{ ...email(alice), externalId: ref.externalId }]))
      .results;
    expect(again).toMatchObject({ status: 'existing', id: ref.id });
    await expect(connector.redactActivity({ ...ref, id: '987654321' })).rejects.toMatchObject({
      kind: 'not_found',
    });
  });

  it('moves to a deal through the v4 associations, a repeat is unchanged, null clears it', async () => {
    const ref = await logged();
    const deal = hubspot.addObject('deals', { dealname: 'Acme renewal' }).id;
    const other = hubspot.addObject('deals', { dealname: 'Acme upsell' }).id;
    const moved = await connector.moveActivity(ref, { dealId: deal });
    expect(moved).toMatchObject({
      status: 'changed',
      activity: { id: ref.id, contactId: alice, dealId: deal },
    });
    expect(hubspot.requests).toContain(
      `PUT /crm/v4/objects/emails/${ref.id}/associations/default/deals/${deal}`,
    );
    expect((await connector.moveActivity(ref, { dealId: deal })).status).toBe('unchanged');
    const switched = await connector.moveActivity(ref, { dealId: other });
    expect(switched.activity.dealId).toBe(other);
    expect(hubspot.requests).toContain(`DELETE /crm/v4/objects/emails/${ref.id}/associations/deals/${deal}`);
    const cleared = await connector.moveActivity(ref, { dealId: null });
    expect(cleared).toMatchObject({ status: 'changed', activity: { dealId: null } });
    expect((await connector.moveActivity(ref, { dealId: null })).status).toBe('unchanged');
    await expect(connector.moveActivity(ref, { dealId: '999999' })).rejects.toMatchObject({
      kind: 'invalid_request',
    });
  });

  it('moves to another contact: associations and log key follow; onto one who has it, the source goes', async () => {
    const ref = await logged();
    const bob = hubspot.addObject('contacts', { email: 'bob@acme.example', firstname: 'Bob' }).id;
    const moved = await connector.moveActivity(ref, { contactId: bob });
    expect(moved).toMatchObject({ status: 'changed', activity: { id: ref.id, contactId: bob } });
    expect(hubspot.requests).toContain(
      `DELETE /crm/v4/objects/emails/${ref.id}/associations/contacts/${alice}`,
    );
    expect(await connector.activitiesForMessage(ref.externalId, { contactIds: [alice] })).toEqual([]);
    const [onBob] = await connector.activitiesForMessage(ref.externalId, { contactIds: [bob] });
    expect(onBob).toMatchObject({ id: ref.id, contactId: bob });
    expect((await connector.moveActivity(moved.activity, { contactId: bob })).status).toBe('unchanged');
    // Logged to Alice again, then moved onto Bob who has it: Alice's copy is archived.
    const [again] = (await connector.logActivities([{ ...email(alice), externalId: ref.externalId }]))
      .results;
    if (!again || again.status === 'error') throw new Error('not logged');
    const merged = await connector.moveActivity(
      { id: again.id, externalId: ref.externalId, contactId: alice },
      { contactId: bob },
    );
    expect(merged).toMatchObject({ status: 'changed', activity: { id: ref.id, contactId: bob } });
    expect(hubspot.requests).toContain(`DELETE /crm/v3/objects/emails/${again.id}`);
    await expect(connector.moveActivity(ref, { contactId: '424242' })).rejects.toMatchObject({
      kind: 'invalid_request',
    });
  });

  it('a token without the email write scope is refused with auth (403), nothing changed', async () => {
    const ref = await logged();
    const deal = hubspot.addObject('deals', { dealname: 'Acme renewal' }).id;
    const reader = hubspot.addUser({
      email: 'casey@ourco.example',
      scopes: [
        'crm.objects.contacts.read',
        'crm.objects.deals.read',
        'crm.objects.emails.read',
        'crm.objects.owners.read',
      ],
    });
    const readOnly = createHubSpotCrmConnector({
      accessToken: reader.token,
      repEmail: reader.email,
      apiBase: hubspot.url,
    });
    await expect(readOnly.moveActivity(ref, { dealId: deal })).rejects.toMatchObject({
      kind: 'auth',
      status: 403,
    });
    expect((await connector.moveActivity(ref, { dealId: null })).status).toBe('unchanged');
  });
});
