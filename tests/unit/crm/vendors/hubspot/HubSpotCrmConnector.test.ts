import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrmError } from '../../../../../lib/crm/CrmError';
import type { EmailActivityInput } from '../../../../../lib/crm/contract';
import {
  createHubSpotCrmConnector,
  HUBSPOT_PROPERTIES,
  SEARCH_ANSWER_TTL_MS,
  SEARCHES_PER_SECOND,
} from '../../../../../lib/crm/vendors/hubspot/HubSpotCrmConnector';
import { FakeHubSpotApi, type FakeHubSpotUser, HUBSPOT_FULL_SCOPES } from '../../../../fakes/FakeHubSpotApi';

function activity(contactId: string, overrides: Partial<EmailActivityInput> = {}): EmailActivityInput {
  return {
    type: 'email',
    externalId: `m-${Math.random().toString(16).slice(2)}@mail.example`,
    contactId,
    direction: 'outgoing',
    subject: 'Proposal',
    snippet: 'Here it is',
    occurredAt: '2026-11-30T10:00:00.000Z',
    from: { name: 'Riley Rep', address: 'riley@ourco.example' },
    to: [{ name: 'Jane Buyer', address: 'jane@acme.example' }],
    cc: [],
    hasAttachments: false,
    source: 'gmail',
    ...overrides,
  };
}

