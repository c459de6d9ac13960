import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxStatus } from '../../lib/messaging/messages';
import { SEED } from '../../server/seed';
import type { FakeGmailHeader } from '../fakes/FakeGmailApi';
import { configureCrm } from './harness/extensionMessages';
import {
  ask,
  configureGoogleApp,
  createGoogleFakes,
  type GoogleFakes,
  getStatus,
  waitForSyncedAndDelivered,
} from './harness/mailboxSync';
import {
  loggedContactIds,
  loggedVersusExpected,
  type ReferenceCrm,
  startReferenceCrm,
} from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

const ME = SEED.demoUser.email;
const alice = SEED.contacts.primary;
const ben = SEED.contacts.withAlternate;
const DAY = 86_400_000;

interface SentSpec {
  key: string;
  to: string[];
  cc?: string[];
  /** Contacts that must get exactly one activity each. */
  expect: string[];
  ageDays?: number;
}

function messageIdFor(key: string): { header: string; externalId: string } {
  const local = `CAE2E-${key}-${Date.now().toString(36)}`;
  return { header: `<${local}@mail.gmail.com>`, externalId: `${local}@mail.gmail.com`.toLowerCase() };
}

function sentHeaders(spec: SentSpec, messageId: string, date: number): FakeGmailHeader[] {
  return [
    { name: 'From', value: `${SEED.demoUser.name} <${ME}>` },
    { name: 'To', value: spec.to.join(', ') },
    ...(spec.cc ? [{ name: 'Cc', value: spec.cc.join(', ') }] : []),
    { name: 'Subject', value: `E2E sync ${spec.key}` },
    { name: 'Date', value: new Date(date).toUTCString().replace('GMT', '+0000') },
    { name: 'Message-ID', value: messageId },
  ];
}

