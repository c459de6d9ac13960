import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxStatus } from '../../lib/messaging/messages';
import { SEED } from '../../server/seed';
import { configureCrm } from './harness/extensionMessages';
import { ask, getStatus, waitForSyncedAndDelivered } from './harness/mailboxSync';
import {
  configureMicrosoftApp,
  createMicrosoftFakes,
  type MicrosoftFakes,
  TEST_MICROSOFT_CLIENT_ID,
} from './harness/microsoftFakes';
import { conversation, openOutlookConversation } from './harness/outlookConversations';
import { panel } from './harness/panelFrame';
import { loggedContactIds, type ReferenceCrm, startReferenceCrm } from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

/**
 * After the log, in the built extension on the Outlook fixture page (tests/fixtures/outlook/SOURCES.md,
 * driven through tests/e2e/fixtures/outlook as tests/e2e/harness/outlookConversations.ts does), with
 * the reference CRM and the Microsoft Graph fake (tests/fakes/FakeGraphApi.ts, sourced there):
 * Remove (with Undo), Move and Redact from a logged email's receipt, then the mailbox sync leaves
 * the removed email out; "Add as X's other address" for an unknown participant with a known
 * contact's name at the same company, and the next thread from that address shows the known card;
 * the card's "Last emailed by" line from a colleague's outgoing email in the CRM. Every check of
 * a change reads the CRM through its own API, not only the panel's words.
 */
const me = { name: SEED.demoUser.name, address: SEED.demoUser.email };
const alice = { name: SEED.contacts.primary.name, address: SEED.contacts.primary.email };
const ALICE_ID = SEED.contacts.primary.id;
/** Alice's open deal in the seed (server/seed.ts, "One open deal for the primary contact"). */
const PILOT_DEAL = { id: 'deal_seed_001', name: 'Acme Robotics: fleet automation pilot' };
/** The scheduled sync's alarm (entrypoints/background.ts). */
const SYNC_ALARM = 'mailbox-sync';

interface CrmActivity {
  id: string;
  contactId: string;
  dealId: string | null;
  subject: string;
  snippet: string;
  body?: string;
  occurredAt: string;
  from: { name: string; address: string };
  loggedBy: string;
}

const graphTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function receipts(page: Page) {
  return panel(page).getByRole('region', { name: 'Log emails' });
}

