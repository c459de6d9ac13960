import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmConnector } from '../../../../../lib/crm/CrmConnector';
import { CrmError } from '../../../../../lib/crm/CrmError';
import type { EmailActivityInput } from '../../../../../lib/crm/contract';
import { createPipedriveCrmConnector } from '../../../../../lib/crm/vendors/pipedrive/PipedriveCrmConnector';
import { FakePipedriveApi, type FakePipedriveUser } from '../../../../fakes/FakePipedriveApi';

function activity(contactId: string, overrides: Partial<EmailActivityInput> = {}): EmailActivityInput {
  return {
    type: 'email',
    externalId: `m-${Math.random().toString(16).slice(2)}@mail.example`,
    contactId,
    direction: 'incoming',
    subject: 'Proposal',
    snippet: 'Here it is & more <soon>',
    occurredAt: '2026-11-30T10:15:00.000Z',
    from: { name: 'Jane Buyer', address: 'jane@acme.example' },
    to: [
      { name: 'Riley Rep', address: 'riley@ourco.example' },
      { name: '', address: 'team@ourco.example' },
    ],
    cc: [{ name: 'Ben', address: 'ben@acme.example' }],
    hasAttachments: false,
    source: 'gmail',
    ...overrides,
  };
}

/** A fetch that lets request number `dropAt` reach Pipedrive and then loses its answer. */
function losingAnswer(dropAt: number) {
  let n = 0;
  const lossy: typeof fetch = async (input, init) => {
    n += 1;
    const response = await fetch(input, init);
    if (n !== dropAt) return response;
    await response.arrayBuffer();
    throw new TypeError('fetch failed');
  };
  return { fetch: lossy, count: () => n };
}