describe('HubSpot connector against the strict fake', () => {
  let hubspot: FakeHubSpotApi;
  let rep: FakeHubSpotUser;
  const connect = (user = rep) =>
    createHubSpotCrmConnector({ accessToken: user.token, repEmail: user.email, apiBase: hubspot.url });

  beforeEach(async () => {
    hubspot = new FakeHubSpotApi();
    await hubspot.start();
    rep = hubspot.addUser({ email: 'riley@ourco.example', firstName: 'Riley', lastName: 'Rep' });
  });
  afterEach(() => hubspot.stop());

  it('finds the rep as a HubSpot owner and links records into the HubSpot UI', async () => {
    const connector = connect();
    const me = await connector.whoami();
    expect(me.user).toEqual({ id: rep.ownerId, name: 'Riley Rep', email: 'riley@ourco.example' });
    expect(connector.recordUrl({ kind: 'contact', id: '42' })).toBe(
      `https://app-eu1.hubspot.com/contacts/${hubspot.portalId}/record/0-1/42`,
    );
    const stranger = createHubSpotCrmConnector({
      accessToken: rep.token,
      repEmail: 'nobody@ourco.example',
      apiBase: hubspot.url,
    });
    await expect(stranger.whoami()).rejects.toMatchObject({
      kind: 'auth',
      message: expect.stringMatching(/No HubSpot user/),
    });
  });

  it('looks a thread up in one batch read plus one search per five alternate addresses, and companies by domain', async () => {
    const acme = hubspot.addObject('companies', { name: 'Acme', domain: 'acme.example' });
    const jane = hubspot.addObject(
      'contacts',
      {
        email: 'jane@acme.example',
        firstname: 'Jane',
        lastname: 'Buyer',
        associatedcompanyid: acme.id,
        hubspot_owner_id: rep.ownerId,
      },
      { companies: [acme.id] },
    );
    const ben = hubspot.addObject('contacts', { email: 'ben@acme.example', firstname: 'Ben' });
    ben.properties.hs_additional_emails = 'ben.private@other.example;b@acme.example';
    const connector = connect();
    await connector.whoami();
    hubspot.requests.length = 0;
    const found = await connector.lookup({
      emails: [
        'JANE@acme.example',
        'ben.private@other.example',
        'x1@nowhere.example',
        'x2@nowhere.example',
        'x3@nowhere.example',
        'x4@nowhere.example',
      ],
      domains: ['acme.example'],
    });
    expect(found.contacts.map((c) => c.id).sort()).toEqual([jane.id, ben.id].sort());
    const janeCard = found.contacts.find((c) => c.id === jane.id)!;
    expect(janeCard).toMatchObject({ name: 'Jane Buyer', companyId: acme.id, ownerName: 'Riley Rep' });
    expect(found.contacts.find((c) => c.id === ben.id)?.emails).toEqual([
      'ben@acme.example',
      'ben.private@other.example',
      'b@acme.example',
    ]);
    expect(found.companies).toEqual([expect.objectContaining({ id: acme.id, domains: ['acme.example'] })]);
    const searches = hubspot.requests.filter((r) => r.endsWith('/search'));
    expect(searches).toEqual([
      'POST /crm/v3/objects/companies/search',
      'POST /crm/v3/objects/contacts/search',
    ]);
    expect(hubspot.requests.filter((r) => r.endsWith('/batch/read'))).toHaveLength(1);
  });

  it('asks "already logged?" for a thread\'s messages in one search, and reuses lookup search answers with fresh records', async () => {
    const acme = hubspot.addObject('companies', { name: 'Acme', domain: 'acme.example' });
    const jane = hubspot.addObject('contacts', { email: 'jane@acme.example', firstname: 'Jane' });
    const ben = hubspot.addObject('contacts', { email: 'ben@acme.example', firstname: 'Ben' });
    ben.properties.hs_additional_emails = 'ben.private@other.example';
    const connector = connect();
    const [a, b] = [activity(jane.id), activity(ben.id)];
    await connector.logActivities([a, b]);
    hubspot.requests.length = 0;
    const [forA, forB, forNone] = await Promise.all([
      connector.activitiesForMessage(a.externalId),
      connector.activitiesForMessage(b.externalId),
      connector.activitiesForMessage('never-logged@mail.example'),
    ]);
    expect(forA.map((x) => x.contactId)).toEqual([jane.id]);
    expect(forB.map((x) => x.contactId)).toEqual([ben.id]);
    expect(forNone).toEqual([]);
    expect(hubspot.requests.filter((r) => r.endsWith('/search'))).toEqual([
      'POST /crm/v3/objects/emails/search',
    ]);
    // As the panel asks (about the thread's contacts): one batch read on the log key, no search.
    hubspot.requests.length = 0;
    const scoped = await Promise.all([
      connector.activitiesForMessage(a.externalId, { contactIds: [jane.id, ben.id] }),
      connector.activitiesForMessage(b.externalId, { contactIds: [jane.id, ben.id] }),
    ]);
    expect(scoped.map((list) => list.map((x) => x.contactId))).toEqual([[jane.id], [ben.id]]);
    expect(hubspot.requests).toEqual(['POST /crm/v3/objects/emails/batch/read']);

    const thread = {
      emails: ['jane@acme.example', 'ben.private@other.example', 'x@nowhere.example'],
      domains: ['acme.example'],
    };
    await connector.lookup(thread);
    // A colleague renames the company and Ben in HubSpot; the same thread is opened again.
    acme.properties.name = 'Acme Robotics';
    ben.properties.firstname = 'Benjamin';
    hubspot.requests.length = 0;
    const again = await connector.lookup(thread);
    expect(hubspot.requests.filter((r) => r.endsWith('/search'))).toEqual([]);
    expect(again.companies.map((c) => c.name)).toEqual(['Acme Robotics']);
    expect(again.contacts.map((c) => c.name).sort()).toEqual(['Benjamin', 'Jane']);
    // After the reuse window the searches are asked again.
    expect(SEARCH_ANSWER_TTL_MS).toBe(5 * 60_000);
  });

  it('paces searches per token across connectors: never a 429 from its own bursts, waiting only past the limit', async () => {
    const jane = hubspot.addObject('contacts', { email: 'jane@acme.example' });
    const [one, two] = [connect(), connect()];
    await Promise.all([one.whoami(), two.whoami()]);
    await one.logActivities([activity(jane.id)]);
    hubspot.requests.length = 0;
    const started = Date.now();
    // Ten separate questions (far apart in time for the batcher): ten searches from one token.
    for (let i = 0; i < 5; i++) {
      await Promise.all([
        one.activitiesForMessage(`a-${i}@mail.example`),
        new Promise((r) => setTimeout(r, 20)).then(() => two.activitiesForMessage(`b-${i}@mail.example`)),
      ]);
    }
    const elapsed = Date.now() - started;
    expect(hubspot.requests.filter((r) => r.endsWith('/search'))).toHaveLength(10);
    expect(hubspot.counters.byStatus[429] ?? 0).toBe(0);
    // 10 searches at 4 a second need at least two full windows after the first four.
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(SEARCHES_PER_SECOND).toBe(4);
  });

  it('answers every property as a string, and the connector reads numbers and dates out of them', async () => {
    const jane = hubspot.addObject('contacts', { email: 'jane@acme.example', firstname: 'Jane' });
    hubspot.addObject(
      'deals',
      {
        dealname: 'Renewal',
        dealstage: 'contractsent',
        amount: '12500.50',
        deal_currency_code: 'EUR',
        hs_is_closed: 'false',
      },
      { contacts: [jane.id] },
    );
    hubspot.addObject(
      'deals',
      { dealname: 'Old', dealstage: 'closedwon', amount: '1', hs_is_closed: 'true' },
      { contacts: [jane.id] },
    );
    const raw = await fetch(`${hubspot.url}/crm/v3/objects/deals/batch/read`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${rep.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        properties: ['amount', 'closedate'],
        inputs: [...hubspot.objects.deals.keys()].map((id) => ({ id })),
      }),
    }).then((r) => r.json());
    expect(raw.results[0].properties.amount).toBe('12500.50');
    expect(raw.results[0].properties.closedate).toBeNull();
    const detail = await connect().getContact(jane.id);
    expect(detail.deals).toEqual([
      expect.objectContaining({ name: 'Renewal', amount: 12500.5, currency: 'EUR' }),
    ]);
  });

  it('logs an email once per (Message-ID, contact) with its owner, headers and associations', async () => {
    const acme = hubspot.addObject('companies', { name: 'Acme', domain: 'acme.example' });
    const jane = hubspot.addObject('contacts', { email: 'jane@acme.example' });
    const deal = hubspot.addObject('deals', { dealname: 'Renewal', dealstage: 'qualified' });
    const connector = connect();
    const one = activity(jane.id, { companyId: acme.id, dealId: deal.id });
    const [first, again] = [await connector.logActivities([one]), await connector.logActivities([one])];
    expect(first.results[0]?.status).toBe('created');
    expect(again.results[0]).toMatchObject({ status: 'existing', id: first.results[0]?.id });
    expect(hubspot.objects.emails.size).toBe(1);
    const email = [...hubspot.objects.emails.values()][0]!;
    expect(email.properties).toMatchObject({
      hs_email_direction: 'EMAIL',
      hs_email_subject: 'Proposal',
      hubspot_owner_id: rep.ownerId,
      [HUBSPOT_PROPERTIES.emailMessageId]: one.externalId,
    });
    // The documented header keys (from/to/cc/bcc) plus the Message-ID, in addition to the searchable property.
    expect(JSON.parse(email.properties.hs_email_headers!)).toEqual({
      from: { email: 'riley@ourco.example', firstName: 'Riley', lastName: 'Rep' },
      to: [{ email: 'jane@acme.example', firstName: 'Jane', lastName: 'Buyer' }],
      cc: [],
      bcc: [],
      messageId: one.externalId,
    });
    expect([...(email.associations.contacts ?? [])]).toEqual([jane.id]);
    expect([...(email.associations.companies ?? [])]).toEqual([acme.id]);
    expect([...(email.associations.deals ?? [])]).toEqual([deal.id]);
    expect(hubspot.properties.emails.get(HUBSPOT_PROPERTIES.emailLogKey)?.hasUniqueValue).toBe(true);
  });

  it('reads the Message-ID from hs_email_headers of an email another tool logged, and the fake refuses headers that are not JSON', async () => {
    const jane = hubspot.addObject('contacts', { email: 'jane@acme.example' });
    const other = hubspot.addObject(
      'emails',
      {
        hs_timestamp: '2026-11-29T09:00:00.000Z',
        hs_email_direction: 'INCOMING_EMAIL',
        hs_email_subject: 'Logged elsewhere',
        hs_email_headers: JSON.stringify({
          from: { email: 'jane@acme.example' },
          to: [{ email: 'riley@ourco.example' }],
          messageId: 'elsewhere-1@mail.acme.example',
        }),
      },
      { contacts: [jane.id] },
    );
    const page = await connect().listContactActivities(jane.id);
    expect(page.activities).toEqual([
      expect.objectContaining({ id: other.id, externalId: 'elsewhere-1@mail.acme.example' }),
    ]);
    const refused = await fetch(`${hubspot.url}/crm/v3/objects/emails`, {
      method: 'POST',
      headers: { authorization: `Bearer ${rep.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        properties: { hs_timestamp: '2026-11-29T09:00:00.000Z', hs_email_headers: 'jane@acme.example' },
      }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      category: 'VALIDATION_ERROR',
      message: expect.stringContaining('"error":"INVALID_JSON"'),
    });
  });

  it('relinks an email whose association write failed, on the retry', async () => {
    const jane = hubspot.addObject('contacts', { email: 'jane@acme.example' });
    const connector = connect();
    const one = activity(jane.id);
    hubspot.failNext('POST', '/associations/emails/contacts', 502);
    await expect(connector.logActivities([one])).rejects.toMatchObject({ kind: 'server', status: 502 });
    const email = [...hubspot.objects.emails.values()][0]!;
    expect(email.associations.contacts).toBeUndefined(); // created, but unlinked
    const retry = await connector.logActivities([one]);
    expect(retry.results[0]?.status).toBe('existing');
    expect([...(email.associations.contacts ?? [])]).toEqual([jane.id]);
    expect(hubspot.objects.emails.size).toBe(1);
  });

  it('says which scope is missing when the token cannot create its unique property', async () => {
    const limited = hubspot.addUser({
      email: 'pat@ourco.example',
      scopes: HUBSPOT_FULL_SCOPES.filter((s) => !s.startsWith('crm.schemas')),
    });
    const jane = hubspot.addObject('contacts', { email: 'jane@acme.example' });
    const error = await connect(limited)
      .logActivities([activity(jane.id)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({
      kind: 'auth',
      status: 403,
      message: expect.stringContaining('crm.schemas.custom.write'),
    });
    expect(hubspot.objects.emails.size).toBe(0);
  });

  it('turns a 429 into rate_limited with the wait its headers and policy ask for', async () => {
    hubspot.failNext('POST', '/batch/read', 429, 1, 'RATE_LIMITS');
    const error = await connect()
      .lookup({ emails: ['a@b.example'] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'rate_limited', retryable: true, retryAfterMs: 10_000 });
    // Six searches in a second from one token: the fake refuses the sixth, as HubSpot does.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${hubspot.url}/crm/v3/objects/contacts/search`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${rep.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ filterGroups: [] }),
      });
      statuses.push(res.status);
      if (res.status === 429)
        expect(await res.json()).toMatchObject({ errorType: 'RATE_LIMIT', policyName: 'SECONDLY' });
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('is refused what HubSpot refuses: 101 inputs, 6 filter groups, a read-only property, a wrong token', async () => {
    const post = (path: string, body: unknown, token = rep.token) =>
      fetch(`${hubspot.url}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const tooMany = await post('/crm/v3/objects/contacts/batch/read', {
      inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i) })),
    });
    expect(tooMany).toMatchObject({ status: 400, body: { status: 'error', category: 'VALIDATION_ERROR' } });
    expect(tooMany.body.correlationId).toEqual(expect.any(String));
    const groups = await post('/crm/v3/objects/contacts/search', {
      filterGroups: Array.from({ length: 6 }, () => ({ filters: [] })),
    });
    expect(groups.status).toBe(400);
    const readOnly = await post('/crm/v3/objects/contacts', {
      properties: { email: 'x@y.example', hs_additional_emails: 'z@y.example' },
    });
    expect(readOnly.status).toBe(400);
    expect((await post('/crm/v3/objects/contacts', { properties: {} }, 'wrong')).body.category).toBe(
      'INVALID_AUTHENTICATION',
    );
    await expect(
      connect().logActivities(Array.from({ length: 101 }, () => activity('1'))),
    ).rejects.toMatchObject({ kind: 'invalid_request' });
  });

  it('creates a contact with alternate addresses through the secondary-email endpoint, and reports a taken one as a conflict', async () => {
    const connector = connect();
    const created = await connector.createContact({
      name: 'Jane Q Buyer',
      emails: ['jane@acme.example', 'jq@home.example'],
      title: 'CFO',
    });
    expect(created).toMatchObject({
      name: 'Jane Q Buyer',
      title: 'CFO',
      emails: ['jane@acme.example', 'jq@home.example'],
    });
    expect(hubspot.requests).toContain(
      `PUT /contacts/v1/secondary-email/${created.id}/email/jq%40home.example`,
    );
    const error = await connector
      .createContact({ name: 'Again', emails: ['JQ@home.example'] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'conflict',
      options: { details: { contact: expect.objectContaining({ id: created.id }) } },
    });
  });

  it('creates a task once per (source message, contact, title), associated to the contact', async () => {
    const jane = hubspot.addObject('contacts', { email: 'jane@acme.example' });
    const connector = connect();
    const task = {
      contactId: jane.id,
      title: 'Call back',
      priority: 'high' as const,
      sourceExternalId: 'm1@mail.example',
    };
    const first = await connector.createTask(task);
    const again = await connector.createTask(task);
    expect([first.status, again.status]).toEqual(['created', 'existing']);
    expect(again.task.id).toBe(first.task.id);
    const stored = hubspot.objects.tasks.get(first.task.id)!;
    expect(stored.properties).toMatchObject({
      hs_task_subject: 'Call back',
      hs_task_priority: 'HIGH',
      hs_task_status: 'NOT_STARTED',
    });
    expect([...(stored.associations.contacts ?? [])]).toEqual([jane.id]);
  });
});
