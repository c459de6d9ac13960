import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmSidebarBackground } from '../../../lib/background/CrmSidebarBackground';
import {
  enqueueLinkedMessages,
  linkingContextFor,
  lookupThread,
} from '../../../lib/background/MessagePipeline';
import { EmailActivityInput } from '../../../lib/crm/contract';
import { MailMessage, type MailMessageInput, ThreadSnapshot } from '../../../lib/mail/MailMessage';
import { createFeatureHandlers } from '../../../lib/panel/features/panelFeatures';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { FakeCrmConnector } from '../../fakes/FakeCrmConnector';
import { backgroundForTest } from './backgroundForTest';

const ME = 'riley@ourco.example';
/** Receipt actions come from the panel (extension UI). */
const PANEL = { context: 'extension' } as const;
let dbCounter = 0;
let sequence = 0;

function message(overrides: Partial<MailMessageInput> = {}): MailMessage {
  sequence++;
  return MailMessage.parse({
    provider: 'outlook',
    mailbox: ME,
    providerMessageId: `p${sequence}`,
    providerThreadId: 'thread-renewal',
    messageId: `m${sequence}@mail.ourco.example`,
    from: { name: 'Riley Rep', address: ME },
    to: [
      { name: 'Jane Buyer', address: 'jane@acme.example' },
      { name: 'Sam Lee', address: 'sam@acme.example' },
    ],
    subject: 'Renewal',
    date: new Date(Date.UTC(2026, 10, 1, 9, sequence)).toISOString(),
    snippet: 'About the renewal',
    folderRole: 'sent',
    ...overrides,
  });
}

const snapshotOf = (messages: MailMessage[]) =>
  ThreadSnapshot.parse({
    provider: 'outlook',
    mailbox: ME,
    threadId: 'thread-renewal',
    subject: 'Renewal',
    messages,
  });

describe('receipt actions: undo, move, redact', () => {
  let db: CrmSidebarDb;
  let crm: FakeCrmConnector;
  let background: CrmSidebarBackground;
  let jane: string;
  let sam: string;

  beforeEach(async () => {
    db = openCrmSidebarDb(`receipt-actions-${++dbCounter}`);
    crm = new FakeCrmConnector();
    background = backgroundForTest({ db, version: '1', createConnector: () => crm, clickDrainMaxWaitMs: 0 });
    await background.updateSettings({ crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' } });
    jane = crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] }).id;
    sam = crm.addContact({ name: 'Sam Lee', emails: ['sam@acme.example'] }).id;
    crm.addDeal({ id: 'deal_renewal', name: 'Acme renewal', contactIds: [jane] });
  });
  afterEach(() => db.close());

  async function sync(m: MailMessage) {
    const session = await background.sessions.session();
    const linked = await lookupThread(
      [m],
      linkingContextFor(session, [ME]),
      session.connector,
      background.cache,
      false,
    );
    const outcomes = await enqueueLinkedMessages(linked.messages, 'auto', {
      session,
      outbox: background.outboxFor(session),
      registry: background.registry,
      events: background.events,
    });
    await background.drainOutbox(session);
    return outcomes;
  }

  it('moves to a deal, redacts, removes; the sync and a click do not log it again; Undo logs it again', async () => {
    const first = message();
    const externalId = first.messageId!;
    await background.logThread(snapshotOf([first]), [first.providerMessageId]);
    const handlers = createFeatureHandlers(background.featureContext());
    const view = await background.openThread(snapshotOf([first]), false);
    expect(view.receiptActions).toEqual({
      remove: true,
      move: true,
      moveToDeal: true,
      redact: true,
      admin: false,
    });

    const moved = await handlers['activity.move'](
      { externalId, contactIds: [jane], to: { dealId: 'deal_renewal' } },
      PANEL,
    );
    expect(moved.changed).toEqual([
      {
        contactId: jane,
        activity: null,
        from: { contactId: jane, dealId: null },
        to: { contactId: jane, dealId: 'deal_renewal' },
      },
    ]);
    // Undo of the move: back where it was.
    await handlers['activity.move']({ externalId, contactIds: [jane], to: { dealId: null } }, PANEL);
    expect(crm.activities.find((a) => a.contactId === jane)?.dealId).toBeNull();

    const redacted = await handlers['activity.redact']({ externalId, contactIds: [] }, PANEL);
    expect(redacted.changed.map((c) => c.contactId).sort()).toEqual([jane, sam].sort());
    expect(crm.activities.every((a) => a.subject === '' && a.snippet === '')).toBe(true);
    expect((await handlers['activity.redact']({ externalId, contactIds: [] }, PANEL)).unchanged).toBe(2);

    const removed = await handlers['activity.remove']({ externalId, contactIds: [] }, PANEL);
    expect(removed.changed).toHaveLength(2);
    expect(crm.activities.filter((a) => a.externalId === externalId)).toEqual([]);

    // Neither the sync nor a click in another tab logs it again; the receipt says why.
    const [outcome] = await sync(first);
    expect(outcome).toMatchObject({ status: 'skipped', skip: { rule: 'removed_by_you' } });
    const otherTab = backgroundForTest({ db, version: '1', createConnector: () => crm });
    await otherTab.updateSettings({ crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' } });
    await otherTab.logThread(snapshotOf([first]), [first.providerMessageId]);
    expect(crm.activities.filter((a) => a.externalId === externalId)).toEqual([]);
    const receipt = (await background.openThread(snapshotOf([first]), false)).messages[0];
    expect(receipt?.skip?.rule).toBe('removed_by_you');

    // Undo within the toast: logged again, with the content it had.
    const restore = removed.changed.flatMap((c) =>
      c.activity ? [EmailActivityInput.parse(c.activity)] : [],
    );
    expect(restore).toHaveLength(2);
    expect((await handlers['activity.restore']({ activities: restore }, PANEL)).restored).toBe(2);
    expect(crm.activities.filter((a) => a.externalId === externalId)).toHaveLength(2);
    expect((await background.openThread(snapshotOf([first]), false)).messages[0]?.state).toBe('logged');
  });

  it('moves to another contact of the thread, and refuses a colleague’s email to a rep', async () => {
    const first = message({ to: [{ name: 'Jane Buyer', address: 'jane@acme.example' }] });
    const externalId = first.messageId!;
    await background.logThread(snapshotOf([first]), [first.providerMessageId]);
    const handlers = createFeatureHandlers(background.featureContext());
    await handlers['activity.move']({ externalId, contactIds: [jane], to: { contactId: sam } }, PANEL);
    expect(crm.activities.filter((a) => a.externalId === externalId).map((a) => a.contactId)).toEqual([sam]);
    // The sync later sees Jane on it, but the rep moved it away from her: it stays with Sam.
    await sync(first);
    expect(crm.activities.filter((a) => a.externalId === externalId).map((a) => a.contactId)).toEqual([sam]);

    // A colleague's email: not offered through the registry, and the CRM refuses it anyway.
    const theirs = crm.activities.find((a) => a.externalId === externalId)!;
    theirs.loggedBy = 'user_colleague';
    await expect(handlers['activity.redact']({ externalId, contactIds: [sam] }, PANEL)).rejects.toMatchObject(
      { kind: 'auth', code: 'activity_not_yours' },
    );
  });
});
