import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxStatus } from '../../lib/messaging/messages';
import { SEED } from '../../server/seed';
import { FakeSalesforceApi, type FakeSalesforceUser } from '../fakes/FakeSalesforceApi';
import { withExtensionCors } from './harness/extensionCors';
import { configureCrm, sendExtensionMessage } from './harness/extensionMessages';
import { type FaultyCrmProxy, startFaultyCrmProxy } from './harness/faultyCrmProxy';
import {
  ask,
  configureGoogleApp,
  createGoogleFakes,
  type GoogleFakes,
  getStatus,
  waitForSyncedAndDelivered,
} from './harness/mailboxSync';
import { conversation, openOutlookConversation, withReply } from './harness/outlookConversations';
import { panel } from './harness/panelFrame';
import { type ReferenceCrm, startReferenceCrm } from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

/**
 * The rep's decisions and the receipts, in the built extension on the Outlook fixture page
 * (tests/fixtures/outlook/SOURCES.md): choose a deal and see a reply land on it, what logging
 * shares before the first log, every receipt the page can produce, never-log from the panel
 * with undo, a correction applied to the next thread, and the pick among contacts sharing an
 * address (on the Salesforce fake: a Contact and a Lead may share an email there, since the
 * standard duplicate rule only alerts on create, "Allow: The user is alerted but allowed to
 * create the record", https://help.salesforce.com/apex/HTViewHelpDoc?id=sales.duplicate_rules_standard_contact_rule.htm;
 * the reference CRM's contract forbids it). Also: a thread a colleague logged first (with the
 * colleague's own token, through the extension), a log the CRM's gateway refuses and Retry, and
 * a correction applied to the background sync of a connected Gmail mailbox (FakeGmailApi through
 * tests/e2e/harness/mailboxSync.ts). One browser for the whole file.
 */
const me = { name: SEED.demoUser.name, address: SEED.demoUser.email };
const colleague = { name: SEED.colleague.name, address: SEED.colleague.email };
const alice = { name: SEED.contacts.primary.name, address: SEED.contacts.primary.email };
const ben = { name: SEED.contacts.withAlternate.name, address: SEED.contacts.withAlternate.email };
const PILOT_DEAL = { id: 'deal_seed_001', name: 'Acme Robotics: fleet automation pilot' };
const SALESFORCE_INSTANCE = 'northwind.my.salesforce.com';

interface LoggedActivity {
  contactId: string;
  subject: string;
  dealId: string | null;
}

function receipts(page: Page) {
  return panel(page).getByRole('region', { name: 'Log emails' });
}