describe('Background sync of sent Gmail through the real built extension', () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;
  let google: GoogleFakes;
  let page: Page;
  let mailbox: MailboxStatus;
  const sent: { spec: SentSpec; externalId: string }[] = [];

  function send(spec: SentSpec): void {
    const id = messageIdFor(spec.key);
    const date = Date.now() - (spec.ageDays ?? 0) * DAY - 60_000;
    google.gmail.sendMessage(ME, {
      internalDate: date,
      headers: sentHeaders(spec, id.header, date),
      snippet: `About ${spec.key}`,
    });
    sent.push({ spec, externalId: id.externalId });
  }

  /** Exactly one activity per (message, expected contact), none for the others. */
  async function expectLoggedExactlyOnce(): Promise<void> {
    const { logged, expected } = await loggedVersusExpected(
      crm,
      sent.map(({ spec, externalId }) => ({ key: spec.key, externalId, expect: spec.expect })),
    );
    expect(logged).toEqual(expected);
  }

  beforeAll(async () => {
    crm = await startReferenceCrm();
    google = createGoogleFakes(ME);
    env = await startE2eEnvironment({ extraRoutes: google.routes });
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
    await configureGoogleApp(env.browser, google);
    await ask(env.browser, 'settings.update', {
      patch: {
        historicalImportDays: 30,
      },
    });
    page = await env.browser.newPage();
    await page.goto(env.browser.extensionUrl('popup.html'));
  });
  afterAll(async () => {
    await env?.close();
    await crm?.close();
  });

  it('connects Gmail with OAuth (PKCE, launchWebAuthFlow) and imports the window once', async () => {
    send({ key: 'alice', to: [`${alice.name} <${alice.email}>`], expect: [alice.id], ageDays: 3 });
    send({
      key: 'alice-cc-ben',
      to: [alice.email],
      cc: [`"Carter, Ben" <${ben.email}>`],
      expect: [alice.id, ben.id],
      ageDays: 2,
    });
    send({ key: 'ben-alternate', to: [ben.alternateEmail], expect: [ben.id], ageDays: 1 });
    send({ key: 'stranger', to: ['Quinn Doe <quinn.doe@unknown-prospect.example>'], expect: [] });
    send({ key: 'colleague', to: [SEED.colleague.email], expect: [] });
    // An automated address at a customer's domain is no contact: skipped, not logged.
    send({ key: 'no-reply', to: [`no-reply@${SEED.companies.acme.domain}`], expect: [] });
    send({ key: 'too-old', to: [alice.email], expect: [], ageDays: 45 });

    mailbox = await ask<MailboxStatus>(env.browser, 'mailbox.connect', { provider: 'gmail' }, page);
    expect(mailbox).toMatchObject({ id: `gmail:${ME}`, address: ME, provider: 'gmail', primary: true });
    // The code went through the token endpoint with the PKCE verifier (the fake checks S256).
    expect(google.idp.counters.codeGrants).toBe(1);
    expect(google.idp.counters.errors).toBe(0);

    const { status, mailbox: synced } = await waitForSyncedAndDelivered(env.browser, mailbox.id, { page });
    expect(status.outbox.failed).toBe(0);
    expect(synced.progress).toMatchObject({ logged: 3 });
    await expectLoggedExactlyOnce();
    // Only metadata was fetched, through the quota-enforcing fake, without a 429 of its own.
    expect(google.gmail.counters.byMethod.messagesGet).toBeGreaterThanOrEqual(6);
    expect(google.gmail.counters.quotaRejections).toBe(0);
    // ... in batch requests (batch/gmail/v1), every call checked against the discovery document.
    expect(google.gmail.counters.batchRequests).toBeGreaterThanOrEqual(1);
    expect(google.gmail.counters.discoveryRejections).toBe(0);
    expect(google.gmail.schemaViolations).toEqual([]);
  });

  it('a second sync adds nothing', async () => {
    const before = (await getStatus(env.browser, page)).mailboxes[0]!.lastSyncAt;
    const countsBefore = await Promise.all(sent.map((s) => loggedContactIds(crm, s.externalId)));
    expect(await ask(env.browser, 'mailbox.syncNow', { id: mailbox.id }, page)).toEqual({ started: 1 });
    const { mailbox: synced } = await waitForSyncedAndDelivered(env.browser, mailbox.id, {
      since: before,
      page,
    });
    expect(synced.progress?.logged ?? 0).toBe(0);
    const countsAfter = await Promise.all(sent.map((s) => loggedContactIds(crm, s.externalId)));
    expect(countsAfter.map((a) => a.length)).toEqual(countsBefore.map((a) => a.length));
  });

  it('logs mail sent after the first pass on the next sync (history.list)', async () => {
    const historyCallsBefore = google.gmail.counters.byMethod.historyList;
    send({ key: 'new-alice', to: [alice.email], expect: [alice.id] });
    send({ key: 'new-stranger', to: ['someone@elsewhere.example'], expect: [] });
    const before = (await getStatus(env.browser, page)).mailboxes[0]!.lastSyncAt;
    await ask(env.browser, 'mailbox.syncNow', {}, page);
    const { mailbox: synced } = await waitForSyncedAndDelivered(env.browser, mailbox.id, {
      since: before,
      page,
    });
    expect(synced.progress?.logged).toBe(1);
    expect(google.gmail.counters.byMethod.historyList).toBeGreaterThan(historyCallsBefore);
    await expectLoggedExactlyOnce();
  });

  it('marks the mailbox "needs re-authentication" when the grant is revoked', async () => {
    google.idp.revokeGrant(ME);
    for (const token of google.issuedTokens) google.gmail.revokeAccessToken(token);
    await ask(env.browser, 'mailbox.syncNow', { id: mailbox.id }, page);
    await expect
      .poll(async () => (await getStatus(env.browser, page)).mailboxes.find((m) => m.id === mailbox.id), {
        timeout: 30_000,
        interval: 250,
      })
      .toMatchObject({ state: 'needs_reauth' });
    const status = await getStatus(env.browser, page);
    const row = status.mailboxes.find((m) => m.id === mailbox.id)!;
    // The error tells the user what happened (an auth failure of the mailbox) without carrying a token.
    expect(row.lastError).toMatchObject({ kind: 'auth' });
    expect(JSON.stringify(row.lastError)).not.toMatch(/ya29|1\/\/0g/);
    // A stopped mailbox is not synced by "sync now".
    expect(await ask(env.browser, 'mailbox.syncNow', { id: mailbox.id }, page)).toEqual({ started: 0 });
    await expectLoggedExactlyOnce();
  });

  it('raised no errors in extension pages', () => {
    expect(env.browser.pageErrors.filter((e) => e.startsWith('chrome-extension://'))).toEqual([]);
  });
});
