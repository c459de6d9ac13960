import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtensionStatus, MailboxStatus } from '../../lib/messaging/messages';
import { SEED } from '../../server/seed';
import { configureCrm } from './harness/extensionMessages';
import {
  ask,
  configureGoogleApp,
  createGoogleFakes,
  type GoogleFakes,
  getStatus,
  setOAuthClients,
  TEST_GOOGLE_CLIENT_ID,
} from './harness/mailboxSync';
import {
  configureMicrosoftApp,
  createMicrosoftFakes,
  type MicrosoftFakes,
  TEST_MICROSOFT_CLIENT_ID,
  TEST_MICROSOFT_TENANT,
} from './harness/microsoftFakes';
import { conversation, OUTLOOK_ORIGIN, openOutlookConversation } from './harness/outlookConversations';
import { panel } from './harness/panelFrame';
import { loggedContactIds, type ReferenceCrm, startReferenceCrm } from './harness/referenceCrm';
import { openPinnedSidePanel } from './harness/sidePanel';
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

const openSidePanelFor = (env: E2eEnvironment, origin: string) => openPinnedSidePanel(env.browser, origin);

/** Waits for text in the side panel, showing what it did show when it never comes. */
async function sideShows(side: Page, text: string | RegExp): Promise<void> {
  await side
    .getByText(text)
    .first()
    .waitFor({ timeout: 20_000 })
    .catch(async (error: unknown) => {
      throw new Error(`${String(error)}\nThe side panel showed:\n${await side.locator('body').innerText()}`);
    });
}

const GMAIL_ORIGIN = 'https://mail.google.com';