describe('Undo, move and redact from the receipt, other addresses and the team line (Outlook, built extension)', () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;
  let ms: MicrosoftFakes;
  let popup: Page;
  let mailbox: MailboxStatus;

  async function activitiesOf(externalId: string): Promise<CrmActivity[]> {
    const { status, body } = await crm.api<{ activities: CrmActivity[] }>(
      `/activities?externalId=${encodeURIComponent(externalId)}`,
    );
    expect(status).toBe(200);
    return body.activities;
  }

  /** Holds the scheduled sync off, so only the test's own "Sync now" reads the mailbox. */
  async function holdScheduledSync(): Promise<void> {
    await popup.evaluate(
      (name) =>
        (
          globalThis as unknown as { chrome: { alarms: { clear(n: string): Promise<boolean> } } }
        ).chrome.alarms.clear(name),
      SYNC_ALARM,
    );
  }

  async function openFresh(conversations: Parameters<typeof openOutlookConversation>[1]): Promise<Page> {
    const page = await env.browser.newPage();
    await openOutlookConversation(page, conversations);
    return page;
  }

  beforeAll(async () => {
    crm = await startReferenceCrm();
    ms = createMicrosoftFakes(me.address, {
      displayName: me.name,
      apps: [{ clientId: TEST_MICROSOFT_CLIENT_ID, platform: 'spa' }],
    });
    env = await startE2eEnvironment({ extraRoutes: ms.routes });
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
    await configureMicrosoftApp(env.browser, ms);
    await ask(env.browser, 'settings.update', { patch: { historicalImportDays: 30 } });
    popup = await env.browser.newPage();
    await popup.goto(env.browser.extensionUrl('popup.html'));
    // Connected first (its Sent Items empty): the panel then reads the exact Message-ID of an
    // open message through Graph (lib/mail/outlook/api/upgradeOutlookSnapshot.ts), the key the
    // sync uses too.
    mailbox = await ask<MailboxStatus>(env.browser, 'mailbox.connect', { provider: 'outlook' }, popup);
    const { mailbox: first } = await waitForSyncedAndDelivered(env.browser, mailbox.id, { page: popup });
    expect(first.progress).toMatchObject({ logged: 0 });
  });
  afterAll(async () => {
    await env?.close();
    await crm?.close();
  });

  it('shows "Last emailed by" a colleague from the CRM\'s outgoing email, with its time', async () => {
    // The colleague logs an email they sent Alice, with their own token (server/seed.ts).
    const occurredAt = graphTime(Date.now() - 5 * 60_000);
    const externalId = `e2e-team-line-${Date.now().toString(36)}@mail.northwind-trading.com`;
    const posted = await crm.api<{ results: { status: string }[] }>('/activities', {
      method: 'POST',
      headers: { authorization: `Bearer ${SEED.colleague.token}` },
      body: JSON.stringify({
        activities: [
          {
            externalId,
            contactId: ALICE_ID,
            direction: 'outgoing',
            subject: 'Pilot pricing (team line e2e)',
            snippet: 'As promised, the pilot pricing.',
            occurredAt,
            from: { name: SEED.colleague.name, address: SEED.colleague.email },
            to: [alice],
            cc: [],
            hasAttachments: false,
            source: 'outlook',
          },
        ],
      }),
    });
    expect(posted.status).toBe(201);
    const [stored] = await activitiesOf(externalId);
    expect(stored?.loggedBy).toBe(SEED.colleague.id);

    const page = await openFresh([
      conversation('CONV-TEAM-LINE', 'Pilot questions (team line e2e)', alice, [me]),
    ]);
    const card = panel(page).getByRole('article', { name: alice.name });
    await card.waitFor({ timeout: 20_000 });
    const line = card.locator('dt:text-is("Last emailed by") + dd');
    await line.waitFor({ timeout: 15_000 });
    expect(await line.innerText()).toMatch(new RegExp(`^${SEED.colleague.name}, `));
    const shown = await line.locator('time').getAttribute('datetime');
    expect(Date.parse(shown ?? '')).toBe(Date.parse(occurredAt));
    await page.close();
  });

  it('offers "Add as Alice Moreau\'s other address", adds it in the CRM, and the next thread shows her card', async () => {
    // Ours: an unknown address at Alice's company under her full name, cc'ing her known one
    // (tests/e2e/fixtures/outlook conversation markup, as every conversation() of these tests).
    const other = { name: alice.name, address: `a.moreau.e2e@${SEED.companies.acme.domain}` };
    const page = await openFresh([
      conversation('CONV-OTHER-ADDRESS', 'Signed order form (other address e2e)', other, [me], {
        cc: [alice],
      }),
    ]);
    const notInCrm = panel(page).getByRole('region', { name: 'Not in your CRM' });
    const add = notInCrm.getByRole('button', { name: `Add as ${alice.name}'s other address` });
    await add.waitFor({ timeout: 20_000 });
    expect(await notInCrm.textContent()).toContain(
      `${other.name} at ${other.address} has the name of ${alice.name}, at the same company.`,
    );
    const before = await crm.api<{ emails: string[] }>(`/contacts/${ALICE_ID}`);
    expect(before.body.emails).not.toContain(other.address);

    await add.click();
    await panel(page)
      .getByText(`${other.address} is now ${alice.name}'s other address in the CRM.`)
      .first()
      .waitFor({ timeout: 20_000 });
    const after = await crm.api<{ emails: string[] }>(`/contacts/${ALICE_ID}`);
    expect(after.status).toBe(200);
    expect(after.body.emails).toContain(other.address);
    expect(after.body.emails).toContain(alice.address);
    await page.close();

    // The next thread, from that address only, shows Alice's card and no unknown.
    const next = await openFresh([
      conversation('CONV-OTHER-ADDRESS-2', 'Order form, countersigned (other address e2e)', other, [me]),
    ]);
    await panel(next).getByRole('article', { name: alice.name }).waitFor({ timeout: 20_000 });
    expect(await panel(next).getByRole('region', { name: 'Not in your CRM' }).count()).toBe(0);
    await next.close();
  });

  it('logs, moves, redacts, removes with Undo and removes again; the sync leaves the removed email out', async () => {
    await holdScheduledSync();
    // Ours: an email Dana sent Alice, shown in Sent Items by the fixture page (conversation()
    // markup, folder sentitems) and held in the mailbox where Graph reads it (FakeGraphApi's
    // message shape), as tests/e2e/sidePanel.e2e.test.ts pairs them: the page shows the
    // minute, Graph the seconds within it. The conversation id is in Outlook's REST form.
    const subject = 'Rollout plan (receipt actions e2e)';
    const conversationId = 'AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQARundo1A';
    // Sent now, after the mailbox was connected: the sync's delta covers it.
    const now = Date.now();
    const sentAt = Math.floor(now / 60_000) * 60_000;
    const thread = conversation(conversationId, subject, me, [alice], {
      folder: 'sentitems',
      date: graphTime(sentAt),
      body: 'Here is the rollout plan we discussed.',
    });
    const local = `RECEIPT-ACTIONS-${Date.now().toString(36)}`;
    ms.graph.sendMessage(me.address, {
      folder: 'sentitems',
      conversationId,
      internetMessageId: `<${local}@EXAMPLEPR01MB1234.namprd01.prod.outlook.example>`,
      subject,
      bodyPreview: 'Here is the rollout plan we discussed.',
      from: me,
      toRecipients: [alice],
      sentDateTime: graphTime(now),
      receivedDateTime: graphTime(now),
    });
    const externalId = `${local}@EXAMPLEPR01MB1234.namprd01.prod.outlook.example`.toLowerCase();

    // Log it from the panel: under its exact Message-ID, to Alice, on no deal.
    let page = await openFresh([thread]);
    await receipts(page)
      .getByRole('button', { name: `Log email “${subject}”`, exact: true })
      .click({ timeout: 20_000 });
    await receipts(page).locator('.crm-log-logged').waitFor({ timeout: 20_000 });
    await expect.poll(() => loggedContactIds(crm, externalId), { timeout: 20_000 }).toEqual([ALICE_ID]);
    const logged = (await activitiesOf(externalId))[0]!;
    expect(logged).toMatchObject({ dealId: null, subject, loggedBy: SEED.demoUser.id });

    // Move it to Alice's open deal.
    await receipts(page)
      .getByRole('button', { name: `Move “${subject}”`, exact: true })
      .click();
    const moveTo = receipts(page).getByLabel('Move to');
    await moveTo.click();
    await moveTo.selectOption(`deal:${PILOT_DEAL.id}`);
    await receipts(page).getByText(`Moved to ${PILOT_DEAL.name}.`).waitFor({ timeout: 20_000 });
    const moved = await activitiesOf(externalId);
    expect(moved.map((a) => [a.id, a.contactId, a.dealId])).toEqual([[logged.id, ALICE_ID, PILOT_DEAL.id]]);
    await page.close();

    // Redact it, after the confirmation: the CRM keeps who and when only.
    page = await openFresh([thread]);
    await receipts(page)
      .getByRole('button', { name: `Redact “${subject}”`, exact: true })
      .click({ timeout: 20_000 });
    const confirm = receipts(page).locator('fieldset.crm-receipt-confirm');
    expect(await confirm.locator('legend').innerText()).toBe(
      'Redact: the CRM keeps who and when only. This cannot be undone.',
    );
    // Nothing changes before the rep confirms.
    expect((await activitiesOf(externalId))[0]?.subject).toBe(subject);
    await confirm.getByRole('button', { name: 'Redact', exact: true }).click();
    await receipts(page).getByText('Redacted: the CRM keeps who and when only.').waitFor({ timeout: 20_000 });
    const [redacted] = await activitiesOf(externalId);
    expect(redacted).toMatchObject({
      id: logged.id,
      contactId: ALICE_ID,
      dealId: PILOT_DEAL.id,
      subject: '',
      snippet: '',
      occurredAt: logged.occurredAt,
      from: logged.from,
    });
    expect(redacted?.body ?? '').toBe('');
    await page.close();

    // Remove it, then Undo within the toast: logged again, as it was (redacted, on the deal).
    page = await openFresh([thread]);
    await receipts(page)
      .getByRole('button', { name: `Remove “${subject}” from the CRM`, exact: true })
      .click({ timeout: 20_000 });
    await receipts(page)
      .getByText('Removed from the CRM. The sync will not log it again.')
      .waitFor({ timeout: 20_000 });
    expect(await loggedContactIds(crm, externalId)).toEqual([]);
    await receipts(page).getByRole('button', { name: 'Undo', exact: true }).click();
    await receipts(page).getByText('Logged again.').waitFor({ timeout: 20_000 });
    const restored = await activitiesOf(externalId);
    expect(restored.map((a) => [a.contactId, a.dealId, a.subject, a.snippet])).toEqual([
      [ALICE_ID, PILOT_DEAL.id, '', ''],
    ]);
    await page.close();

    // Remove it again and let the Undo run out.
    page = await openFresh([thread]);
    await receipts(page)
      .getByRole('button', { name: `Remove “${subject}” from the CRM`, exact: true })
      .click({ timeout: 20_000 });
    const undo = receipts(page).getByRole('button', { name: 'Undo', exact: true });
    await undo.waitFor({ timeout: 20_000 });
    await undo.waitFor({ state: 'detached', timeout: 20_000 });
    expect(await loggedContactIds(crm, externalId)).toEqual([]);
    await page.close();

    // The sync reads the mailbox, this email included, and leaves it out.
    const before = (await getStatus(env.browser, popup)).mailboxes.find((m) => m.id === mailbox.id);
    expect(await ask(env.browser, 'mailbox.syncNow', { id: mailbox.id }, popup)).toEqual({ started: 1 });
    const { status, mailbox: synced } = await waitForSyncedAndDelivered(env.browser, mailbox.id, {
      since: before?.lastSyncAt ?? null,
      page: popup,
    });
    expect(status.outbox.failed).toBe(0);
    expect(synced.progress).toMatchObject({ logged: 0 });
    expect(synced.skippedReasons).toMatchObject({ removed_by_you: 1 });
    expect(await loggedContactIds(crm, externalId)).toEqual([]);

    // The receipt says it was removed by the rep, and offers no Log email.
    page = await openFresh([thread]);
    const removed = receipts(page).locator('[data-skip-rule="removed_by_you"]');
    await removed.waitFor({ timeout: 20_000 });
    expect(await removed.textContent()).toContain(
      'you removed it from the CRM, so neither the sync nor Log email puts it back',
    );
    expect(
      await receipts(page)
        .getByRole('button', { name: /^Log email/ })
        .count(),
    ).toBe(0);
    await page.close();
    expect(await loggedContactIds(crm, externalId)).toEqual([]);
  });

  it('raised no errors in extension pages', () => {
    expect(env.browser.pageErrors.filter((e) => e.startsWith('chrome-extension://'))).toEqual([]);
  });
});
