import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ComposeSends,
  type ComposeSendsOptions,
  gmailComposeSend,
  gmailDeclinedSend,
  outlookComposeSend,
} from '../../../lib/background/ComposeSends';
import type { CrmSidebarBackground } from '../../../lib/background/CrmSidebarBackground';
import {
  enqueueLinkedMessages,
  linkingContextFor,
  lookupThread,
} from '../../../lib/background/MessagePipeline';
import { providerDerivedExternalId } from '../../../lib/logging/externalIdFor';
import { MailMessage } from '../../../lib/mail/MailMessage';
import type { OutlookSentMessageInput } from '../../../lib/mail/outlook/page/outlookMessages';
import { OutlookSentMessage } from '../../../lib/mail/outlook/page/outlookMessages';
import { LOG_OFF_REASON } from '../../../lib/mail/SentMessageOutcome';
import type { MailboxApi, SentMessageQuery } from '../../../lib/mail/sync/MailboxProvider';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { FakeCrmConnector } from '../../fakes/FakeCrmConnector';
import { backgroundForTest } from './backgroundForTest';

/**
 * A send from Outlook on the web's compose form with "Log to CRM" on. The sends and the
 * Message-IDs here are ours (what the content script hands over, and what a Sent Items lookup
 * would map), not a Graph response: tests/unit/mail/outlook/api/findGraphSentMessage.test.ts
 * covers the Graph side.
 */
const ME = 'dana.whitfield@northwind-trading.com';
let dbCounter = 0;

function send(overrides: Partial<OutlookSentMessageInput> = {}): OutlookSentMessage {
  return OutlookSentMessage.parse({
    mailbox: ME,
    fromName: 'Dana Whitfield',
    kind: 'reply',
    conversationId: 'AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQAPnHs8M_Tk_l9vYwqJ5=',
    subject: 'RE: Pilot results and next steps',
    to: [{ name: 'Alice Moreau', address: 'alice.moreau@acme-robotics.com' }],
    cc: [],
    sentAt: '2026-11-20T10:00:00.000Z',
    composeKey: '0a1b2c3d',
    ...overrides,
  });
}

function sentItem(messageId: string, to = 'alice.moreau@acme-robotics.com'): MailMessage {
  return MailMessage.parse({
    provider: 'outlook',
    mailbox: ME,
    providerMessageId: 'AAMkAGI2TG93AAA=',
    providerThreadId: 'AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQAPnHs8M_Tk_l9vYwqJ5=',
    messageId,
    messageIdSource: 'api',
    from: { name: 'Dana Whitfield', address: ME },
    to: [{ name: '', address: to }],
    subject: 'RE: Pilot results and next steps',
    snippet: 'Thanks Alice, happy to discuss a wider rollout.',
    date: '2026-11-20T10:00:02Z',
    folderRole: 'sent',
  });
}

/** A connected mailbox whose Sent Items gets the message after `appearsAfter` lookups. */
function mailboxApi(found: MailMessage | null, appearsAfter = 0) {
  const queries: SentMessageQuery[] = [];
  const api = {
    findSentMessage: async (query: SentMessageQuery) => {
      queries.push(query);
      return queries.length > appearsAfter ? found : null;
    },
  } as unknown as MailboxApi;
  return { api, queries };
}

