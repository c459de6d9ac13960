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
const PANEL = { context: 'content' } as const;
let dbCounter = 0;
let sequence = 0;

function message(to: string, overrides: Partial<MailMessageInput> = {}): MailMessage {
  sequence++;
  return MailMessage.parse({
    provider: 'gmail',
    mailbox: ME,
    providerMessageId: `p${sequence}`,
    providerThreadId: `thread-${sequence}`,
    messageId: `c${sequence}@mail.ourco.example`,
    from: { name: 'Riley Rep', address: ME },
    to: [{ name: '', address: to }],
    subject: 'Hello',
    date: new Date(Date.UTC(2026, 10, 2, 9, sequence)).toISOString(),
    snippet: 'Hello there',
    folderRole: 'sent',
    ...overrides,
  });
}

const snapshotOf = (m: MailMessage) =>
  ThreadSnapshot.parse({
    provider: 'gmail',
    mailbox: ME,
    threadId: m.providerThreadId,
    subject: m.subject,
    messages: [m],
  });

describe('corrections from the panel, applied by the panel, clicks and the sync', () => {
  let db: CrmSidebarDb;
  let crm: FakeCrmConnector;
  let background: CrmSidebarBackground;

  beforeEach(async () => {
    db = openCrmSidebarDb(`corrections-${++dbCounter}`);
    crm = new FakeCrmConnector();
    background = backgroundForTest({
      db,
      version: '1',
      createConnector: () => crm,
      clickDrainMaxWaitMs: 0,
    });
    await background.updateSettings({ crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' } });
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
    const [outcome] = await enqueueLinkedMessages(linked.messages, 'auto', {
      session,
      outbox: background.outboxFor(session),
      registry: background.registry,
      events: background.events,
    });
    await background.drainOutbox(session);
    return outcome!;
  }
  const loggedTo = (m: MailMessage) =>
    crm.activities.filter((a) => a.externalId === m.messageId).map((a) => a.contactId);

  it('"Not this person": the next thread shows nobody, a click and the sync log nothing to them; undo restores', async () => {
    const jane = crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] });
    const handlers = createFeatureHandlers(background.featureContext());
    const first = message('jane@acme.example');
    const view = await background.openThread(snapshotOf(first), false);
    expect(view.known[0]).toMatchObject({
      matchedBy: 'primary',
      matchReason: expect.stringContaining("Jane Buyer's main email"),
    });

    const { override } = await handlers['match.correct'](
      { kind: 'contact', address: 'Jane@Acme.example', recordId: null, label: 'not Jane Buyer' },
      PANEL,
    );
    expect(override).toEqual({
      kind: 'contact',
      key: 'jane@acme.example',
      recordId: null,
      label: 'not Jane Buyer',
    });
    const next = message('jane@acme.example');
    const nextView = await background.openThread(snapshotOf(next), false);
    expect(nextView.known).toEqual([]);
    expect(nextView.unknown.map((u) => u.address)).toEqual(['jane@acme.example']);
    await background.logThread(snapshotOf(next), [next.providerMessageId]);
    expect(loggedTo(next)).toEqual([]);
    expect(await sync(message('jane@acme.example'))).toMatchObject({ status: 'skipped' });
    expect((await background.getSettings()).matchOverrides).toHaveLength(1);

    await handlers['match.uncorrect']({ kind: 'contact', key: override.key }, PANEL);
    const restored = message('jane@acme.example');
    expect(await sync(restored)).toMatchObject({ status: 'enqueued' });
    expect(loggedTo(restored)).toEqual([jane.id]);
  });

  it('"Not this company" keeps the contact but names no company on the activity', async () => {
    const acme = crm.addCompany({ name: 'Acme', domains: ['acme.example'] });
    crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'], companyId: acme.id });
    const handlers = createFeatureHandlers(background.featureContext());
    const before = message('jane@acme.example');
    expect((await background.openThread(snapshotOf(before), false)).known[0]).toMatchObject({
      company: { id: acme.id },
      companyMatch: { domain: 'acme.example' },
    });
    await handlers['match.correct'](
      { kind: 'company', address: 'jane@acme.example', recordId: null, label: 'not Acme' },
      PANEL,
    );
    const after = message('jane@acme.example');
    const view = await background.openThread(snapshotOf(after), false);
    expect(view.known[0]).toMatchObject({ company: null, companyCorrected: true });
    await sync(after);
    expect(crm.activities.find((a) => a.externalId === after.messageId)).toMatchObject({ companyId: null });
  });

  it('"Never log" an address or a domain: at once for the panel, clicks and the sync; undo', async () => {
    crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] });
    crm.addContact({ name: 'Sam Other', emails: ['sam@eu.other.example'] });
    const handlers = createFeatureHandlers(background.featureContext());
    const { entry } = await handlers['neverLog.add'](
      { scope: 'address', address: 'jane@acme.example' },
      PANEL,
    );
    const m = message('jane@acme.example');
    const view = await background.openThread(snapshotOf(m), false);
    expect(view.messages[0]).toMatchObject({
      state: 'not_loggable',
      reason: expect.stringMatching(/never-log list/),
    });
    await background.logThread(snapshotOf(m), [m.providerMessageId]);
    expect(loggedTo(m)).toEqual([]);
    expect(await sync(message('jane@acme.example'))).toMatchObject({
      status: 'skipped',
      skip: { rule: 'never_log', automated: null, detail: 'jane@acme.example' },
    });

    const domain = await handlers['neverLog.add'](
      { scope: 'domain', address: 'sam@eu.other.example' },
      PANEL,
    );
    expect(domain.entry).toEqual({ scope: 'domain', value: 'other.example' });
    expect(await sync(message('sam@eu.other.example'))).toMatchObject({ status: 'skipped' });

    await handlers['neverLog.remove'](entry, PANEL);
    await handlers['neverLog.remove'](domain.entry, PANEL);
    expect(await sync(message('jane@acme.example'))).toMatchObject({ status: 'enqueued' });
    expect(await sync(message('sam@eu.other.example'))).toMatchObject({ status: 'enqueued' });
  });

  it('a shared address waits for the pick; the pick is applied to the next thread and the sync', async () => {
    // Two contacts on one address: what Salesforce or HubSpot allow for info@ addresses.
    crm.addContact({ name: 'Ann Office', emails: ['info@acme.example'] });
    const ben = crm.addContact({ name: 'Ben Sales', emails: ['info@acme.example'] });
    const handlers = createFeatureHandlers(background.featureContext());
    const first = message('info@acme.example');
    const view = await background.openThread(snapshotOf(first), false);
    expect(view.known).toEqual([]);
    expect(view.ambiguous).toEqual([
      expect.objectContaining({
        address: 'info@acme.example',
        candidates: [
          expect.objectContaining({ name: 'Ann Office' }),
          expect.objectContaining({ name: 'Ben Sales' }),
        ],
      }),
    ]);
    // Nothing is logged to a guess.
    expect(await sync(first)).toMatchObject({ status: 'skipped' });

    await handlers['match.correct'](
      { kind: 'contact', address: 'info@acme.example', recordId: ben.id, label: 'Ben Sales (picked)' },
      PANEL,
    );
    const next = message('info@acme.example');
    const picked = await background.openThread(snapshotOf(next), false);
    expect(picked.ambiguous).toEqual([]);
    expect(picked.known[0]).toMatchObject({ contact: { id: ben.id }, matchedBy: 'override' });
    await sync(next);
    expect(loggedTo(next)).toEqual([ben.id]);
  });
});
