import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmSidebarBackground } from '../../../lib/background/CrmSidebarBackground';
import {
  enqueueLinkedMessages,
  linkingContextFor,
  lookupThread,
} from '../../../lib/background/MessagePipeline';
import { MailMessage, type MailMessageInput, ThreadSnapshot } from '../../../lib/mail/MailMessage';
import { createFeatureHandlers } from '../../../lib/panel/features/panelFeatures';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { FakeCrmConnector } from '../../fakes/FakeCrmConnector';
import { backgroundForTest } from './backgroundForTest';

const ME = 'riley@ourco.example';
/** Deal choices come from the panel, a content script. */
const PANEL = { context: 'content' } as const;
let dbCounter = 0;
let sequence = 0;

function message(overrides: Partial<MailMessageInput> = {}): MailMessage {
  sequence++;
  return MailMessage.parse({
    provider: 'gmail',
    mailbox: ME,
    providerMessageId: `p${sequence}`,
    providerThreadId: 'thread-renewal',
    messageId: `m${sequence}@mail.ourco.example`,
    from: { name: 'Riley Rep', address: ME },
    to: [{ name: 'Jane Buyer', address: 'jane@acme.example' }],
    subject: 'Renewal',
    date: new Date(Date.UTC(2026, 10, 1, 9, sequence)).toISOString(),
    snippet: 'About the renewal',
    folderRole: 'sent',
    ...overrides,
  });
}

function snapshotOf(messages: MailMessage[]) {
  return ThreadSnapshot.parse({
    provider: 'gmail',
    mailbox: ME,
    threadId: 'thread-renewal',
    subject: 'Renewal',
    messages,
  });
}

/** A CRM whose API can move a logged email to another deal (HubSpot-like associations). */
class RelinkingCrm extends FakeCrmConnector {
  readonly relinks: Array<[string, string | null]> = [];
  async relinkActivityDeal(activityId: string, dealId: string | null): Promise<void> {
    this.relinks.push([activityId, dealId]);
    const activity = this.activities.find((a) => a.id === activityId);
    if (activity) activity.dealId = dealId;
  }
}

