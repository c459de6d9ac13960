import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxStatus } from '../../lib/messaging/messages';
import { SEED } from '../../server/seed';
import { configureCrm } from './harness/extensionMessages';
import { ask, waitForSyncedAndDelivered } from './harness/mailboxSync';
import { configureMicrosoftApp, createMicrosoftFakes, type MicrosoftFakes } from './harness/microsoftFakes';
import { loggedContactIds, type ReferenceCrm, startReferenceCrm } from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

const ME = SEED.demoUser.email;
const SALES = `sales@${ME.split('@')[1]}`;
const KIM = `kim@${ME.split('@')[1]}`;
const alice = SEED.contacts.primary;

/**
 * A Microsoft 365 shared mailbox through the real built extension: the rep connects their own
 * Outlook mailbox, then the shared one the settings allow (Mail.Read.Shared asked on that
 * sign-in); a message the rep sent on behalf of sales@ (Graph `sender` = the rep, `from` =
 * sales@; learn.microsoft.com/graph/api/resources/message), kept in both Sent Items, is logged
 * once, by the rep; one a colleague sent from sales@ is not the rep's to log.
 */
describe('A shared mailbox’s sent mail through the real built extension', () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;
  let ms: MicrosoftFakes;
  let popup: Page;

  beforeAll(async () => {
    crm = await startReferenceCrm();
    ms = createMicrosoftFakes(ME, { displayName: SEED.demoUser.name });
    ms.graph.addSharedMailbox(SALES, [ME, KIM]);
    env = await startE2eEnvironment({ extraRoutes: ms.routes });
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
    await configureMicrosoftApp(env.browser, ms);
    await ask(env.browser, 'settings.update', {
      patch: { historicalImportDays: 30, sharedMailboxes: [SALES] },
    });
    popup = await env.browser.newPage();
    await popup.goto(env.browser.extensionUrl('popup.html'));
  });
  afterAll(async () => {
    await env?.close();
    await crm?.close();
  });

  it('logs the rep’s message from sales@ once (also in their own Sent Items), credited to the rep, and not a colleague’s', async () => {
    const when = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const stamp = Date.now().toString(36);
    const sales = { name: 'Sales', address: SALES };
    const ids = { quote: `E2E-SHARED-QUOTE-${stamp}`, kim: `E2E-SHARED-KIM-${stamp}` };
    const mid = (local: string) => `<${local}@EXAMPLEPR01MB1234.namprd01.prod.outlook.example>`;
    for (const box of [SALES, ME])
      ms.graph.sendMessage(box, {
        internetMessageId: mid(ids.quote),
        subject: 'Your quote from Sales',
        from: sales,
        sender: { name: SEED.demoUser.name, address: ME },
        toRecipients: [{ name: alice.name, address: alice.email }],
        sentDateTime: when,
        receivedDateTime: when,
      });
    ms.graph.sendMessage(SALES, {
      internetMessageId: mid(ids.kim),
      subject: 'Kim’s follow-up from Sales',
      from: sales,
      sender: { name: 'Kim', address: KIM },
      toRecipients: [{ name: alice.name, address: alice.email }],
      sentDateTime: when,
      receivedDateTime: when,
    });

    const own = await ask<MailboxStatus>(env.browser, 'mailbox.connect', { provider: 'outlook' }, popup);
    await waitForSyncedAndDelivered(env.browser, own.id, { page: popup });
    const shared = await ask<MailboxStatus>(env.browser, 'mailbox.connectShared', { address: SALES }, popup);
    expect(shared).toMatchObject({ id: `outlook:${SALES}`, address: SALES, shared: true });
    // The shared mailbox's Connect signed the rep in again (same account); the fake Graph
    // serves sales@ only to a token carrying Mail.Read.Shared, so the sync below proves the grant.
    expect(ms.authorizations.at(-1)).toMatchObject({ loginHint: ME });
    const { status } = await waitForSyncedAndDelivered(env.browser, shared.id, { page: popup });
    expect(status.outbox.failed).toBe(0);

    const quoteId = `${ids.quote}@EXAMPLEPR01MB1234.namprd01.prod.outlook.example`.toLowerCase();
    expect(await loggedContactIds(crm, quoteId)).toEqual([alice.id]);
    const { body } = await crm.api<{ activities: { loggedBy: string }[] }>(
      `/activities?externalId=${encodeURIComponent(quoteId)}`,
    );
    expect(body.activities.map((a) => a.loggedBy)).toEqual([SEED.demoUser.id]);
    const kimId = `${ids.kim}@EXAMPLEPR01MB1234.namprd01.prod.outlook.example`.toLowerCase();
    expect(await loggedContactIds(crm, kimId)).toEqual([]);
  });
});