describe('Pipedrive connector against the strict fake', () => {
  let pipedrive: FakePipedriveApi;
  let rep: FakePipedriveUser;
  let colleague: FakePipedriveUser;
  const connect = (user = rep, fetchImpl?: typeof fetch): CrmConnector =>
    createPipedriveCrmConnector({ apiToken: user.token, apiBase: pipedrive.url, fetch: fetchImpl });

  beforeEach(async () => {
    // The Enterprise plan's burst (120 requests per 2 s): these tests are about data, not pacing.
    pipedrive = new FakePipedriveApi({ burstLimit: 120 });
    await pipedrive.start();
    rep = pipedrive.addUser({ name: 'Riley Rep', email: 'Riley@OurCo.example' });
    colleague = pipedrive.addUser({ name: 'Casey Colleague', email: 'casey@ourco.example' });
  });
  afterEach(() => pipedrive.stop());

  it('knows the rep and the company, and links records into the Pipedrive web app', async () => {
    const connector = connect();
    expect(connector.recordUrl({ kind: 'contact', id: '7' })).toBeNull();
    const me = await connector.whoami();
    expect(me).toEqual({
      user: { id: String(rep.id), name: 'Riley Rep', email: 'riley@ourco.example' },
      org: { name: 'Northwind Trading', domains: ['ourco.example'] },
    });
    expect(connector.recordUrl({ kind: 'contact', id: '7' })).toBe(
      'https://northwind.pipedrive.com/person/7',
    );
    expect(connector.recordUrl({ kind: 'deal', id: '9' })).toBe('https://northwind.pipedrive.com/deal/9');
    expect(connector.recordUrl({ kind: 'email', id: '9' })).toBeNull();
    expect(pipedrive.requests[0]).toBe('GET /v1/users/me');
  });

  it('finds persons by any of their addresses, ignoring case; a domain finds no organization', async () => {
    const acme = pipedrive.addOrganization('Acme');
    const jane = pipedrive.addPerson({
      name: 'Jane Buyer',
      emails: ['jane@acme.example', 'Jane.Private@Home.example'],
      orgId: acme.id,
      ownerId: colleague.id,
    });
    pipedrive.addPerson({ name: 'Janet', emails: ['janet@acme.example'] });
    const found = await connect().lookup({
      emails: [' JANE@acme.example ', 'jane.private@home.example', 'nobody@acme.example'],
      domains: ['acme.example'],
    });
    expect(found.companies).toEqual([]);
    expect(found.contacts).toHaveLength(1);
    expect(found.contacts[0]).toMatchObject({
      id: String(jane.id),
      name: 'Jane Buyer',
      emails: ['jane@acme.example', 'jane.private@home.example'],
      companyId: String(acme.id),
      ownerName: 'Casey Colleague',
      url: `https://northwind.pipedrive.com/person/${jane.id}`,
    });
    // Searched exactly on the email field, one search per address.
    expect(pipedrive.requests.filter((r) => r === 'GET /api/v2/persons/search')).toHaveLength(3);
  });

  it('shows a person with their organization, open deals with stage names and recent emails', async () => {
    const acme = pipedrive.addOrganization('Acme');
    const jane = pipedrive.addPerson({ name: 'Jane Buyer', emails: ['jane@acme.example'], orgId: acme.id });
    const open = pipedrive.addDeal({ title: 'Acme pilot', personId: jane.id, orgId: acme.id, value: 12_000 });
    pipedrive.addDeal({ title: 'Old deal', personId: jane.id, status: 'lost' });
    const connector = connect();
    await connector.logActivities([activity(String(jane.id))]);
    const detail = await connector.getContact(String(jane.id));
    expect(detail.company).toMatchObject({ id: String(acme.id), name: 'Acme', domains: [] });
    expect(detail.deals).toEqual([
      expect.objectContaining({
        id: String(open.id),
        name: 'Acme pilot',
        stage: 'Proposal made',
        amount: 12_000,
        currency: 'EUR',
        contactIds: [String(jane.id)],
        url: `https://northwind.pipedrive.com/deal/${open.id}`,
      }),
    ]);
    expect(detail.recentActivities).toHaveLength(1);
    expect(detail.recentActivities[0]).toMatchObject({
      contactId: String(jane.id),
      direction: 'incoming',
      subject: 'Proposal',
      snippet: 'Here it is & more <soon>',
      occurredAt: '2026-11-30T10:15:00.000Z',
      from: { name: 'Jane Buyer', address: 'jane@acme.example' },
      to: [
        { name: 'Riley Rep', address: 'riley@ourco.example' },
        { name: '', address: 'team@ourco.example' },
      ],
      cc: [{ name: 'Ben', address: 'ben@acme.example' }],
      loggedBy: String(rep.id),
      loggedByName: 'Riley Rep',
    });
    await expect(connector.getContact('99999')).rejects.toMatchObject({ kind: 'not_found', status: 404 });
    await expect(connector.getContact('not-an-id')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('creates a person with every address, and a taken address is a conflict carrying that person', async () => {
    const acme = pipedrive.addOrganization('Acme');
    const connector = connect();
    const created = await connector.createContact({
      name: 'Nora New',
      emails: ['NORA@acme.example', 'nora@home.example'],
      phone: '+49 30 1234',
      companyId: String(acme.id),
    });
    expect(created).toMatchObject({
      name: 'Nora New',
      emails: ['nora@acme.example', 'nora@home.example'],
      phone: '+49 30 1234',
      companyId: String(acme.id),
      ownerName: 'Riley Rep',
    });
    const stored = pipedrive.persons.get(Number(created.id))!;
    expect(stored.emails).toEqual([
      { value: 'nora@acme.example', primary: true, label: 'work' },
      { value: 'nora@home.example', primary: false, label: 'work' },
    ]);
    const error = await connector
      .createContact({ name: 'Dup', emails: ['Nora@Home.example'] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ kind: 'conflict', options: { details: { contact: { id: created.id } } } });
    expect(pipedrive.persons.size).toBe(1);
  });

  it('logs an email once as a done activity of type email; the same batch again is "existing" with the same ids', async () => {
    const acme = pipedrive.addOrganization('Acme');
    const jane = pipedrive.addPerson({ name: 'Jane', emails: ['jane@acme.example'], orgId: acme.id });
    const deal = pipedrive.addDeal({ title: 'Pilot', personId: jane.id });
    const one = activity(String(jane.id), { companyId: String(acme.id), dealId: String(deal.id) });
    const connector = connect();
    const first = await connector.logActivities([one, one]);
    expect(first.results.map((r) => r.status)).toEqual(['created', 'existing']);
    expect(first.results[0]?.id).toBe(first.results[1]?.id);
    const again = await connect().logActivities([one]);
    expect(again.results).toEqual([{ ...first.results[0], status: 'existing' }]);
    const stored = pipedrive.activitiesOf(jane.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      type: 'email',
      subject: 'Proposal',
      done: true,
      due_date: '2026-11-30',
      due_time: '10:15',
      owner_id: rep.id,
      org_id: acme.id,
      deal_id: deal.id,
      participants: [{ person_id: jane.id, primary: true }],
    });
    expect(stored[0]?.note).toContain(`<p>Received · Message-ID: ${one.externalId}</p>`);
    expect(stored[0]?.note).toContain('Here it is &amp; more &lt;soon&gt;');
  });

  it('moves a logged email to another deal, and off any', async () => {
    const jane = pipedrive.addPerson({ name: 'Jane', emails: ['jane@acme.example'] });
    const [pilot, rollout] = [
      pipedrive.addDeal({ title: 'Pilot', personId: jane.id }),
      pipedrive.addDeal({ title: 'Rollout', personId: jane.id }),
    ];
    const connector = connect();
    const logged = await connector.logActivities([activity(String(jane.id), { dealId: String(pilot.id) })]);
    const id = logged.results[0]!.id!;
    await connector.relinkActivityDeal!(id, String(rollout.id));
    expect(pipedrive.activities.get(Number(id))?.deal_id).toBe(rollout.id);
    await connector.relinkActivityDeal!(id, null);
    expect(pipedrive.activities.get(Number(id))?.deal_id).toBeNull();
    await expect(connector.relinkActivityDeal!(id, '99999')).rejects.toMatchObject({
      kind: 'invalid_request',
    });
  });

  it('a colleague logging the same email to the same person is "existing" (their activity is kept)', async () => {
    const jane = pipedrive.addPerson({ name: 'Jane', emails: ['jane@acme.example'] });
    const one = activity(String(jane.id));
    const mine = await connect().logActivities([one]);
    const theirs = await connect(colleague).logActivities([one]);
    expect(theirs.results[0]).toMatchObject({ status: 'existing', id: mine.results[0]?.id });
    const found = await connect(colleague).activitiesForMessage(one.externalId, {
      contactIds: [String(jane.id)],
    });
    expect(found.map((a) => [a.loggedBy, a.loggedByName])).toEqual([[String(rep.id), 'Riley Rep']]);
  });

  it('ten tabs logging the same email at once leave exactly one activity, and all answer with its id', async () => {
    const jane = pipedrive.addPerson({ name: 'Jane', emails: ['jane@acme.example'] });
    const one = activity(String(jane.id));
    const all = await Promise.all(Array.from({ length: 10 }, () => connect().logActivities([one])));
    const results = all.map((r) => r.results[0]!);
    expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(pipedrive.activitiesOf(jane.id).map((a) => String(a.id))).toEqual([results[0]?.id]);
  });

  it('a retry after any lost answer leaves exactly one activity', async () => {
    const jane = pipedrive.addPerson({ name: 'Jane', emails: ['jane@acme.example'] });
    const counting = losingAnswer(0);
    await connect(rep, counting.fetch).logActivities([activity(String(jane.id))]);
    const requests = counting.count();
    expect(requests).toBeGreaterThanOrEqual(5);
    for (let dropAt = 1; dropAt <= requests; dropAt++) {
      const one = activity(String(jane.id));
      const lost = await connect(rep, losingAnswer(dropAt).fetch)
        .logActivities([one])
        .catch((e: unknown) => e);
      expect(lost, `answer ${dropAt}`).toMatchObject({ kind: 'network' });
      const retry = await connect().logActivities([one]);
      expect(['created', 'existing']).toContain(retry.results[0]?.status);
      const copies = pipedrive.activitiesOf(jane.id).filter((a) => a.note?.includes(one.externalId));
      expect(
        copies.map((a) => String(a.id)),
        `answer ${dropAt}`,
      ).toEqual([retry.results[0]?.id]);
    }
  });

  it('removes a copy a stopped tab left behind, the next time that email is logged', async () => {
    const jane = pipedrive.addPerson({ name: 'Jane', emails: ['jane@acme.example'] });
    const one = activity(String(jane.id));
    const first = await connect().logActivities([one]);
    // A tab that created its copy and stopped before listing again leaves a second one.
    const { id: _logged, ...copy } = pipedrive.activitiesOf(jane.id)[0]!;
    const stray = pipedrive.addActivity({ ...copy, person_id: jane.id });
    expect(pipedrive.activitiesOf(jane.id)).toHaveLength(2);
    const again = await connect().logActivities([one]);
    expect(again.results[0]).toMatchObject({ status: 'existing', id: first.results[0]?.id });
    expect(pipedrive.activitiesOf(jane.id).map((a) => a.id)).toEqual([Number(first.results[0]?.id)]);
    expect(pipedrive.activities.get(stray.id)?.is_deleted).toBe(true);
  });

  it('reports an unknown person per item and logs the rest; more than 100 items are refused', async () => {
    const jane = pipedrive.addPerson({ name: 'Jane', emails: ['jane@acme.example'] });
    const response = await connect().logActivities([
      activity(String(jane.id)),
      activity('99999'),
      activity('abc'),
    ]);
    expect(response.results.map((r) => r.status)).toEqual(['created', 'error', 'error']);
    const tooMany = Array.from({ length: 101 }, () => activity(String(jane.id)));
    await expect(connect().logActivities(tooMany)).rejects.toMatchObject({ kind: 'invalid_request' });
    expect(pipedrive.activitiesOf(jane.id)).toHaveLength(1);
  });

  it('creates a follow-up task once per source email and title', async () => {
    const jane = pipedrive.addPerson({ name: 'Jane', emails: ['jane@acme.example'] });
    const task = {
      contactId: String(jane.id),
      title: 'Send the contract',
      notes: 'Before Friday',
      dueAt: '2026-12-04T09:00:00.000Z',
      sourceExternalId: 'm-1@mail.example',
    };
    const first = await connect().createTask(task);
    const again = await connect().createTask(task);
    expect(first.status).toBe('created');
    expect(again).toMatchObject({ status: 'existing', task: { id: first.task.id } });
    expect(pipedrive.activitiesOf(jane.id)).toEqual([
      expect.objectContaining({ type: 'task', done: false, due_date: '2026-12-04', due_time: '09:00' }),
    ]);
    // Not an email: the person's email list stays empty.
    expect((await connect().listContactActivities(String(jane.id))).activities).toEqual([]);
    await expect(connect().createTask({ contactId: '99999', title: 'X' })).rejects.toMatchObject({
      kind: 'not_found',
    });
  });

  it('declares what Pipedrive lacks: no company by domain, no account-wide search for a logged email', async () => {
    const connector = connect();
    expect(connector.info).toMatchObject({
      type: 'pipedrive',
      name: 'Pipedrive',
      capabilities: { companiesByDomain: false, colleagueActivity: false, alternateEmails: true },
    });
    await expect(connector.activitiesForMessage('m@mail.example')).rejects.toMatchObject({
      kind: 'unsupported',
    });
  });

  it('pages through a person with more activities than one page holds', async () => {
    const jane = pipedrive.addPerson({ name: 'Jane', emails: ['jane@acme.example'] });
    // Logged earlier (as this connector writes them): the note ends with the Message-ID.
    for (let i = 0; i < 600; i++)
      pipedrive.addActivity({
        person_id: jane.id,
        type: 'email',
        subject: `Email ${i}`,
        done: true,
        due_date: '2026-11-01',
        due_time: `${String(10 + Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
        note: `<p>Hello</p><p>From: jane@acme.example<br>To: riley@ourco.example</p><p>Sent · Message-ID: old-${i}@mail.example</p>`,
      });
    const connector = connect();
    const again = await connector.logActivities([
      activity(String(jane.id), { externalId: 'old-599@mail.example' }),
    ]);
    expect(again.results[0]?.status).toBe('existing');
    expect(pipedrive.activitiesOf(jane.id)).toHaveLength(600);
    const page = await connector.listContactActivities(String(jane.id), { limit: 100, cursor: '550' });
    expect(page.activities).toHaveLength(50);
    expect(page.nextCursor).toBeNull();
    expect(page.activities.at(-1)).toMatchObject({ externalId: 'old-0@mail.example', direction: 'outgoing' });
  });
});

describe('Pipedrive failures as CrmErrors', () => {
  let pipedrive: FakePipedriveApi;
  let rep: FakePipedriveUser;
  beforeEach(async () => {
    pipedrive = new FakePipedriveApi();
    await pipedrive.start();
    rep = pipedrive.addUser({ name: 'Riley Rep', email: 'riley@ourco.example' });
  });
  afterEach(() => pipedrive.stop());

  it('a wrong token is auth, worded for the rep, without the token', async () => {
    const connector = createPipedriveCrmConnector({ apiToken: 'wrong-token-123', apiBase: pipedrive.url });
    const error = await connector.whoami().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth', status: 401 });
    expect((error as Error).message).toMatch(/Pipedrive refused the API token/);
    expect((error as Error).message).not.toContain('wrong-token-123');
  });

  it('refuses an API token sent as a bearer token (that header is for OAuth access tokens)', async () => {
    const response = await fetch(`${pipedrive.url}/v1/users/me`, {
      headers: { Authorization: `Bearer ${rep.token}` },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ success: false, errorCode: 401 });
  });

  it('a 429 carries the wait of the 2-second window; a 402 is auth; a 500 is server', async () => {
    const connector = createPipedriveCrmConnector({ apiToken: rep.token, apiBase: pipedrive.url });
    for (let i = 0; i < 20; i++)
      await fetch(`${pipedrive.url}/v1/users/me`, { headers: { 'x-api-token': rep.token } });
    const limited = await connector.whoami().catch((e: unknown) => e);
    expect(limited).toMatchObject({ kind: 'rate_limited', status: 429 });
    expect((limited as CrmError).retryAfterMs).toBeGreaterThanOrEqual(1_000);
    expect((limited as CrmError).retryAfterMs).toBeLessThanOrEqual(2_000);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    pipedrive.failNext('GET', '/users/me', 402);
    await expect(connector.whoami()).rejects.toMatchObject({ kind: 'auth', status: 402 });
    pipedrive.failNext('GET', '/users/me', 500);
    await expect(connector.whoami()).rejects.toMatchObject({ kind: 'server', status: 500 });
  });

  it('paces itself under the burst and search limits instead of collecting 429s', async () => {
    const people = Array.from({ length: 12 }, (_, i) =>
      pipedrive.addPerson({ name: `P${i}`, emails: [`p${i}@acme.example`] }),
    );
    const connector = createPipedriveCrmConnector({ apiToken: rep.token, apiBase: pipedrive.url });
    const started = Date.now();
    const found = await connector.lookup({ emails: people.map((p) => p.emails[0]!.value) });
    expect(found.contacts).toHaveLength(12);
    expect(pipedrive.counters.byStatus[429] ?? 0).toBe(0);
    // 12 searches at 10 per 2 seconds: the last two waited for the next window.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  });

  it('a spent daily budget is rate_limited', async () => {
    const budgeted = new FakePipedriveApi({ dailyBudget: 2 });
    await budgeted.start();
    const user = budgeted.addUser({ name: 'R', email: 'r@ourco.example' });
    const connector = createPipedriveCrmConnector({ apiToken: user.token, apiBase: budgeted.url });
    await connector.whoami();
    const other = createPipedriveCrmConnector({ apiToken: user.token, apiBase: budgeted.url });
    await expect(other.whoami()).rejects.toMatchObject({ kind: 'rate_limited', status: 429 });
    await budgeted.stop();
  });
});