describe('deal choice per thread', () => {
  let db: CrmSidebarDb;
  let crm: FakeCrmConnector;
  let background: CrmSidebarBackground;
  let janeId: string;

  function start(connector: FakeCrmConnector) {
    crm = connector;
    background = backgroundForTest({
      db,
      version: '1',
      createConnector: () => crm,
      clickDrainMaxWaitMs: 0,
    });
  }

  beforeEach(async () => {
    db = openCrmSidebarDb(`deal-choice-${++dbCounter}`);
    start(new FakeCrmConnector());
    await background.updateSettings({ crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' } });
    janeId = crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] }).id;
    crm.addDeal({ id: 'deal_renewal', name: 'Acme renewal', contactIds: [janeId] });
    crm.addDeal({ id: 'deal_upsell', name: 'Acme upsell', contactIds: [janeId], stage: 'negotiation' });
    crm.addDeal({ id: 'deal_lost', name: 'Acme pilot', contactIds: [janeId], stage: 'closed_lost' });
  });
  afterEach(() => db.close());

  const dealOf = (externalId: string) => crm.activities.find((a) => a.externalId === externalId)?.dealId;

  it('offers the open deals, guesses none, and sends replies, the sync and other tabs to the chosen one', async () => {
    const first = message();
    const view = await background.openThread(snapshotOf([first]), false);
    expect(view.dealChoice).toMatchObject({
      threadKey: `gmail:${ME}:thread-renewal`,
      chosen: null,
      relinkSupported: false,
    });
    expect(view.dealChoice!.offered.map((d) => d.name)).toEqual(['Acme renewal', 'Acme upsell']);
    expect(view.dealChoice!.offered[0]!.people).toEqual(['Jane Buyer']);

    // Two open deals and no choice: logged without a deal, not to a guess.
    await background.logThread(snapshotOf([first]), [first.providerMessageId]);
    expect(dealOf(first.messageId!)).toBeNull();

    const handlers = createFeatureHandlers(background.featureContext());
    const result = await handlers['deal.choose'](
      {
        threadKey: view.dealChoice!.threadKey!,
        dealId: 'deal_upsell',
        dealName: 'Acme upsell',
        externalIds: [first.messageId!],
      },
      PANEL,
    );
    // The reference contract cannot change a logged activity: the panel is told so.
    expect(result).toMatchObject({ relinked: 0, notRelinked: 1 });
    expect(result.notice).toMatch(/does not let the sidebar change the deal/);
    expect(dealOf(first.messageId!)).toBeNull();

    // A reply logged from the panel lands on the chosen deal without asking.
    const reply = message({
      from: { name: 'Jane Buyer', address: 'jane@acme.example' },
      to: [{ name: 'Riley', address: ME }],
      folderRole: 'inbox',
    });
    const [replyReceipt] = await background.logThread(snapshotOf([first, reply]), [reply.providerMessageId]);
    expect(dealOf(reply.messageId!)).toBe('deal_upsell');
    // Its receipt names the deal and the contact; the first message's says "no deal".
    expect(replyReceipt).toMatchObject({
      state: 'logged',
      contacts: [{ id: janeId, name: 'Jane Buyer' }],
      deal: { id: 'deal_upsell', name: 'Acme upsell' },
    });
    const receipts = await background.openThread(snapshotOf([first, reply]), false);
    expect(receipts.messages.map((m) => m.deal)).toEqual([
      { id: null, name: null },
      { id: 'deal_upsell', name: 'Acme upsell' },
    ]);

    // The sent-mail sync (same pipeline and store as MailboxService) too.
    const synced = message();
    const session = await background.sessions.session();
    const context = linkingContextFor(session, [ME]);
    const linked = await lookupThread([synced], context, session.connector, background.cache, false);
    await enqueueLinkedMessages(linked.messages, 'auto', {
      session,
      outbox: background.outboxFor(session),
      registry: background.registry,
      threadDeals: background.threadDeals,
      events: background.events,
    });
    await background.drainOutbox(session);
    expect(dealOf(synced.messageId!)).toBe('deal_upsell');

    // Another tab (another panel, the same background database) sees the choice.
    const otherTab = backgroundForTest({ db, version: '1', createConnector: () => crm });
    const again = await otherTab.openThread(snapshotOf([first, reply, synced]), false);
    expect(again.dealChoice!.chosen).toMatchObject({ dealId: 'deal_upsell', dealName: 'Acme upsell' });

    // "No deal" is a choice as well; clearing it forgets the thread's choice.
    await handlers['deal.choose'](
      { threadKey: again.dealChoice!.threadKey!, dealId: null, dealName: null, externalIds: [] },
      PANEL,
    );
    const later = message();
    await background.logThread(snapshotOf([later]), [later.providerMessageId]);
    expect(dealOf(later.messageId!)).toBeNull();
    await handlers['deal.clear']({ threadKey: again.dealChoice!.threadKey! }, PANEL);
    expect((await background.openThread(snapshotOf([later]), false)).dealChoice!.chosen).toBeNull();
  });

  it('moves the thread’s logged emails where the CRM allows it', async () => {
    db.close();
    db = openCrmSidebarDb(`deal-choice-${++dbCounter}`);
    start(new RelinkingCrm());
    await background.updateSettings({ crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' } });
    janeId = crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] }).id;
    crm.addDeal({ id: 'deal_renewal', name: 'Acme renewal', contactIds: [janeId] });
    const first = message();
    await background.logThread(snapshotOf([first]), [first.providerMessageId]);
    const view = await background.openThread(snapshotOf([first]), false);
    expect(view.dealChoice!.relinkSupported).toBe(true);
    const handlers = createFeatureHandlers(background.featureContext());
    const result = await handlers['deal.choose'](
      {
        threadKey: view.dealChoice!.threadKey!,
        dealId: 'deal_renewal',
        dealName: 'Acme renewal',
        externalIds: [first.messageId!],
      },
      PANEL,
    );
    expect(result).toMatchObject({ relinked: 1, notRelinked: 0, notice: null });
    expect(dealOf(first.messageId!)).toBe('deal_renewal');
  });
});
