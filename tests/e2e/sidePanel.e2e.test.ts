import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtensionStatus, MailboxStatus } from '../../lib/messaging/messages';
import { SEED } from '../../server/seed';
import { configureCrm } from './harness/extensionMessages';
import { ask, getStatus } from './harness/mailboxSync';
import {
  configureMicrosoftApp,
  createMicrosoftFakes,
  type MicrosoftFakes,
  TEST_MICROSOFT_CLIENT_ID,
} from './harness/microsoftFakes';
import { conversation, OUTLOOK_ORIGIN, openOutlookConversation } from './harness/outlookConversations';
import { loggedContactIds, type ReferenceCrm, startReferenceCrm } from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

const ME = SEED.demoUser.email;
const alice = { name: SEED.contacts.primary.name, address: SEED.contacts.primary.email };
const me = { name: SEED.demoUser.name, address: ME };

/**
 * What an Outlook redesign does to the page the reader knows (tests/e2e/fixtures/outlook, each
 * hook sourced in tests/fixtures/outlook/SOURCES.md): the hooks it relies on are renamed. The
 * message is still on screen for a person; the reader finds nothing it recognises (the reading
 * pane's own container keeps its id: the fixture app renders into it).
 */
async function renameOutlookHooks(page: Page): Promise<void> {
  // Installed before the page's own script: every node the app renders is renamed in the same
  // mutation checkpoint, before the content script's reader (which waits a frame) looks.
  await page.addInitScript(() => {
    const rename = () => {
      for (const el of Array.from(document.querySelectorAll('[data-testid="SentReceivedSavedTime"]')))
        el.setAttribute('data-testid', 'MessageTimestamp2027');
      for (const el of Array.from(document.querySelectorAll('[id$="_FROM"], [id$="_TO"], [id$="_CC"]')))
        el.id = `${el.id}-v2`;
    };
    new MutationObserver(rename).observe(document, { childList: true, subtree: true });
  });
}

describe('When Outlook changes its page: the health notice and the side panel', () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;
  let ms: MicrosoftFakes;
  let popup: Page;

  beforeAll(async () => {
    crm = await startReferenceCrm();
    ms = createMicrosoftFakes(ME, {
      displayName: SEED.demoUser.name,
      apps: [{ clientId: TEST_MICROSOFT_CLIENT_ID, platform: 'spa' }],
    });
    env = await startE2eEnvironment({ extraRoutes: ms.routes });
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
    await configureMicrosoftApp(env.browser, ms);
    // The import window is empty: nothing is logged behind the test's back.
    await ask(env.browser, 'settings.update', { patch: { historicalImportDays: 0, autoLogReceived: false } });
    popup = await env.browser.newPage();
    await popup.goto(env.browser.extensionUrl('popup.html'));
    await ask<MailboxStatus>(env.browser, 'mailbox.connect', { provider: 'outlook' }, popup);
  });
  afterAll(async () => {
    await env?.close();
    await crm?.close();
  });

  const outlookIntegration = async () =>
    (await getStatus(env.browser, popup)).pageIntegrations?.find((p) => p.provider === 'outlook');

  it('raises no alarm on the inbox list, however long it stays open', async () => {
    const page = await env.browser.newPage();
    await page.goto(`${OUTLOOK_ORIGIN}/mail/inbox`);
    // Longer than the reader is given to read a thread (lib/health/ThreadReadWatchdog).
    await page.waitForTimeout(10_000);
    expect((await outlookIntegration())?.state ?? 'not_seen').not.toBe('broken');
    await page.close();
  });

  it('says within a minute that the Outlook panel stopped working, and the side panel shows the card and logs once', async () => {
    const started = Date.now();
    // Conversation ids in Outlook's REST form (the shape of tests/fixtures/outlook's URLs).
    const first = conversation(
      'AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQARede01A',
      'Pilot scope (redesign e2e)',
      alice,
      [me],
    );
    const second = conversation(
      'AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQARede02A',
      'Pricing follow-up (redesign e2e)',
      alice,
      [me],
    );
    // The same conversation in the mailbox, where Graph reads it.
    const internetMessageId = `<REDESIGN-${Date.now().toString(36)}@EXAMPLEPR01MB1234.namprd01.prod.outlook.example>`;
    ms.graph.sendMessage(ME, {
      folder: 'inbox',
      conversationId: second.id,
      internetMessageId,
      subject: second.subject,
      bodyPreview: 'Following up on pricing',
      from: alice,
      toRecipients: [me],
      sentDateTime: new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      receivedDateTime: new Date(Date.now() - 3_590_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });

    const page = await env.browser.newPage();
    await renameOutlookHooks(page);
    await openOutlookConversation(page, [first, second], first.id);
    await page.waitForTimeout(9_000);
    await openOutlookConversation(page, [first, second], second.id);
    await expect
      .poll(async () => (await outlookIntegration())?.state, { timeout: 60_000, interval: 1_000 })
      .toBe('broken');
    expect(Date.now() - started).toBeLessThan(60_000);

    // The popup says it in words.
    await popup.reload();
    const notice = popup.getByText(/The Outlook panel is not working since /);
    await notice.waitFor({ timeout: 10_000 });
    expect(await notice.textContent()).toContain('Sent mail is still logged by the mailbox sync');

    // The side panel, pinned to the Outlook tab, reads the thread through Graph, not the page.
    const tabId = await env.browser.serviceWorker.evaluate(async (origin) => {
      const { chrome } = globalThis as unknown as {
        chrome: { tabs: { query(q: { url: string }): Promise<{ id?: number }[]> } };
      };
      const [tab] = await chrome.tabs.query({ url: `${origin}/*` });
      return tab?.id ?? null;
    }, OUTLOOK_ORIGIN);
    expect(tabId).not.toBeNull();
    const side = await env.browser.newPage();
    await side.goto(env.browser.extensionUrl(`sidepanel.html?tab=${tabId}`));
    await side.getByText('Read through your Outlook mailbox, not the page.').waitFor({ timeout: 20_000 });
    await side.getByRole('article', { name: alice.name }).waitFor({ timeout: 20_000 });
    await side.getByRole('button', { name: /^Log email/ }).click({ timeout: 15_000 });
    await side
      .getByText(/Logged/)
      .first()
      .waitFor({ timeout: 20_000 })
      .catch(async (error: unknown) => {
        throw new Error(
          `${String(error)}\nThe side panel showed:\n${await side.locator('body').innerText()}`,
        );
      });
    const externalId = internetMessageId.slice(1, -1).toLowerCase();
    await expect
      .poll(() => loggedContactIds(crm, externalId), { timeout: 20_000 })
      .toEqual([SEED.contacts.primary.id]);

    // Reopened, it knows the email is logged and offers no second log.
    await side.reload();
    await side
      .getByText(/Logged/)
      .first()
      .waitFor({ timeout: 20_000 });
    expect(await side.getByRole('button', { name: /^Log email/ }).count()).toBe(0);
    expect(await loggedContactIds(crm, externalId)).toEqual([SEED.contacts.primary.id]);

    const status: ExtensionStatus = await getStatus(env.browser, popup);
    expect(status.outbox.failed).toBe(0);
    await side.close();
    await page.close();
  });
});
