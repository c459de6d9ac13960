import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmailActivityInput } from '../../../../../lib/crm/contract';
import {
  createSalesforceCrmConnector,
  soqlString,
} from '../../../../../lib/crm/vendors/salesforce/SalesforceCrmConnector';
import { normaliseMessageId } from '../../../../../lib/mail/normaliseMessageId';
import {
  FakeSalesforceApi,
  type FakeSalesforceOptions,
  type FakeSalesforceUser,
} from '../../../../fakes/FakeSalesforceApi';

function activity(contactId: string, overrides: Partial<EmailActivityInput> = {}): EmailActivityInput {
  return {
    type: 'email',
    externalId: `m-${Math.random().toString(16).slice(2)}@mail.example`,
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
    ...overrides,
  };
}

describe('Salesforce connector against the strict fake', () => {
  let salesforce: FakeSalesforceApi;
  let rep: FakeSalesforceUser;
  async function org(options: FakeSalesforceOptions = {}) {
    salesforce = new FakeSalesforceApi(options);
    await salesforce.start();
    rep = salesforce.addUser({ name: 'Riley Rep', email: 'riley@ourco.example' });
  }
  const connect = (extra: Partial<Parameters<typeof createSalesforceCrmConnector>[0]> = {}) =>
    createSalesforceCrmConnector({ instanceUrl: salesforce.url, accessToken: rep.accessToken, ...extra });

  beforeEach(() => org());
  afterEach(() => salesforce.stop());

  it('looks a thread up with one SOQL query each for contacts, leads and accounts, and links into Lightning', async () => {
    const acme = salesforce.add('Account', { Name: 'Acme', Website: 'https://www.acme.example/' });
    salesforce.add('Account', { Name: 'Not Acme', Website: 'notacme.example' });
    const jane = salesforce.add('Contact', {
      FirstName: 'Jane',
      LastName: 'Buyer',
      Email: 'Jane@Acme.example',
      AccountId: acme.Id,
      OwnerId: rep.id,
    });
    const lead = salesforce.add('Lead', {
      LastName: 'Prospect',
      Email: 'pat@newco.example',
      Company: 'NewCo',
      IsConverted: false,
    });
    const connector = connect();
    salesforce.requests.length = 0;
    const found = await connector.lookup({
      emails: ['JANE@acme.example', 'pat@newco.example'],
      domains: ['acme.example'],
    });
    expect(found.contacts.map((c) => c.id).sort()).toEqual([jane.Id, lead.Id].sort());
    expect(found.contacts.find((c) => c.id === jane.Id)).toMatchObject({
      name: 'Jane Buyer',
      companyId: acme.Id,
      ownerName: 'Riley Rep',
      url: `${salesforce.url}/lightning/r/Contact/${jane.Id}/view`,
    });
    expect(found.contacts.find((c) => c.id === lead.Id)?.url).toContain('/lightning/r/Lead/');
    expect(found.companies.map((c) => c.name)).toEqual(['Acme']);
    const queries = salesforce.requests.filter((r) => r.includes('/query'));
    expect(queries.map((q) => / FROM (\w+)/.exec(q)?.[1])).toEqual(['Contact', 'Lead', 'Account', 'User']);
  });

  it('reads every batch of a query answer through nextRecordsUrl', async () => {
    await salesforce.stop();
    await org({ queryBatchSize: 2 });
    const emails = ['a', 'b', 'c', 'd', 'e'].map((n) => `${n}@acme.example`);
    for (const [i, email] of emails.entries())
      salesforce.add('Contact', { FirstName: 'Person', LastName: `No${i}`, Email: email, OwnerId: rep.id });
    salesforce.requests.length = 0;
    const found = await connect().lookup({ emails, domains: [] });
    expect(found.contacts.flatMap((c) => c.emails).sort()).toEqual(emails);
    // 5 contacts in batches of 2: the first answer and two Query More Results reads.
    expect(salesforce.requests.filter((r) => /\/query\/01g/.test(r))).toHaveLength(2);
  });

  it('escapes quotes in SOQL literals', async () => {
    salesforce.add('Contact', { LastName: "O'Brien", Email: "o'brien@acme.example" });
    expect(soqlString("o'brien\\x")).toBe("'o\\'brien\\\\x'");
    const found = await connect().lookup({ emails: ["o'brien@acme.example"] });
    expect(found.contacts.map((c) => c.name)).toEqual(["O'Brien"]);
  });

  it('opens a contact with its account, open opportunities and recent emails', async () => {
    const acme = salesforce.add('Account', { Name: 'Acme', Website: 'acme.example' });
    const jane = salesforce.add('Contact', {
      LastName: 'Buyer',
      Email: 'jane@acme.example',
      AccountId: acme.Id,
    });
    salesforce.add('Opportunity', {
      Name: 'Renewal',
      StageName: 'Negotiation',
      Amount: 12000,
      CloseDate: '2027-01-15',
      AccountId: acme.Id,
    });
    salesforce.add('Opportunity', { Name: 'Old', StageName: 'Closed Won', Amount: 5, AccountId: acme.Id });
    const connector = connect();
    await connector.logActivities([activity(jane.Id)]);
    const detail = await connector.getContact(jane.Id);
    expect(detail.company?.name).toBe('Acme');
    expect(detail.deals).toEqual([
      expect.objectContaining({ name: 'Renewal', amount: 12000, stage: 'Negotiation' }),
    ]);
    expect(detail.recentActivities).toEqual([
      expect.objectContaining({ subject: 'Pricing', direction: 'incoming', loggedBy: rep.id }),
    ]);
    await expect(connector.getContact('003000000000999AAA')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('logs with Enhanced Email as an EmailMessage and its relation; without the External ID field it queries first', async () => {
    const jane = salesforce.add('Contact', { LastName: 'Buyer', Email: 'jane@acme.example' });
    const connector = connect();
    const one = activity(jane.Id);
    const first = await connector.logActivities([one]);
    const again = await connector.logActivities([one]);
    expect(first.results[0]?.status).toBe('created');
    expect(again.results[0]).toMatchObject({ status: 'existing', id: first.results[0]?.id });
    const [email] = [...salesforce.records.EmailMessage.values()];
    expect(email).toMatchObject({
      MessageIdentifier: `<${one.externalId}>`,
      Incoming: true,
      Status: '3',
      FromAddress: 'jane@acme.example',
    });
    const relations = [...salesforce.records.EmailMessageRelation.values()];
    expect(relations).toEqual([
      expect.objectContaining({
        EmailMessageId: email!.Id,
        RelationId: jane.Id,
        RelationType: 'FromAddress',
      }),
    ]);
    expect(await connector.activitiesForMessage(one.externalId)).toEqual([
      expect.objectContaining({ contactId: jane.Id, loggedBy: rep.id }),
    ]);
  });

  it('reads an EmailMessage’s MessageIdentifier as lib/mail/normaliseMessageId does: folding whitespace inside the id is dropped, like the thread’s Message-ID', async () => {
    const jane = salesforce.add('Contact', { LastName: 'Buyer', Email: 'jane@acme.example' });
    const connector = connect();
    const one = activity(jane.Id, { externalId: 'caf=abc123@mail.gmail.com' });
    await connector.logActivities([one]);
    // Another client logged the same email with the header value as it arrived, folded inside
    // the id (RFC 5322 section 3.2.2 folding; section 4.5.4 obs-id allows CFWS in the id) and
    // with capitals: the same Message-ID the thread carries, once normalised.
    const [email] = [...salesforce.records.EmailMessage.values()];
    email!.MessageIdentifier = '<CAF=abc123@mail.\r\n gmail.com>';
    const { activities } = await connector.listContactActivities(jane.Id);
    // The connector's old private normalisation kept the inner whitespace
    // ('caf=abc123@mail.\r\n gmail.com'), so the panel missed the match.
    expect(activities.map((a) => a.externalId)).toEqual([
      normaliseMessageId('<CAF=abc123@mail.\r\n gmail.com>'),
    ]);
    expect(activities[0]?.externalId).toBe(one.externalId);
  });

  it('relinks an email whose relation write was lost, on the retry', async () => {
    const jane = salesforce.add('Contact', { LastName: 'Buyer', Email: 'jane@acme.example' });
    let drop = true;
    const losing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (drop && String(init?.body ?? '').includes('EmailMessageRelation') && init?.method === 'POST') {
        drop = false;
        await response.arrayBuffer();
        throw new TypeError('fetch failed');
      }
      return response;
    };
    const one = activity(jane.Id);
    await expect(connect({ fetch: losing }).logActivities([one])).rejects.toMatchObject({ kind: 'network' });
    const retry = await connect().logActivities([one]);
    expect(retry.results[0]?.status).toBe('existing');
    expect(salesforce.records.EmailMessage.size).toBe(1);
    expect(salesforce.records.EmailMessageRelation.size).toBe(1);
  });

  it('logs a completed Task when Enhanced Email is off, and says what is missing for colleague lookups', async () => {
    await salesforce.stop();
    await org({ enhancedEmail: false });
    const jane = salesforce.add('Contact', { LastName: 'Buyer', Email: 'jane@acme.example' });
    const connector = connect();
    const one = activity(jane.Id, { direction: 'outgoing' });
    expect((await connector.logActivities([one])).results[0]?.status).toBe('created');
    expect((await connector.logActivities([one])).results[0]?.status).toBe('existing');
    expect([...salesforce.records.Task.values()]).toEqual([
      expect.objectContaining({
        WhoId: jane.Id,
        Status: 'Completed',
        TaskSubtype: 'Email',
        Subject: 'Email: Pricing',
        ActivityDate: '2026-11-30',
      }),
    ]);
    await expect(connector.activitiesForMessage(one.externalId)).rejects.toMatchObject({
      kind: 'unsupported',
      message: expect.stringContaining('CrmSidebar_Log_Key__c'),
    });
  });

  it('renews an expired session once, and asks to sign in again when that fails', async () => {
    let refreshed = 0;
    const connector = connect({
      refreshAccessToken: async () => {
        refreshed++;
        const res = await fetch(`${salesforce.url}/services/oauth2/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: rep.refreshToken,
            client_id: salesforce.clientId,
          }),
        });
        return (await res.json()).access_token;
      },
    });
    await connector.whoami();
    salesforce.expireSession(rep);
    await expect(connector.lookup({ emails: ['x@y.example'] })).resolves.toEqual({
      contacts: [],
      companies: [],
    });
    expect(refreshed).toBe(1);
    const stuck = connect({
      accessToken: 'revoked',
      refreshAccessToken: () => Promise.reject(new Error('invalid_grant')),
    });
    await expect(stuck.whoami()).rejects.toMatchObject({
      kind: 'auth',
      code: 'crm_sign_in_ended',
      message: expect.stringMatching(/Salesforce session has ended/),
    });
  });

  it('turns REQUEST_LIMIT_EXCEEDED into rate_limited and keeps Salesforce’s error array', async () => {
    await salesforce.stop();
    await org({ requestLimit: 2 }); // one lookup: a Contact and a Lead query
    const connector = connect();
    await connector.lookup({ emails: ['a@b.example'] });
    const error = await connector.lookup({ emails: ['a@b.example'] }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'rate_limited',
      status: 403,
      retryable: true,
      options: {
        details: {
          errors: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }],
        },
      },
    });
  });

  it('is refused what Salesforce refuses: a missing LastName, 201 records, a bad query, rolled back all-or-none', async () => {
    const base = `${salesforce.url}/services/data/${salesforce.apiVersion}`;
    const send = (method: string, path: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${rep.accessToken}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect(await send('POST', '/sobjects/Contact', { Email: 'x@y.example' })).toEqual({
      status: 400,
      body: [
        {
          message: 'Required fields are missing: [LastName]',
          errorCode: 'REQUIRED_FIELD_MISSING',
          fields: ['LastName'],
        },
      ],
    });
    const tooMany = await send('POST', '/composite/sobjects', {
      records: Array.from({ length: 201 }, () => ({ attributes: { type: 'Account' }, Name: 'x' })),
    });
    expect(tooMany.status).toBe(400);
    expect(
      (await send('GET', `/query?q=${encodeURIComponent('SELECT Id FROM Contact WHERE')}`)).body[0].errorCode,
    ).toBe('MALFORMED_QUERY');
    expect(
      (await send('GET', `/query?q=${encodeURIComponent('SELECT Nope FROM Contact')}`)).body[0].errorCode,
    ).toBe('INVALID_FIELD');
    const rolledBack = await send('POST', '/composite/sobjects', {
      allOrNone: true,
      records: [{ attributes: { type: 'Contact' }, LastName: 'Fine' }, { attributes: { type: 'Contact' } }],
    });
    expect(rolledBack.body.map((r: { errors: { statusCode: string }[] }) => r.errors[0]?.statusCode)).toEqual(
      ['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'REQUIRED_FIELD_MISSING'],
    );
    expect(salesforce.records.Contact.size).toBe(0);
    const noSession = await fetch(`${base}/query?q=x`).then((r) => r.json());
    expect(noSession).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID', fields: [] },
    ]);
  });

  it('creates a contact, and reports a taken address as a conflict with the existing contact', async () => {
    const connector = connect();
    const created = await connector.createContact({
      name: 'Jane Buyer',
      emails: ['jane@acme.example'],
      title: 'CFO',
    });
    expect(created).toMatchObject({ name: 'Jane Buyer', title: 'CFO', emails: ['jane@acme.example'] });
    const error = await connector
      .createContact({ name: 'Again', emails: ['JANE@acme.example'] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'conflict',
      options: { details: { contact: expect.objectContaining({ id: created.id }) } },
    });
  });

  it('redeems a PKCE authorization code only with the right verifier', async () => {
    const verifier = 'v'.repeat(64);
    const { createHash } = await import('node:crypto');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const token = (form: Record<string, string>) =>
      fetch(`${salesforce.url}/services/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams(form),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const redirect = 'https://abc.chromiumapp.org/salesforce';
    const bad = await token({
      grant_type: 'authorization_code',
      code: salesforce.issueCode(rep, challenge, redirect),
      redirect_uri: redirect,
      client_id: salesforce.clientId,
      code_verifier: 'wrong',
    });
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const good = await token({
      grant_type: 'authorization_code',
      code: salesforce.issueCode(rep, challenge, redirect),
      redirect_uri: redirect,
      client_id: salesforce.clientId,
      code_verifier: verifier,
    });
    expect(good).toMatchObject({
      status: 200,
      body: { access_token: rep.accessToken, refresh_token: rep.refreshToken, instance_url: salesforce.url },
    });
  });
});