describe('Outlook compose sends', () => {
  let db: CrmSidebarDb;
  let crm: FakeCrmConnector;
  let background: CrmSidebarBackground;
  let syncs: string[];
  const waits: number[] = [];

  function composeSends(api: MailboxApi | null, more: Partial<ComposeSendsOptions> = {}) {
    return new ComposeSends({
      connectedApi: async () => api,
      logSentMessage: (m) => background.logSentMessage(m),
      declineSentMessage: (m) => background.declineSentMessage(m),
      syncAfterSend: async (_provider, address) => void syncs.push(address),
      sleep: async (ms) => void waits.push(ms),
      ...more,
    });
  }
  function sends(api: MailboxApi | null) {
    const inner = composeSends(api);
    return {
      log: (sent: OutlookSentMessage) => inner.log(outlookComposeSend(sent)),
      decline: (sent: OutlookSentMessage) => inner.decline(outlookComposeSend(sent)),
    };
  }

  beforeEach(async () => {
    db = openCrmSidebarDb(`outlook-compose-${++dbCounter}`);
    crm = new FakeCrmConnector();
    syncs = [];
    waits.length = 0;
    background = backgroundForTest({ db, version: 't', createConnector: () => crm, clickDrainMaxWaitMs: 0 });
    await background.updateSettings({ crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' } });
    crm.addContact({ name: 'Alice Moreau', emails: ['alice.moreau@acme-robotics.com'] });
  });
  afterEach(() => db.close());

  it('with the mailbox connected, waits for the message in Sent Items and logs its exact Message-ID once', async () => {
    const { api, queries } = mailboxApi(sentItem('exact-reply-1@namprd01.prod.outlook.com'), 2);
    expect(await sends(api).log(send())).toEqual({ outcome: 'queued' });
    expect(crm.activities.map((a) => a.externalId)).toEqual(['exact-reply-1@namprd01.prod.outlook.com']);
    expect(queries[0]).toEqual({
      subject: 'RE: Pilot results and next steps',
      to: ['alice.moreau@acme-robotics.com'],
      conversationId: 'AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQAPnHs8M_Tk_l9vYwqJ5=',
      sentAt: new Date('2026-11-20T10:00:00.000Z'),
    });
    expect(waits).toEqual([1_000, 2_000]);
    expect(syncs).toEqual([ME]);
    // The sync (or a second tab) meets the same Message-ID: never a second activity.
    expect(
      await background.logSentMessage(sentItem('exact-reply-1@namprd01.prod.outlook.com')),
    ).toMatchObject({
      outcome: 'already_logged',
    });
    expect(crm.activities).toHaveLength(1);
  });

  it('logs nothing when the message never reaches Sent Items (an undone send)', async () => {
    const { api, queries } = mailboxApi(null);
    const outcome = await sends(api).log(send());
    expect(outcome.outcome).toBe('skipped');
    expect(queries).toHaveLength(7);
    expect(crm.activities).toEqual([]);
    expect(syncs).toEqual([ME]);
  });

  it('without a connected mailbox, logs the send under the page key for it', async () => {
    expect(await sends(null).log(send())).toEqual({ outcome: 'queued' });
    expect(crm.activities.map((a) => a.externalId)).toEqual([
      providerDerivedExternalId('outlook', 'compose-0a1b2c3d'),
    ]);
    expect(crm.activities[0]).toMatchObject({ subject: 'RE: Pilot results and next steps' });
    expect(await sends(null).log(send())).toMatchObject({ outcome: 'already_logged' });
    expect(crm.activities).toHaveLength(1);
    expect(syncs).toEqual([]);
  });

  it('records a failed lookup in the event log, so the popup shows it', async () => {
    const api = {
      findSentMessage: async () => {
        throw new Error('Graph is unreachable');
      },
    } as unknown as MailboxApi;
    const failing = composeSends(api, { events: background.events });
    await expect(failing.log(outlookComposeSend(send()))).rejects.toThrow('Graph is unreachable');
    const problems = await background.events.problems(10);
    expect(problems.map((p) => p.area)).toContain('compose:outlook');
  });

  it('applies the rules a click applies: never-log list, excluded domains, privacy level', async () => {
    await background.updateSettings({ neverLogAddresses: ['alice.moreau@acme-robotics.com'] });
    expect((await sends(null).log(send())).outcome).toBe('skipped');
    // An unknown person on an excluded domain never becomes a contact, so nothing is logged.
    await background.updateSettings({ neverLogAddresses: [], excludedDomains: ['globex-logistics.com'] });
    const toStranger = send({
      composeKey: '0a1b2c3e',
      to: [{ name: 'Carla Nunez', address: 'carla.nunez@globex-logistics.com' }],
    });
    expect(await sends(null).log(toStranger)).toMatchObject({ outcome: 'skipped' });
    expect([...crm.contacts.values()].flatMap((c) => c.emails)).not.toContain(
      'carla.nunez@globex-logistics.com',
    );
    expect(crm.activities).toEqual([]);

    await background.updateSettings({ excludedDomains: [], privacyLevel: 'metadata' });
    const { api } = mailboxApi(sentItem('exact-reply-2@namprd01.prod.outlook.com'));
    expect(await sends(api).log(send())).toEqual({ outcome: 'queued' });
    expect(crm.activities).toHaveLength(1);
    expect(crm.activities[0]?.subject).toBe('');
    expect(crm.activities[0]?.snippet).toBe('');
  });

  /** What the sync would do with the message: the pipeline in `auto` mode, as MailboxService runs it. */
  async function syncPass(message: MailMessage) {
    const session = await background.sessions.session();
    const context = linkingContextFor(session, [ME]);
    const linked = await lookupThread([message], context, session.connector, background.cache, false);
    return enqueueLinkedMessages(linked.messages, 'auto', {
      session,
      outbox: background.outboxFor(session),
      registry: background.registry,
    });
  }

  it('with "Log to CRM" off and the mailbox connected, the sync never logs the sent message by itself; a click still does', async () => {
    const item = sentItem('declined-1@namprd01.prod.outlook.com');
    const { api } = mailboxApi(item);
    expect(await sends(api).decline(send())).toEqual({ outcome: 'skipped', reason: LOG_OFF_REASON });
    expect(syncs).toEqual([]);
    const [outcome] = await syncPass(item);
    expect(outcome).toMatchObject({ status: 'skipped', skip: { rule: 'log_off_at_send' } });
    expect(crm.activities).toEqual([]);
    // The rep changes their mind: "Log email" on the receipt logs it, and the mark goes.
    expect(await background.logSentMessage(item)).toEqual({ outcome: 'queued' });
    expect(crm.activities.map((a) => a.externalId)).toEqual(['declined-1@namprd01.prod.outlook.com']);
    expect(
      (
        await background.registry.get(
          (
            await background.sessions.session()
          ).me.user.id,
          'declined-1@namprd01.prod.outlook.com',
        )
      )?.logOffAtSend,
    ).toBeUndefined();
  });

  it('a message already logged before the rep\'s "off" arrived stays logged (its receipt offers the way back)', async () => {
    const item = sentItem('declined-2@namprd01.prod.outlook.com');
    await background.logSentMessage(item);
    const { api } = mailboxApi(item);
    expect(await sends(api).decline(send())).toEqual({ outcome: 'already_logged' });
    expect(crm.activities).toHaveLength(1);
  });

  it('with "Log to CRM" off and no connected mailbox, there is nothing to keep out (no sync reads it)', async () => {
    expect(await sends(null).decline(send())).toEqual({ outcome: 'skipped', reason: LOG_OFF_REASON });
    expect(crm.activities).toEqual([]);
  });

  describe('Gmail', () => {
    /**
     * Gmail's `sent` event gives Gmail's hex id (InboxSDK docs, ComposeView `sent` event:
     * https://inboxsdk.github.io/inboxsdk-docs/compose/#events); the background reads the
     * message by it. The ids and Message-IDs here are ours.
     */
    const GMAIL_ME = 'dana.whitfield@gmail-demo.test';
    function gmailSent(): MailMessage {
      return MailMessage.parse({
        provider: 'gmail',
        mailbox: GMAIL_ME,
        providerMessageId: '18c2f0a1b2c3d4e5',
        providerThreadId: '18c2f0a1b2c3d4e5',
        messageId: 'cahk9=page-claims-this@mail.gmail.com',
        messageIdSource: 'header',
        from: { name: 'Dana Whitfield', address: GMAIL_ME },
        to: [{ name: 'Alice Moreau', address: 'alice.moreau@acme-robotics.com' }],
        subject: 'Pilot results',
        date: '2026-11-20T10:00:00.000Z',
        folderRole: 'sent',
      });
    }
    const exact = (m: MailMessage) => ({
      ...m,
      messageId: 'cahk9-exact@mail.gmail.com',
      messageIdSource: 'header' as const,
    });

    it("switched on with the mailbox connected: logged once with the exact Message-ID, found by the page's id, even with automatic logging of sent mail off", async () => {
      await background.updateSettings({ autoLogSent: false });
      const page = gmailSent();
      const { api, queries } = mailboxApi(MailMessage.parse(exact(page)));
      const inner = composeSends(api);
      expect(await inner.log(gmailComposeSend({ message: page, bcc: [], accountIndex: 0 }))).toEqual({
        outcome: 'queued',
      });
      expect(queries[0]?.providerMessageId).toBe('18c2f0a1b2c3d4e5');
      expect(crm.activities.map((a) => a.externalId)).toEqual(['cahk9-exact@mail.gmail.com']);
    });

    it("switched on without a mailbox: the page's Message-ID is dropped for a provider-derived key", async () => {
      const inner = composeSends(null);
      expect(await inner.log(gmailComposeSend({ message: gmailSent(), bcc: [], accountIndex: 0 }))).toEqual({
        outcome: 'queued',
      });
      expect(crm.activities.map((a) => a.externalId)).toEqual([
        providerDerivedExternalId('gmail', '18c2f0a1b2c3d4e5'),
      ]);
    });

    it('switched off with the mailbox connected: the sync leaves it out', async () => {
      const found = MailMessage.parse(exact(gmailSent()));
      const { api } = mailboxApi(found);
      const inner = composeSends(api);
      expect(
        await inner.decline(gmailDeclinedSend({ mailbox: GMAIL_ME, gmailMessageId: '18c2f0a1b2c3d4e5' })),
      ).toEqual({
        outcome: 'skipped',
        reason: LOG_OFF_REASON,
      });
      const [outcome] = await syncPass(found);
      expect(outcome).toMatchObject({ status: 'skipped', skip: { rule: 'log_off_at_send' } });
      expect(crm.activities).toEqual([]);
    });
  });
});
