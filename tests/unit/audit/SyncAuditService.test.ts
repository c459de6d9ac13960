import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SyncAuditService } from '../../../lib/audit/SyncAuditService';
import { ComposeSends, gmailDeclinedSend } from '../../../lib/background/ComposeSends';
import type { CrmSidebarBackground } from '../../../lib/background/CrmSidebarBackground';
import { MailboxService } from '../../../lib/background/MailboxService';
import { parseAddressList } from '../../../lib/mail/parseAddressList';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { FakeCrmConnector } from '../../fakes/FakeCrmConnector';
import { FakeGmailApi } from '../../fakes/FakeGmailApi';
import { FakeOauthServer } from '../../fakes/FakeOauthServer';
import { backgroundForTest } from '../background/backgroundForTest';

const EMAIL = 'riley@ourco.example';
const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const GOOGLE_CLIENT = '123-abc.apps.googleusercontent.com';
// Made up, in the shape of a Google client secret.
const GOOGLE_SECRET = 'GOCSPX-fake0secret0for0tests00';
const BLOCKED = 'legal@partner.example';
const HOUR = 3_600_000;
let dbCounter = 0;

describe('SyncAuditService: the sync audit of a Gmail mailbox', () => {
  let db: CrmSidebarDb;
  let crm: FakeCrmConnector;
  let gmail: FakeGmailApi;
  let idp: FakeOauthServer;
  let background: CrmSidebarBackground;
  let mailboxes: MailboxService;
  let audits: SyncAuditService;

  beforeEach(async () => {
    db = openCrmSidebarDb(`sync-audit-${++dbCounter}`);
    crm = new FakeCrmConnector();
    // The per-user quota stays on: the audit must run inside it.
    gmail = new FakeGmailApi({ enforceQuota: true, seed: 13 });
    idp = new FakeOauthServer({
      provider: 'google',
      clients: [{ clientId: GOOGLE_CLIENT, clientSecret: GOOGLE_SECRET, redirectUris: [REDIRECT] }],
      onAccessToken: (token, subject, _scope, expiresIn) =>
        gmail.issueAccessToken(subject, { token, expiresInMs: expiresIn * 1000 }),
    });
    const [gmailUrl] = await Promise.all([gmail.start(), idp.start()]);
    background = backgroundForTest({
      db,
      version: 'test',
      createConnector: () => crm,
      clickDrainMaxWaitMs: 0,
    });
    await background.updateSettings({
      crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' },
      oauth: {
        googleClientId: GOOGLE_CLIENT,
        microsoftClientId: '',
        microsoftTenant: 'common',
        tokenExchangeUrl: '',
      },
      historicalImportDays: 90,
      neverLogAddresses: [BLOCKED],
    });
    mailboxes = new MailboxService({
      db,
      background,
      webAuthFlow: idp.webAuthFlow(REDIRECT, EMAIL),
      apiBaseUrls: { gmail: gmailUrl },
      oauthEndpoints: {
        gmail: { authorizationEndpoint: idp.authorizationEndpoint, tokenEndpoint: idp.tokenEndpoint },
      },
      allowInsecureOAuth: true,
    });
    await mailboxes.setClientSecret('gmail', GOOGLE_SECRET);
    audits = new SyncAuditService({ db, background, mailboxApi: (id) => mailboxes.mailboxApi(id) });
  });
  afterEach(async () => {
    await Promise.all([gmail.stop(), idp.stop()]);
    db.close();
  });

  /** One sent message as Gmail stores it (RFC 5322 headers; users.messages resource). */
  function send(to: string, i: number, withMessageId = true) {
    const date = Date.now() - (i + 1) * HOUR;
    gmail.sendMessage(EMAIL, {
      labelIds: ['SENT'],
      internalDate: date,
      headers: [
        { name: 'From', value: `Riley Rep <${EMAIL}>` },
        { name: 'To', value: to },
        { name: 'Subject', value: `Ruled out ${i}` },
        { name: 'Date', value: new Date(date).toUTCString().replace('GMT', '+0000') },
        ...(withMessageId ? [{ name: 'Message-ID', value: `<ruled-${i}@mail.gmail.com>` }] : []),
      ],
    });
  }

  it('1,000 sent, 50 deleted in the CRM, 30 ruled out: exactly 50 missing and 30 skipped with their rules; "Log missing" brings back the 50 once', async () => {
    gmail.addMailbox(EMAIL);
    gmail.seedSentMessages(EMAIL, 970, { spacingMs: HOUR / 2, automatedRatio: 0, missingMessageIdRatio: 0 });
    // Every external recipient of the seeded mail is a CRM contact (colleagues on ourco.example are not).
    const contacts = new Set<string>();
    for (const m of gmail.messages(EMAIL))
      for (const h of m.headers.filter((x) => /^(to|cc)$/i.test(x.name)))
        for (const a of parseAddressList(h.value))
          if (!a.address.endsWith('@ourco.example') && !contacts.has(a.address)) {
            contacts.add(a.address);
            crm.addContact({ name: a.name || a.address, emails: [a.address] });
          }
    crm.addContact({ name: 'Partner Legal', emails: [BLOCKED] });
    // 30 the sync's rules set aside: 10 to a never-log address, 10 internal, 10 without a Message-ID.
    const someContact = [...contacts][0]!;
    for (let i = 0; i < 10; i++) send(`Partner Legal <${BLOCKED}>`, i);
    for (let i = 10; i < 20; i++) send(`Sam Colleague <sam@ourco.example>`, i);
    for (let i = 20; i < 30; i++) send(someContact, i, false);
    expect(gmail.messages(EMAIL)).toHaveLength(1000);

    const status = await mailboxes.connect('gmail');
    await mailboxes.syncMailbox(status.id);
    await background.drainOutbox();
    const loggedIds = [...new Set(crm.activities.map((a) => a.externalId))];
    expect(loggedIds).toHaveLength(970);
    const activitiesBefore = crm.activities.length;

    // Someone deletes 50 emails in the CRM (every activity of each).
    const deleted = loggedIds.filter((_, i) => i % 19 === 0).slice(0, 50);
    expect(deleted).toHaveLength(50);
    for (const id of deleted)
      for (const a of crm.activities.filter((x) => x.externalId === id))
        crm.deleteActivityInCrm(a.externalId, a.contactId);
    const activitiesAfterDelete = crm.activities.length;

    const started = await audits.start(status.id, 30);
    expect(started.state).toBe('running');
    await audits.settled(status.id);
    const report = (await audits.report(status.id))!;
    expect(report.state).toBe('done');
    expect(report.counts).toEqual({ scanned: 1000, logged: 920, skipped: 30, missing: 50 });
    expect(Object.fromEntries(report.skippedByRule.map((r) => [r.rule, r.count]))).toEqual({
      never_log: 10,
      internal: 10,
      no_message_id: 10,
    });
    expect(report.skippedByRule.find((r) => r.rule === 'never_log')?.example).toContain(BLOCKED);
    expect(new Set(report.missing.map((m) => m.externalId))).toEqual(new Set(deleted));
    // Inside the quota: the fake refuses any second above 250 units with a 429.
    expect(gmail.counters.quotaRejections).toBe(0);
    expect(gmail.counters.maxUnitsInWindow).toBeLessThanOrEqual(250);
    // CRM calls in batches: lookups per group plus one check per 100 loggable messages.
    expect(report.crmRequests).toBeLessThan(100);
    expect(crm.activities.length).toBe(activitiesAfterDelete);

    const logged = await audits.logMissing(status.id);
    expect(logged.logMissing).toMatchObject({ state: 'done', queued: 50, alreadyLogged: 0 });
    expect(crm.activities.length).toBe(activitiesBefore);
    expect(new Set(crm.activities.map((a) => a.externalId)).size).toBe(970);

    // Twice changes nothing: the second press sends nothing, and a new audit finds nothing missing.
    const again = await audits.logMissing(status.id);
    expect(again.logMissing).toMatchObject({ state: 'done', queued: 0 });
    await audits.start(status.id, 30);
    await audits.settled(status.id);
    const after = (await audits.report(status.id))!;
    expect(after.counts).toEqual({ scanned: 1000, logged: 970, skipped: 30, missing: 0 });
    const third = await audits.logMissing(status.id);
    expect(third.logMissing).toMatchObject({ state: 'done', queued: 0, alreadyLogged: 0 });
    expect(crm.activities.length).toBe(activitiesBefore);
    const perKey = new Set(crm.activities.map((a) => `${a.externalId} ${a.contactId}`));
    expect(perKey.size).toBe(crm.activities.length);
  }, 300_000);

  it('a message sent with "Log to CRM" off: the sync leaves it out, the audit says so instead of "missing", and "Log missing" sends nothing', async () => {
    gmail.addMailbox(EMAIL);
    crm.addContact({ name: 'Alice Moreau', emails: ['alice@acme.example'] });
    send('Alice Moreau <alice@acme.example>', 0);
    send('Alice Moreau <alice@acme.example>', 1);
    const status = await mailboxes.connect('gmail');
    const off = gmail
      .messages(EMAIL)
      .find((m) => m.headers.some((h) => h.value === '<ruled-0@mail.gmail.com>'))!;
    const sends = new ComposeSends({
      connectedApi: (provider, address) => mailboxes.connectedApi(provider, address),
      logSentMessage: (m) => background.logSentMessage(m),
      declineSentMessage: (m) => background.declineSentMessage(m),
      syncAfterSend: async () => 0,
    });
    expect(await sends.decline(gmailDeclinedSend({ mailbox: EMAIL, gmailMessageId: off.id }))).toMatchObject({
      outcome: 'skipped',
    });

    await mailboxes.syncMailbox(status.id);
    await background.drainOutbox();
    expect(crm.activities.map((a) => a.externalId)).toEqual(['ruled-1@mail.gmail.com']);

    await audits.start(status.id, 30);
    await audits.settled(status.id);
    const report = (await audits.report(status.id))!;
    expect(report.counts).toEqual({ scanned: 2, logged: 1, skipped: 1, missing: 0 });
    expect(report.skippedByRule.map((r) => r.rule)).toEqual(['log_off_at_send']);
    const logged = await audits.logMissing(status.id);
    expect(logged.logMissing).toMatchObject({ queued: 0 });
    expect(crm.activities).toHaveLength(1);
  }, 60_000);
});
