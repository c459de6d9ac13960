import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGraphRestId } from '../../lib/mail/outlook/page/outlookIds';
import type { MailboxStatus } from '../../lib/messaging/messages';
import { SEED } from '../../server/seed';
import { configureCrm } from './harness/extensionMessages';
import { ask, waitForSyncedAndDelivered } from './harness/mailboxSync';
import {
  configureMicrosoftApp,
  createMicrosoftFakes,
  type MicrosoftFakes,
  TEST_MICROSOFT_CLIENT_ID,
} from './harness/microsoftFakes';
import { conversation, openOutlookConversation } from './harness/outlookConversations';
import { loggedContactIds, type ReferenceCrm, startReferenceCrm } from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

// The signed-in user of the Outlook fixture page (tests/e2e/fixtures/outlook) and of the CRM.
const ME = SEED.demoUser.email;
const alice = SEED.contacts.primary;
const ALICE = { name: alice.name, address: alice.email };
const DANA = { name: SEED.demoUser.name, address: ME };

interface FixtureSend {
  subject: string;
  to: string[];
  at: string;
}

describe('"Log to CRM" in Outlook on the web compose forms (built extension, Chromium, Graph fakes)', () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;
  let ms: MicrosoftFakes;
  let popup: Page;
  let tab: Page;
  let mailbox: MailboxStatus;
  let counter = 0;

  /** Opens a conversation from Alice, writes a reply in it and returns the form's toggle. */
  async function replyToAlice(subject: string): Promise<{ conversationId: string }> {
    const conversationId = toGraphRestId(`AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQAC${++counter}Cmps`);
    await openOutlookConversation(tab, [conversation(conversationId, subject, ALICE, [DANA])]);
    await tab.evaluate(
      (to) => {
        (window as unknown as { __outlookFixture: { reply(to: unknown): void } }).__outlookFixture.reply(to);
      },
      [ALICE],
    );
    await tab.locator('input[data-crm-log-toggle]').waitFor({ timeout: 10_000 });
    return { conversationId };
  }

  /** Exchange files the sent reply under Sent Items, as Graph then lists it. */
  function fileInSentItems(send: FixtureSend, conversationId: string): string {
    const local = `E2E-COMPOSE-${counter}-${Date.now().toString(36)}`;
    const when = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    ms.graph.sendMessage(ME, {
      internetMessageId: `<${local}@EXAMPLEPR01MB1234.namprd01.prod.outlook.example>`,
      conversationId,
      subject: send.subject,
      bodyPreview: 'Thanks, happy to discuss a wider rollout.',
      from: { name: DANA.name, address: ME },
      toRecipients: send.to.map((address) => ({ name: ALICE.name, address })),
      sentDateTime: when,
      receivedDateTime: when,
    });
    return `${local}@EXAMPLEPR01MB1234.namprd01.prod.outlook.example`.toLowerCase();
  }

  async function pressSend(): Promise<FixtureSend> {
    await tab.locator('button[aria-label="Send"]').click();
    await tab.locator('[id^="docking_InitVisiblePart_"]').waitFor({ state: 'detached' });
    const sends = await tab.evaluate(() =>
      (window as unknown as { __outlookFixture: { sends(): FixtureSend[] } }).__outlookFixture.sends(),
    );
    return sends.at(-1)!;
  }

  beforeAll(async () => {
    crm = await startReferenceCrm();
    ms = createMicrosoftFakes(ME, {
      displayName: DANA.name,
      apps: [{ clientId: TEST_MICROSOFT_CLIENT_ID, platform: 'spa' }],
    });
    env = await startE2eEnvironment({ extraRoutes: ms.routes });
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
    await configureMicrosoftApp(env.browser, ms);
    // Only the compose switch logs sent mail: the sync does not log it by itself.
    await ask(env.browser, 'settings.update', {
      patch: { historicalImportDays: 0, autoLogSent: false, logComposeByDefault: true },
    });
    popup = await env.browser.newPage();
    await popup.goto(env.browser.extensionUrl('popup.html'));
    mailbox = await ask<MailboxStatus>(env.browser, 'mailbox.connect', { provider: 'outlook' }, popup);
    await waitForSyncedAndDelivered(env.browser, mailbox.id, { page: popup });
    // Opened after the connection, so the tab knows the background confirms sends in Sent Items.
    tab = await env.browser.newPage();
    await tab.goto('https://outlook.office.com/mail/inbox');
  });
  afterAll(async () => {
    await env?.close();
    await crm?.close();
  });

  /** The reply sent with the switch off: the sync must not log it later either. */
  let sentWithSwitchOff = '';

  it('with the switch turned off, a sent reply is not logged', async () => {
    const { conversationId } = await replyToAlice('Compose e2e: not this one');
    const toggle = tab.locator('input[data-crm-log-toggle]');
    expect(await toggle.isChecked()).toBe(true);
    await toggle.press('Space'); // keyboard, as a person may
    expect(await toggle.isChecked()).toBe(false);
    const send = await pressSend();
    const externalId = fileInSentItems(send, conversationId);
    sentWithSwitchOff = externalId;
    // Past the background's whole Sent Items lookup, had anything been sent to it.
    await new Promise((r) => setTimeout(r, 6_000));
    expect(await loggedContactIds(crm, externalId)).toEqual([]);
  });

  it('with the switch on, a sent reply is logged once with its exact Message-ID, and the sync adds nothing, nor logs the one sent with the switch off', async () => {
    const { conversationId } = await replyToAlice('Compose e2e: pilot rollout');
    expect(await tab.locator('input[data-crm-log-toggle]').isChecked()).toBe(true);
    const send = await pressSend();
    expect(send.to).toEqual([alice.email]);
    // Exchange files it a moment after the form closes; the background keeps looking meanwhile.
    await new Promise((r) => setTimeout(r, 500));
    const externalId = fileInSentItems(send, conversationId);
    await expect.poll(() => loggedContactIds(crm, externalId), { timeout: 30_000 }).toEqual([alice.id]);

    // Now the sync logs sent mail too: it meets the registry, so still one activity.
    await ask(env.browser, 'settings.update', { patch: { autoLogSent: true } }, popup);
    const before = (await ask<{ mailboxes: MailboxStatus[] }>(env.browser, 'status.get', {}, popup))
      .mailboxes[0]?.lastSyncAt;
    await ask(env.browser, 'mailbox.syncNow', { id: mailbox.id }, popup);
    const { status } = await waitForSyncedAndDelivered(env.browser, mailbox.id, {
      since: before,
      page: popup,
    });
    expect(status.outbox.failed).toBe(0);
    expect(await loggedContactIds(crm, externalId)).toEqual([alice.id]);
    // The rep's "off" for that reply outranks "log sent mail automatically".
    expect(sentWithSwitchOff).not.toBe('');
    expect(await loggedContactIds(crm, sentWithSwitchOff)).toEqual([]);
  });

  it('raised no errors in extension pages', () => {
    expect(env.browser.pageErrors.filter((e) => e.startsWith('chrome-extension://'))).toEqual([]);
  });
});