describe('Receipts, deal choice, corrections and never-log in the Outlook panel', () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;
  let salesforce: FakeSalesforceApi;
  let salesforceRep: FakeSalesforceUser;
  let proxy: FaultyCrmProxy;
  let google: GoogleFakes;

  async function activitiesFor(contactId: string, subject: string): Promise<LoggedActivity[]> {
    const { body } = await crm.api<{ activities: LoggedActivity[] }>(
      `/contacts/${contactId}/activities?limit=100`,
    );
    return body.activities.filter((a) => a.subject === subject);
  }

  async function activitiesByExternalId(externalId: string): Promise<string[]> {
    const { body } = await crm.api<{ activities: { contactId: string }[] }>(
      `/activities?externalId=${encodeURIComponent(externalId)}`,
    );
    return body.activities.map((a) => a.contactId);
  }

  /** A message the rep sent from Gmail (headers as in tests/e2e/sync.e2e.test.ts); returns its externalId. */
  function sendGmail(key: string, to: string): string {
    const local = `CAE2E-receipts-${key}-${Date.now().toString(36)}`;
    const date = Date.now() - 60_000;
    google.gmail.sendMessage(me.address, {
      internalDate: date,
      headers: [
        { name: 'From', value: `${me.name} <${me.address}>` },
        { name: 'To', value: to },
        { name: 'Subject', value: `E2E receipts ${key}` },
        { name: 'Date', value: new Date(date).toUTCString().replace('GMT', '+0000') },
        { name: 'Message-ID', value: `<${local}@mail.gmail.com>` },
      ],
      snippet: `About ${key}`,
    });
    return `${local}@mail.gmail.com`.toLowerCase();
  }

  beforeAll(async () => {
    crm = await startReferenceCrm();
    salesforce = new FakeSalesforceApi({ instanceUrl: `https://${SALESFORCE_INSTANCE}` });
    // Only scripted faults: the gateway passes everything else through.
    proxy = await startFaultyCrmProxy({ target: () => crm.handle.url, probability: 0 });
    google = createGoogleFakes(me.address);
    env = await startE2eEnvironment({
      extraRoutes: {
        [SALESFORCE_INSTANCE]: withExtensionCors(salesforce.requestHandler),
        ...google.routes,
      },
    });
    salesforceRep = salesforce.addUser({ name: me.name, email: me.address });
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
  });
  afterAll(async () => {
    await env?.close();
    await proxy?.close();
    await crm?.close();
  });

  it('shows a thread a colleague logged first, by name and when, and offers no second log', async () => {
    const subject = 'Onboarding timeline (colleague e2e)';
    const thread = conversation('CONV-COLLEAGUE', subject, alice, [me, colleague], {
      date: '2026-11-21T08:05:00Z',
    });
    // The colleague's own extension logs it first (the demo's way: scripts/demo/startDemo.ts).
    // First in the file: the seed's colleague token is dropped once the CRM restarts with a
    // configured token (server/seed.ts), as the queued-receipt test below does.
    await configureCrm(env.browser, crm.handle.url, SEED.colleague.token);
    try {
      const theirs = await env.browser.newPage();
      await openOutlookConversation(theirs, [thread]);
      await receipts(theirs)
        .getByRole('button', { name: /^Log email/ })
        .click({ timeout: 15_000 });
      await receipts(theirs).locator('.crm-log-logged').waitFor({ timeout: 15_000 });
      await theirs.close();
    } finally {
      await configureCrm(env.browser, crm.handle.url, crm.handle.token);
    }

    const page = await env.browser.newPage();
    await openOutlookConversation(page, [thread]);
    const logged = receipts(page).locator('.crm-log-logged');
    await logged.waitFor({ timeout: 15_000 });
    expect(await logged.textContent()).toMatch(
      new RegExp(
        `Already logged by ${colleague.name} (just now|\\d+ (seconds?|minutes?) ago).*to ${alice.name}`,
      ),
    );
    expect(
      await receipts(page)
        .getByRole('button', { name: /^Log email/ })
        .count(),
    ).toBe(0);
    const activities = await activitiesFor(SEED.contacts.primary.id, subject);
    expect(activities).toHaveLength(1);
    await page.close();
  });

  it('says what logging shares, then a chosen deal gets the email and the reply, and the receipts say so', async () => {
    const subject = 'Fleet pilot scope (deal e2e)';
    const first = conversation('CONV-DEAL', subject, alice, [me], { date: '2026-11-20T09:14:00Z' });
    const page = await env.browser.newPage();
    await openOutlookConversation(page, [first]);
    const sharing = panel(page).getByTestId('crm-sharing');
    await sharing.waitFor({ timeout: 15_000 });
    expect(await sharing.textContent()).toBe(
      'Logging shares: sender, recipients, date, subject and the opening lines of the text (at most 500 characters). Change what is shared',
    );

    const picker = panel(page).getByLabel('Log this thread to');
    // A rep opens the list (a real click in the panel frame) and picks: the panel writes only
    // right after a gesture in it (components/panel/PanelClickGuard); selectOption alone is script.
    await picker.click();
    await picker.selectOption(PILOT_DEAL.id);
    await panel(page).getByText(`Saved: ${PILOT_DEAL.name}.`).waitFor({ timeout: 15_000 });
    await receipts(page)
      .getByRole('button', { name: /^Log email/ })
      .click();
    const logged = receipts(page).locator('.crm-log-logged');
    await logged.waitFor({ timeout: 15_000 });
    expect(await logged.textContent()).toMatch(
      new RegExp(`Logged .* by You.*to ${alice.name} · deal: ${PILOT_DEAL.name}`),
    );
    // Logged once: nothing left to say before the first log.
    expect(await sharing.count()).toBe(0);

    // The reply arrives; logging it asks nothing and lands on the same deal.
    await openOutlookConversation(page, [
      withReply(first, alice, [me], {
        date: '2026-11-20T10:40:00Z',
        body: 'Thanks, see the scope attached.',
      }),
    ]);
    await receipts(page)
      .getByRole('button', { name: /^Log email/ })
      .click({ timeout: 15_000 });
    await expect.poll(() => receipts(page).locator('.crm-log-logged').count(), { timeout: 15_000 }).toBe(2);
    const activities = await activitiesFor(SEED.contacts.primary.id, subject);
    expect(activities.map((a) => a.dealId)).toEqual([PILOT_DEAL.id, PILOT_DEAL.id]);
    await page.close();
  });

  it('words the skip receipts by rule and queues while the CRM is down', async () => {
    const page = await env.browser.newPage();
    const freeMail = { name: 'Lee Private', address: 'lee.private.e2e@gmail.com' };
    await openOutlookConversation(page, [
      conversation('CONV-FREE', 'Personal note (receipt e2e)', freeMail, [me]),
    ]);
    const free = receipts(page).locator('[data-skip-rule="free_mail"]');
    await free.waitFor({ timeout: 15_000 });
    expect(await free.textContent()).toBe(
      'Skipped: a free-mail address, which never makes a contactgmail.com',
    );
    expect(
      await receipts(page)
        .getByRole('button', { name: /^Log email/ })
        .count(),
    ).toBe(0);

    const stranger = { name: 'Quinn Vendor', address: 'quinn@unknown-vendor.example' };
    await openOutlookConversation(page, [
      conversation('CONV-NONE', 'Cold pitch (receipt e2e)', stranger, [me]),
    ]);
    await receipts(page).locator('[data-skip-rule="no_contact"]').waitFor({ timeout: 15_000 });

    const subject = 'Renewal timing (queued receipt e2e)';
    await openOutlookConversation(page, [conversation('CONV-QUEUE', subject, alice, [me])]);
    const logButton = receipts(page).getByRole('button', { name: /^Log email/ });
    await logButton.waitFor({ timeout: 15_000 });
    expect(await receipts(page).textContent()).toContain(`Logs to ${alice.name}`);
    await crm.stop();
    await logButton.click();
    const queued = receipts(page).locator('.crm-log-queued');
    await queued.waitFor({ timeout: 20_000 });
    expect(await queued.textContent()).toContain(`Queued — will be sent when the CRM is reachable`);
    expect(await queued.textContent()).toContain(`to ${alice.name}`);
    await crm.restart();
    await expect
      .poll(async () => (await activitiesFor(SEED.contacts.primary.id, subject)).length, {
        timeout: 60_000,
        interval: 1_000,
      })
      .toBe(1);
    await page.close();
  });

  it('never logs an address from the panel, at once and for the next thread, with undo', async () => {
    const page = await env.browser.newPage();
    await openOutlookConversation(page, [
      conversation('CONV-NEVER', 'Board pack (never-log e2e)', alice, [me]),
    ]);
    await panel(page)
      .getByRole('button', { name: `Never log this address: ${alice.address}` })
      .click({ timeout: 15_000 });
    const skipped = receipts(page).locator('[data-skip-rule="never_log"]');
    await skipped.waitFor({ timeout: 15_000 });
    expect(await skipped.textContent()).toBe(`Skipped: on your never-log list${alice.address}`);
    expect(
      await receipts(page)
        .getByRole('button', { name: /^Log email/ })
        .count(),
    ).toBe(0);

    // The next thread with her is skipped too, before anyone clicks.
    const next = await env.browser.newPage();
    await openOutlookConversation(next, [
      conversation('CONV-NEVER-2', 'Board pack follow-up (never-log e2e)', alice, [me]),
    ]);
    await receipts(next).locator('[data-skip-rule="never_log"]').waitFor({ timeout: 15_000 });
    await next.close();

    await panel(page).getByRole('button', { name: 'Undo' }).click();
    await receipts(page)
      .getByRole('button', { name: /^Log email/ })
      .waitFor({ timeout: 15_000 });
    await page.close();
  });

  it('shows a log the CRM gateway refused, with Retry, and Retry logs it once', async () => {
    const subject = 'Contract redlines (failed receipt e2e)';
    await configureCrm(env.browser, proxy.url, crm.handle.token);
    proxy.enqueueFault('refused', 'POST /api/v1/activities');
    const page = await env.browser.newPage();
    await openOutlookConversation(page, [conversation('CONV-FAIL', subject, alice, [me])]);
    await receipts(page)
      .getByRole('button', { name: /^Log email/ })
      .click({ timeout: 15_000 });
    const retry = receipts(page).getByRole('button', { name: `Retry logging “${subject}”` });
    await retry.waitFor({ timeout: 20_000 });
    const failure = receipts(page).locator('.crm-log-failed');
    expect(await failure.textContent()).toContain('Nothing is lost: Retry sends it again, once.');
    expect(await failure.locator('.crm-error').textContent()).not.toBe('');
    expect(proxy.counters.byFault.refused).toBe(1);
    expect(await activitiesFor(SEED.contacts.primary.id, subject)).toHaveLength(0);

    // The gateway lets it through now (the scripted refusal was the only one).
    await retry.click();
    await receipts(page).locator('.crm-log-logged').waitFor({ timeout: 20_000 });
    expect(await activitiesFor(SEED.contacts.primary.id, subject)).toHaveLength(1);
    expect(await retry.count()).toBe(0);
    await page.close();
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
  });

  it('applies "Not this person" to the next thread and to the sync', async () => {
    const page = await env.browser.newPage();
    await openOutlookConversation(page, [
      conversation('CONV-FIX', 'Analytics add-on (correction e2e)', ben, [me]),
    ]);
    const card = panel(page).getByRole('article', { name: ben.name });
    await card.waitFor({ timeout: 15_000 });
    await card.getByRole('button', { name: 'Not this person' }).click();
    await card.waitFor({ state: 'detached', timeout: 15_000 });

    const next = await env.browser.newPage();
    await openOutlookConversation(next, [
      conversation('CONV-FIX-2', 'Analytics add-on, again (correction e2e)', ben, [me]),
    ]);
    await receipts(next).locator('[data-skip-rule="no_contact"]').waitFor({ timeout: 15_000 });
    expect(await panel(next).getByRole('article', { name: ben.name }).count()).toBe(0);
    await next.close();
    await page.close();

    // The background sync of sent mail follows the correction: mail to him logs to nobody,
    // while mail to Alice in the same pass is logged (the sync did run).
    const popup = await env.browser.newPage();
    await popup.goto(env.browser.extensionUrl('popup.html'));
    await configureGoogleApp(env.browser, google);
    const mailbox = await ask<MailboxStatus>(env.browser, 'mailbox.connect', { provider: 'gmail' }, popup);
    const first = await waitForSyncedAndDelivered(env.browser, mailbox.id, { page: popup });
    const toBen = sendGmail('ben-corrected', `${ben.name} <${ben.address}>`);
    const toAlice = sendGmail('alice-control', `${alice.name} <${alice.address}>`);
    await ask(env.browser, 'mailbox.syncNow', { id: mailbox.id }, popup);
    const { status, mailbox: synced } = await waitForSyncedAndDelivered(env.browser, mailbox.id, {
      since: first.mailbox.lastSyncAt,
      page: popup,
    });
    expect(status.outbox.failed).toBe(0);
    expect(synced.progress).toMatchObject({ logged: 1 });
    expect(await activitiesByExternalId(toAlice)).toEqual([SEED.contacts.primary.id]);
    expect(await activitiesByExternalId(toBen)).toEqual([]);
    expect((await activitiesFor(SEED.contacts.withAlternate.id, 'E2E receipts ben-corrected')).length).toBe(
      0,
    );
    expect((await getStatus(env.browser, popup)).mailboxes).toHaveLength(1);
    await popup.close();
    const cleared = await sendExtensionMessage(env.browser, 'settings.update', {
      patch: { matchOverrides: [] },
    });
    expect(cleared.ok).toBe(true);
  });

  it('asks who an address shared by two records is, logs nothing to a guess, and logs to the pick', async () => {
    const shared = 'info@harbour-freight.example';
    const account = salesforce.add('Account', {
      Name: 'Harbour Freight',
      Website: 'harbour-freight.example',
    });
    const contact = salesforce.add('Contact', {
      FirstName: 'Morgan',
      LastName: 'Shared',
      Email: shared,
      AccountId: account.Id,
      OwnerId: salesforceRep.id,
    });
    salesforce.add('Lead', {
      LastName: 'Inbox Lead',
      Email: shared,
      Company: 'Harbour Freight',
      IsConverted: false,
    });
    const switched = await sendExtensionMessage(env.browser, 'settings.update', {
      patch: {
        crm: {
          type: 'salesforce',
          baseUrl: `https://${SALESFORCE_INSTANCE}`,
          token: salesforceRep.accessToken,
        },
      },
    });
    expect(switched.ok, JSON.stringify(switched)).toBe(true);

    const page = await env.browser.newPage();
    const subject = 'Freight quote (ambiguous e2e)';
    await openOutlookConversation(page, [
      conversation('CONV-SHARED', subject, { name: 'Harbour Freight', address: shared }, [me]),
    ]);
    const who = panel(page).getByRole('region', { name: 'Who is this?' });
    await who.waitFor({ timeout: 20_000 });
    const skipped = receipts(page).locator('[data-skip-rule="ambiguous"]');
    expect(await skipped.textContent()).toBe(`Skipped: several contacts share this address${shared}`);
    expect(
      await receipts(page)
        .getByRole('button', { name: /^Log email/ })
        .count(),
    ).toBe(0);

    await who.getByRole('button', { name: /^Morgan Shared/ }).click();
    await panel(page).getByRole('article', { name: 'Morgan Shared' }).waitFor({ timeout: 20_000 });
    await receipts(page)
      .getByRole('button', { name: /^Log email/ })
      .click({ timeout: 15_000 });
    await receipts(page).locator('.crm-log-logged').waitFor({ timeout: 20_000 });
    const messages = [...salesforce.records.EmailMessage.values()].filter((m) => m.Subject === subject);
    expect(messages).toHaveLength(1);
    const relations = [...salesforce.records.EmailMessageRelation.values()].filter(
      (r) => r.EmailMessageId === messages[0]!.Id,
    );
    expect(relations.map((r) => r.RelationId)).toEqual([contact.Id]);
    await page.close();
  });
});