describe('When the webmail page changes: the health notice and the side panel', () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;
  let ms: MicrosoftFakes;
  let google: GoogleFakes;
  let popup: Page;

  beforeAll(async () => {
    crm = await startReferenceCrm();
    ms = createMicrosoftFakes(ME, {
      displayName: SEED.demoUser.name,
      apps: [{ clientId: TEST_MICROSOFT_CLIENT_ID, platform: 'spa' }],
    });
    google = createGoogleFakes(ME);
    env = await startE2eEnvironment({ extraRoutes: { ...ms.routes, ...google.routes } });
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
    await configureMicrosoftApp(env.browser, ms);
    await configureGoogleApp(env.browser, google);
    // Each of those saves its own app alone (the patch is shallow): both apps, as an admin sets them.
    await setOAuthClients(env.browser, {
      googleClientId: TEST_GOOGLE_CLIENT_ID,
      microsoftClientId: TEST_MICROSOFT_CLIENT_ID,
      microsoftTenant: TEST_MICROSOFT_TENANT,
    });
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

  const integration = async (provider: 'gmail' | 'outlook') =>
    (await getStatus(env.browser, popup)).pageIntegrations?.find((p) => p.provider === provider);
  const outlookIntegration = () => integration('outlook');

  it('raises no alarm on the inbox lists, however long they stay open, and the side panel waits for an email', async () => {
    const outlook = await env.browser.newPage();
    const gmail = await env.browser.newPage();
    await Promise.all([
      outlook.goto(`${OUTLOOK_ORIGIN}/mail/inbox`),
      gmail.goto(`${GMAIL_ORIGIN}/mail/u/0/#inbox`),
    ]);
    // Longer than the reader is given to read a thread (lib/health/ThreadReadWatchdog).
    await outlook.waitForTimeout(10_000);
    expect((await integration('outlook'))?.state ?? 'not_seen').not.toBe('broken');
    expect((await integration('gmail'))?.state ?? 'not_seen').not.toBe('broken');
    await popup.reload();
    await popup.getByRole('heading', { name: 'Mailboxes' }).waitFor({ timeout: 10_000 });
    expect(await popup.getByText(/panel is not working/).count()).toBe(0);
    const side = await openSidePanelFor(env, GMAIL_ORIGIN);
    await sideShows(side, 'No email open');

    // No Gmail mailbox yet: a thread opens, and the side panel falls back to the one page reader
    // (lib/mail/gmail/page/readGmailPagePeople.ts). The people are put into the plain page the way
    // gmail.js reads Gmail's thread view (https://github.com/KartikTalwar/gmail.js, src/gmail.js:
    // `div[role=main]`, `span[email].gD` sender, `span[email].g2` recipients); nothing else of
    // Gmail's page is imitated.
    await gmail.evaluate(
      ({ alice, me }) => {
        const main = document.querySelector('[role="main"]')!;
        main.textContent = '';
        for (const [cls, person] of [
          ['gD', alice],
          ['g2', me],
        ] as const) {
          const span = document.createElement('span');
          span.className = cls;
          span.setAttribute('email', person.address);
          span.setAttribute('name', person.name);
          span.textContent = person.name;
          main.append(span, ' ');
        }
        location.hash = '#inbox/FMfcgzQgLjNPlfJCVRfnNkPGkLhWClCW';
      },
      { alice, me },
    );
    const people = side.getByRole('list', { name: 'People on this email, read from the page' });
    await people.waitFor({ timeout: 20_000 });
    expect(await people.getByRole('listitem').allInnerTexts()).toEqual([
      `${alice.name} ${alice.address}`,
      `${me.name} ${me.address}`,
    ]);
    await sideShows(side, /Read from the page/);
    expect(await side.getByRole('button', { name: /^Log email/ }).count()).toBe(0);
    expect(await side.getByRole('button', { name: 'Connect a mailbox' }).count()).toBe(1);
    await side.close();
    await gmail.close();
    await outlook.close();
  });

  it('reads a Gmail thread through the Gmail API on a mail.google.com page without Gmail’s markup, and logs it once', async () => {
    // A received message in the Gmail API fake (labels and headers as the sync e2e gives them;
    // the Message-ID in the form Gmail's own mail carries, `<CA...@mail.gmail.com>`).
    const local = `CASIDE-${Date.now().toString(36)}`;
    const received = google.gmail.sendMessage(ME, {
      labelIds: ['INBOX', 'UNREAD'],
      internalDate: Date.now() - 3_600_000,
      headers: [
        { name: 'From', value: `${alice.name} <${alice.address}>` },
        { name: 'To', value: `${me.name} <${ME}>` },
        { name: 'Subject', value: 'Rollout timeline (side panel e2e)' },
        { name: 'Date', value: new Date(Date.now() - 3_600_000).toUTCString().replace('GMT', '+0000') },
        { name: 'Message-ID', value: `<${local}@mail.gmail.com>` },
      ],
      snippet: 'Can we fix the rollout dates?',
    });
    const externalId = `${local}@mail.gmail.com`.toLowerCase();
    await ask<MailboxStatus>(env.browser, 'mailbox.connect', { provider: 'gmail' }, popup);
    const threadsGetBefore = google.gmail.counters.byMethod.threadsGet;

    // The page at mail.google.com is a plain page (tests/e2e/fixtures/gmail/inbox.html): no
    // Gmail markup, so InboxSDK finds nothing and the page panel never shows.
    const page = await env.browser.newPage();
    await page.goto(`${GMAIL_ORIGIN}/mail/u/0/#inbox`);
    const side = await openSidePanelFor(env, GMAIL_ORIGIN);
    await sideShows(side, 'No email open');
    // The rep opens the thread: Gmail changes only the address's hash (an older link's form,
    // the 16-hex API thread id; googleworkspace/cli issues 790 and 858). The side panel follows.
    await page.evaluate((id) => {
      location.hash = `#inbox/${id}`;
    }, received.threadId);
    await sideShows(side, 'Read through your Gmail mailbox, not the page.');
    await side.getByRole('article', { name: alice.name }).waitFor({ timeout: 20_000 });
    expect(await page.locator('crm-sidebar-panel').count()).toBe(0);
    await side.getByRole('button', { name: /^Log email/ }).click({ timeout: 15_000 });
    await sideShows(side, /Logged/);
    await expect
      .poll(() => loggedContactIds(crm, externalId), { timeout: 20_000 })
      .toEqual([SEED.contacts.primary.id]);
    // One threads.get per reading of the URL, within the quota, no schema violation.
    expect(google.gmail.counters.byMethod.threadsGet - threadsGetBefore).toBeGreaterThanOrEqual(1);
    expect(google.gmail.counters.byMethod.threadsGet - threadsGetBefore).toBeLessThanOrEqual(3);
    expect(google.gmail.counters.quotaRejections).toBe(0);
    expect(google.gmail.schemaViolations).toEqual([]);

    // Reopened, it knows the email is logged and offers no second log.
    await side.reload();
    await sideShows(side, /Logged/);
    expect(await side.getByRole('button', { name: /^Log email/ }).count()).toBe(0);
    expect(await loggedContactIds(crm, externalId)).toEqual([SEED.contacts.primary.id]);
    // Gmail's page is not broken for this: InboxSDK never started on a page that is not Gmail.
    expect((await integration('gmail'))?.state ?? 'not_seen').not.toBe('broken');
    await side.close();
    await page.close();
  });

  it('says within a minute that the Outlook panel stopped working, the side panel shows the card and logs once, and the page panel sees it logged', async () => {
    const started = Date.now();
    // Conversation ids in Outlook's REST form (the shape of tests/fixtures/outlook's URLs).
    const first = conversation(
      'AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQARede01A',
      'Pilot scope (redesign e2e)',
      alice,
      [me],
    );
    // The minute Outlook's page shows for the message, and Graph's seconds within it (the page
    // panel matches the page's message to Graph's by sender and minute).
    const sentAt = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;
    const graphTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const second = conversation(
      'AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQARede02A',
      'Pricing follow-up (redesign e2e)',
      alice,
      [me],
      { date: graphTime(sentAt) },
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
      sentDateTime: graphTime(sentAt + 3_000),
      receivedDateTime: graphTime(sentAt + 17_000),
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
    const side = await openSidePanelFor(env, OUTLOOK_ORIGIN);
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

    // The page panel, where Outlook's page is still the one the reader knows, sees the same
    // email as logged (one Message-ID registry for both surfaces) and offers no second log.
    const intact = await env.browser.newPage();
    await openOutlookConversation(intact, [first, second], second.id);
    await panel(intact)
      .getByText(/Logged/)
      .first()
      .waitFor({ timeout: 30_000 });
    expect(
      await panel(intact)
        .getByRole('button', { name: /^Log email/ })
        .count(),
    ).toBe(0);
    expect(await loggedContactIds(crm, externalId)).toEqual([SEED.contacts.primary.id]);
    await intact.close();

    const status: ExtensionStatus = await getStatus(env.browser, popup);
    expect(status.outbox.failed).toBe(0);
    await side.close();
    await page.close();
  });
});
