import { afterEach, describe, expect, it } from 'vitest';
import type { EmailActivityInput } from '../../../../../lib/crm/contract';
import { createSalesforceCrmConnector } from '../../../../../lib/crm/vendors/salesforce/SalesforceCrmConnector';
import {
  FakeSalesforceApi,
  type FakeSalesforceOptions,
  type FakeSalesforceUser,
} from '../../../../fakes/FakeSalesforceApi';

const KEY = 'CrmSidebar_Log_Key__c';

function activity(contactId: string, externalId: string): EmailActivityInput {
  return {
    type: 'email',
    externalId,
    contactId,
    direction: 'incoming',
    subject: 'Pricing',
    snippet: 'What would 50 seats cost?',
    occurredAt: '2026-11-30T10:00:00.000Z',
    from: { name: 'Jane Buyer', address: 'jane@acme.example' },
    to: [{ name: 'Riley Rep', address: 'riley@ourco.example' }],
    cc: [],
    hasAttachments: false,
    source: 'outlook',
  };
}

describe('Salesforce remove / move / redact against the strict fake', () => {
  let salesforce: FakeSalesforceApi;
  let rep: FakeSalesforceUser;
  afterEach(() => salesforce.stop());

  async function org(options: FakeSalesforceOptions) {
    salesforce = new FakeSalesforceApi(options);
    await salesforce.start();
    rep = salesforce.addUser({ name: 'Riley Rep', email: 'riley@ourco.example' });
    const acme = salesforce.add('Account', { Name: 'Acme', Website: 'acme.example' });
    const jane = salesforce.add('Contact', {
      LastName: 'Buyer',
      Email: 'jane@acme.example',
      AccountId: acme.Id,
    });
    const joe = salesforce.add('Contact', {
      LastName: 'Other',
      Email: 'joe@acme.example',
      AccountId: acme.Id,
    });
    const deal = salesforce.add('Opportunity', {
      Name: 'Acme 50 seats',
      StageName: 'Prospecting',
      AccountId: acme.Id,
    });
    const connector = createSalesforceCrmConnector({
      instanceUrl: salesforce.url,
      accessToken: rep.accessToken,
    });
    return { connector, jane, joe, deal };
  }
  async function logged(
    connector: ReturnType<typeof createSalesforceCrmConnector>,
    contactId: string,
    externalId: string,
  ) {
    const [result] = (await connector.logActivities([activity(contactId, externalId)])).results;
    if (result?.status !== 'created' && result?.status !== 'existing')
      throw new Error(JSON.stringify(result));
    return { id: result.id, externalId, contactId };
  }

  for (const keyField of [true, false]) {
    describe(`Enhanced Email${keyField ? ' with the log key field' : ' without the log key field'}`, () => {
      const options = keyField ? { externalIdFields: { EmailMessage: KEY } } : {};

      it('removes the email, and a repeat answers absent', async () => {
        const { connector, jane } = await org(options);
        const ref = await logged(connector, jane.Id, 'rm-1@mail.example');
        expect(await connector.removeActivity(ref)).toEqual({ status: 'removed' });
        expect(await connector.removeActivity(ref)).toEqual({ status: 'absent' });
        expect(salesforce.records.EmailMessage.size).toBe(0);
        expect(salesforce.records.EmailMessageRelation.size).toBe(0);
        expect(await connector.activitiesForMessage(ref.externalId)).toEqual([]);
      });

      it('removes only this contact’s relation when another contact shares the email', async () => {
        const { connector, jane, joe } = await org(options);
        const ref = await logged(connector, jane.Id, 'shared@mail.example');
        salesforce.add('EmailMessageRelation', {
          EmailMessageId: ref.id,
          RelationId: joe.Id,
          RelationType: 'ToAddress',
          RelationAddress: 'joe@acme.example',
        });
        expect(await connector.removeActivity(ref)).toEqual({ status: 'removed' });
        const left = await connector.activitiesForMessage(ref.externalId);
        expect(left.map((a) => a.contactId)).toEqual([joe.Id]);
        expect(salesforce.records.EmailMessage.has(ref.id)).toBe(true);
      });

      it('moves to another contact (relation written anew), a repeat is unchanged', async () => {
        const { connector, jane, joe } = await org(options);
        const ref = await logged(connector, jane.Id, 'mv-1@mail.example');
        const moved = await connector.moveActivity(ref, { contactId: joe.Id });
        expect(moved).toMatchObject({ status: 'changed', activity: { id: ref.id, contactId: joe.Id } });
        const again = await connector.moveActivity(moved.activity, { contactId: joe.Id });
        expect(again.status).toBe('unchanged');
        const now = await connector.activitiesForMessage(ref.externalId);
        expect(now.map((a) => a.contactId)).toEqual([joe.Id]);
        const relation = [...salesforce.records.EmailMessageRelation.values()][0];
        expect(relation?.RelationAddress).toBe('joe@acme.example');
        if (keyField)
          expect(salesforce.records.EmailMessage.get(ref.id)?.[KEY]).toBe(`${joe.Id}|mv-1@mail.example`);
        // Logging it to Joe again finds the moved email, not a new one.
        expect((await connector.logActivities([activity(joe.Id, ref.externalId)])).results[0]?.status).toBe(
          'existing',
        );
      });

      it('moving onto a contact that already has the email drops the source', async () => {
        const { connector, jane, joe } = await org(options);
        const ref = await logged(connector, jane.Id, 'both@mail.example');
        const joes = await logged(connector, joe.Id, 'both@mail.example');
        const moved = await connector.moveActivity(ref, { contactId: joe.Id });
        expect(moved).toMatchObject({ status: 'changed', activity: { id: joes.id, contactId: joe.Id } });
        expect((await connector.activitiesForMessage(ref.externalId)).map((a) => a.contactId)).toEqual([
          joe.Id,
        ]);
      });

      it('moves to a deal by writing the sent email again (RelatedToId is not updateable), then clears it', async () => {
        const { connector, jane, deal } = await org(options);
        const ref = await logged(connector, jane.Id, 'deal@mail.example');
        const moved = await connector.moveActivity(ref, { dealId: deal.Id });
        expect(moved).toMatchObject({ status: 'changed', activity: { contactId: jane.Id, dealId: deal.Id } });
        expect(moved.activity.id).not.toBe(ref.id);
        expect(salesforce.records.EmailMessage.size).toBe(1);
        expect(salesforce.records.EmailMessage.get(moved.activity.id)?.Subject).toBe('Pricing');
        // The old ref still finds the copy (by Message-ID and contact).
        expect((await connector.moveActivity(ref, { dealId: deal.Id })).status).toBe('unchanged');
        const cleared = await connector.moveActivity(moved.activity, { dealId: null });
        expect(cleared).toMatchObject({ status: 'changed', activity: { dealId: null } });
        if (keyField)
          expect(salesforce.records.EmailMessage.get(cleared.activity.id)?.[KEY]).toBe(
            `${jane.Id}|deal@mail.example`,
          );
        expect((await connector.logActivities([activity(jane.Id, ref.externalId)])).results[0]?.status).toBe(
          'existing',
        );
      });

      it('redacts to who and when; a repeat is unchanged; not_found once removed', async () => {
        const { connector, jane } = await org(options);
        const ref = await logged(connector, jane.Id, 'rd@mail.example');
        const first = await connector.redactActivity(ref);
        expect(first.status).toBe('changed');
        expect((await connector.redactActivity(ref)).status).toBe('unchanged');
        const [stored] = await connector.activitiesForMessage(ref.externalId);
        expect(stored).toMatchObject({ subject: '', snippet: '', contactId: jane.Id, direction: 'incoming' });
        expect(stored?.from.address).toBe('jane@acme.example');
        expect(stored?.occurredAt).toBe('2026-11-30T10:00:00.000Z');
        await connector.removeActivity(ref);
        await expect(connector.redactActivity(ref)).rejects.toMatchObject({ kind: 'not_found', status: 404 });
        await expect(connector.moveActivity(ref, { contactId: jane.Id })).rejects.toMatchObject({
          kind: 'not_found',
        });
      });
    });
  }

  it('refuses a sent EmailMessage field update as Salesforce does (the reason for the rewrite)', async () => {
    const { connector, jane } = await org({});
    const ref = await logged(connector, jane.Id, 'ro@mail.example');
    const response = await fetch(`${salesforce.url}/services/data/v62.0/sobjects/EmailMessage/${ref.id}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${rep.accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ Subject: '' }),
    });
    expect(response.status).toBe(400);
    expect((await response.json())[0]).toMatchObject({ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE' });
  });

  it('maps a sharing refusal to activity_not_yours, and an unknown target to invalid_request', async () => {
    const { connector, jane } = await org({});
    const ref = await logged(connector, jane.Id, 'theirs@mail.example');
    salesforce.restrictChanges(ref.id);
    await expect(connector.removeActivity(ref)).rejects.toMatchObject({
      kind: 'auth',
      status: 403,
      options: { code: 'activity_not_yours' },
    });
    await expect(connector.moveActivity(ref, { contactId: '003000000009999AAA' })).rejects.toMatchObject({
      kind: 'invalid_request',
    });
    await expect(connector.moveActivity(ref, { dealId: '006000000009999AAA' })).rejects.toMatchObject({
      kind: 'invalid_request',
    });
    salesforce.makeAdmin(rep);
    expect(await connector.removeActivity(ref)).toEqual({ status: 'removed' });
  });

  it('completed Tasks: remove, move (contact and deal) and redact by PATCH, idempotent', async () => {
    const { connector, jane, joe, deal } = await org({
      enhancedEmail: false,
      externalIdFields: { Task: KEY },
    });
    const ref = await logged(connector, jane.Id, 'task@mail.example');
    const toDeal = await connector.moveActivity(ref, { dealId: deal.Id });
    expect(toDeal).toMatchObject({ status: 'changed', activity: { id: ref.id, dealId: deal.Id } });
    expect((await connector.moveActivity(ref, { dealId: deal.Id })).status).toBe('unchanged');
    const toJoe = await connector.moveActivity(ref, { contactId: joe.Id });
    expect(toJoe).toMatchObject({ status: 'changed', activity: { id: ref.id, contactId: joe.Id } });
    expect(salesforce.records.Task.get(ref.id)?.[KEY]).toBe(`${joe.Id}|task@mail.example`);
    const onJoe = toJoe.activity;
    expect((await connector.redactActivity(onJoe)).status).toBe('changed');
    expect((await connector.redactActivity(onJoe)).status).toBe('unchanged');
    const [stored] = await connector.activitiesForMessage(ref.externalId);
    expect(stored).toMatchObject({
      subject: '',
      snippet: '',
      externalId: 'task@mail.example',
      direction: 'incoming',
      from: { name: 'Jane Buyer', address: 'jane@acme.example' },
      to: [{ name: '', address: 'riley@ourco.example' }],
    });
    expect(salesforce.records.Task.get(ref.id)?.Description).not.toContain('50 seats');
    expect(await connector.removeActivity(onJoe)).toEqual({ status: 'removed' });
    expect(await connector.removeActivity(onJoe)).toEqual({ status: 'absent' });
  });
});
