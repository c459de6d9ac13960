import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmSidebarBackground } from '../../../lib/background/CrmSidebarBackground';
import {
  enqueueLinkedMessages,
  linkingContextFor,
  lookupThread,
} from '../../../lib/background/MessagePipeline';
import { describeError } from '../../../lib/errors/describeError';
import { toErrorInfo } from '../../../lib/errors/toErrorInfo';
import { providerDerivedExternalId } from '../../../lib/logging/externalIdFor';
import { MailMessage, type MailMessageInput, ThreadSnapshot } from '../../../lib/mail/MailMessage';
import { createFeatureHandlers } from '../../../lib/panel/features/panelFeatures';
import type { SettingsInput } from '../../../lib/settings/Settings';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { FakeCrmConnector } from '../../fakes/FakeCrmConnector';
import { backgroundForTest } from './backgroundForTest';

let dbCounter = 0;
const ME = 'riley@ourco.example';

function message(overrides: Partial<MailMessageInput> = {}): MailMessage {
  return MailMessage.parse({
    provider: 'gmail',
    mailbox: ME,
    providerMessageId: `p${Math.random().toString(16).slice(2)}`,
    providerThreadId: 't1',
    messageId: `${Math.random().toString(16).slice(2)}@mail.ourco.example`,
    from: { name: 'Riley Rep', address: ME },
    to: [{ name: 'Jane Buyer', address: 'jane@acme.example' }],
    subject: 'Proposal',
    date: new Date().toISOString(),
    snippet: 'Here is the proposal',
    folderRole: 'sent',
    ...overrides,
  });
}

/** An Outlook thread with one message from a known contact (Jane Buyer) to the rep. */
const snapshotOf = (threadId: string) =>
  ThreadSnapshot.parse({
    provider: 'outlook',
    mailbox: ME,
    threadId,
    subject: 'Hello',
    messages: [
      message({
        provider: 'outlook',
        folderRole: 'inbox',
        from: { name: 'Jane Buyer', address: 'jane@acme.example' },
        to: [{ name: '', address: ME }],
      }),
    ],
  });

describe('CrmSidebarBackground and the message pipeline', () => {
  let db: CrmSidebarDb;
  let crm: FakeCrmConnector;
  let background: CrmSidebarBackground;

  async function configure(patch: Partial<SettingsInput> = {}) {
    await background.updateSettings({
      crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' },
      ...patch,
    });
  }

  async function runPipeline(messages: MailMessage[], mode: 'auto' | 'manual') {
    const session = await background.sessions.session();
    const context = linkingContextFor(session, [ME]);
    const linked = await lookupThread(messages, context, session.connector, background.cache, false);
    const outcomes = await enqueueLinkedMessages(linked.messages, mode, {
      session,
      outbox: background.outboxFor(session),
      registry: background.registry,
      events: background.events,
    });
    await background.drainOutbox(session);
    return outcomes;
  }

  beforeEach(async () => {
    db = openCrmSidebarDb(`background-${++dbCounter}`);
    crm = new FakeCrmConnector();
    background = backgroundForTest({
      db,
      version: '1.2.3',
      createConnector: () => crm,
      clickDrainMaxWaitMs: 0,
    });
  });
  afterEach(() => db.close());

  it('answers not_configured until a CRM is set, then caches the identity (one /me per connection)', async () => {
    await expect(background.sessions.session()).rejects.toMatchObject({ kind: 'not_configured' });
    await configure();
    await background.sessions.session();
    await background.sessions.session();
    expect(crm.calls.filter((c) => c.method === 'whoami')).toHaveLength(1);
    const status = await background.status();
    expect(status).toMatchObject({ version: '1.2.3', crmConfigured: true, crmUser: { name: 'Riley Rep' } });
  });

  it('signed out of HubSpot (per-rep OAuth): the panel says to sign in with HubSpot, not to add an address and token', async () => {
    await background.updateSettings({
      crm: { type: 'hubspot', hubspotAuth: 'oauth', hubspotClientId: 'app', repEmail: 'riley@ourco.example' },
    });
    const error = await background.sessions.session().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'not_configured' });
    expect(describeError(toErrorInfo(error), 'crm')).toMatchObject({
      title: 'Sign in with HubSpot',
      text: expect.stringContaining('Sign in with HubSpot in the settings'),
      action: 'open_settings',
    });
    expect(describeError(toErrorInfo(error), 'settings').text).toBe('Sign in with HubSpot first.');
    expect(crm.calls).toEqual([]);
  });

  it('rejects invalid settings with a readable message and keeps the old ones', async () => {
    await configure();
    await expect(background.updateSettings({ syncFrequencyMinutes: 7 })).rejects.toThrow(
      /syncFrequencyMinutes/,
    );
    expect((await background.getSettings()).syncFrequencyMinutes).toBe(15);
  });

  it('logs a sent message to every To/Cc contact once, however often it is processed', async () => {
    await configure();
    const jane = crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] });
    const bob = crm.addContact({ name: 'Bob', emails: ['bob@acme.example', 'bob.alt@acme.example'] });
    const m = message({ cc: [{ name: 'Bob', address: 'BOB.ALT@acme.example' }] });
    const first = await runPipeline([m], 'auto');
    expect(first.map((o) => o.status)).toEqual(['enqueued']);
    const again = await runPipeline([m, { ...m, providerMessageId: 'moved-folder-new-id' }], 'auto');
    expect(again.map((o) => o.status)).toEqual(['already_logged', 'already_logged']);
    expect(crm.activities.map((a) => a.contactId).sort()).toEqual([jane.id, bob.id].sort());
    expect(crm.activities.every((a) => a.direction === 'outgoing' && a.body === undefined)).toBe(true);
  });

  it('logs a message to all 500 recipients who are contacts, in lookups of 100', async () => {
    await configure();
    const to = Array.from({ length: 500 }, (_, i) => ({
      name: `P${i}`,
      address: `p${i}@acme${i % 7}.example`,
    }));
    for (const { name, address } of to) crm.addContact({ name, emails: [address] });
    const outcomes = await runPipeline([message({ to })], 'auto');
    expect(outcomes.map((o) => o.status)).toEqual(['enqueued']);
    expect(new Set(crm.activities.map((a) => a.contactId)).size).toBe(500);
    const lookups = crm.calls.filter((c) => c.method === 'lookup');
    expect(lookups).toHaveLength(5);
  });

  it('sets aside a message the CRM contract refuses and logs the rest', async () => {
    await configure();
    crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] });
    // A sender can put any address on the Cc line: 250 + 1 + 253 characters normalises, but the
    // contract takes at most 320.
    const long = `${'a'.repeat(250)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.example`;
    const asked: string[] = [];
    const lookup = crm.lookup.bind(crm);
    crm.lookup = (request) => {
      asked.push(...(request.emails ?? []));
      return lookup(request);
    };
    const hostile = message({ cc: [{ name: 'Long', address: long }] });
    const nul = message({ subject: 'Proposal\u0000' });
    const fine = message();
    const outcomes = await runPipeline([hostile, nul, fine], 'auto');
    expect(outcomes.map((o) => o.status)).toEqual(['skipped', 'skipped', 'enqueued']);
    expect(outcomes.slice(0, 2)).toEqual([
      expect.objectContaining({
        skip: expect.objectContaining({ rule: 'refused_by_crm' }),
        reason: expect.stringContaining('cc.0.address'),
      }),
      expect.objectContaining({
        skip: expect.objectContaining({ rule: 'refused_by_crm' }),
        reason: expect.stringContaining('subject'),
      }),
    ]);
    expect(crm.activities).toHaveLength(1);
    // The lookup itself never carried the overlong address (the strict fake would answer 400).
    expect(asked).toContain('jane@acme.example');
    expect(asked).not.toContain(long);
  });

  it('creates unknown recipients under the automatic policy, never for free-mail or automated addresses', async () => {
    await configure({ createContactPolicy: 'automatic' });
    const m = message({
      to: [
        { name: 'New Person', address: 'new.person@newco.example' },
        { name: 'Gmail User', address: 'someone@gmail.com' },
        { name: '', address: 'noreply@newco.example' },
      ],
    });
    const [outcome] = await runPipeline([m], 'auto');
    expect(outcome?.status).toBe('enqueued');
    const created = [...crm.contacts.values()];
    expect(created.map((c) => c.emails[0])).toEqual(['new.person@newco.example']);
    expect(created[0]?.name).toBe('New Person');
    expect(crm.activities.map((a) => a.contactId)).toEqual([created[0]!.id]);
  });

  it('skips with a reason what the sync must not log, but a click still logs it', async () => {
    await configure({ autoLogSent: false });
    crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] });
    const [off] = await runPipeline([message()], 'auto');
    expect(off).toMatchObject({ status: 'skipped', reason: 'automatic logging of sent mail is off' });
    const noId = message({ messageId: null, messageIdSource: 'none' });
    const [auto] = await runPipeline([noId], 'auto');
    expect(auto).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/Message-ID/i) });
    const [manual] = await runPipeline([noId], 'manual');
    expect(manual).toMatchObject({
      status: 'enqueued',
      externalId: providerDerivedExternalId('gmail', noId.providerMessageId),
    });
    expect(crm.activities).toHaveLength(1);
  });

  it('creates keyword-rule tasks for the linked contact', async () => {
    await configure({
      keywordRules: [
        {
          id: 'r1',
          field: 'subject_or_body',
          keyword: 'urgent',
          action: 'create_task',
          taskTitle: 'Call back',
          priority: 'high',
          dueInDays: 1,
        },
      ],
    });
    const jane = crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] });
    await runPipeline([message({ subject: 'URGENT: pricing' })], 'auto');
    expect(crm.tasks).toEqual([
      expect.objectContaining({ contactId: jane.id, title: 'Call back', priority: 'high' }),
    ]);
  });

  it('suggests (but does not create) tasks from "propose" keyword rules', async () => {
    await configure({
      keywordRules: [
        {
          id: 'r2',
          field: 'subject',
          keyword: 'invoice',
          action: 'propose_task',
          taskTitle: 'Check payment',
          priority: 'normal',
          dueInDays: 3,
        },
      ],
    });
    const jane = crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] });
    const snapshot = ThreadSnapshot.parse({
      provider: 'gmail',
      mailbox: ME,
      threadId: 't2',
      subject: 'Invoice',
      messages: [message({ subject: 'Your invoice for March' })],
    });
    const view = await background.openThread(snapshot, false);
    expect(view.suggestedTasks).toEqual([
      expect.objectContaining({
        contactId: jane.id,
        contactName: 'Jane Buyer',
        title: 'Check payment',
        priority: 'normal',
      }),
    ]);
    expect(crm.tasks).toHaveLength(0);
    const handlers = createFeatureHandlers(background.featureContext());
    const task = {
      contactId: jane.id,
      title: 'Check payment',
      priority: 'normal' as const,
      sourceExternalId: view.suggestedTasks[0]!.sourceExternalId,
    };
    expect(await handlers['task.create']({ task }, { context: 'content' })).toEqual({ status: 'created' });
    expect(await handlers['task.create']({ task }, { context: 'content' })).toEqual({ status: 'existing' });
    expect(crm.tasks).toHaveLength(1);
  });

  it('leaves out what a CRM declares it cannot do: contact creation, tasks, colleague activity', async () => {
    crm = new FakeCrmConnector({
      capabilities: { createContact: false, tasks: false, colleagueActivity: false },
    });
    await configure({
      createContactPolicy: 'automatic',
      keywordRules: [
        {
          id: 'r3',
          field: 'subject',
          keyword: 'urgent',
          action: 'create_task',
          taskTitle: 'Call back',
          priority: 'high',
          dueInDays: 1,
        },
        {
          id: 'r4',
          field: 'subject',
          keyword: 'urgent',
          action: 'propose_task',
          taskTitle: 'Check in',
          priority: 'normal',
          dueInDays: 1,
        },
      ],
    });
    crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] });
    const m = message({
      subject: 'Urgent',
      to: [
        { name: 'Jane Buyer', address: 'jane@acme.example' },
        { name: 'New Person', address: 'new.person@newco.example' },
      ],
    });
    await runPipeline([m], 'auto');
    expect([...crm.contacts.values()].map((c) => c.name)).toEqual(['Jane Buyer']);
    expect(crm.tasks).toHaveLength(0);
    const snapshot = ThreadSnapshot.parse({
      provider: 'gmail',
      mailbox: ME,
      threadId: 't-caps',
      subject: 'Urgent',
      messages: [message({ subject: 'Urgent again', to: m.to })],
    });
    const view = await background.openThread(snapshot, false);
    expect(view.connectedCrm).toEqual(crm.info);
    expect(view.suggestedTasks).toEqual([]);
    expect(view.unknown).toEqual([
      expect.objectContaining({
        address: 'new.person@newco.example',
        canCreate: false,
        reason: 'Contacts are not created from the sidebar in Fake CRM.',
      }),
    ]);
    expect(crm.calls.some((c) => c.method === 'activitiesForMessage')).toBe(false);
  });

  it('skips automated mail in the sync, counted by kind, and tells the panel why', async () => {
    await configure({ autoLogReceived: true });
    crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] });
    const newsletter = message({
      folderRole: 'inbox',
      from: { name: 'Jane Buyer', address: 'jane@acme.example' },
      to: [{ name: '', address: ME }],
      headers: { 'list-unsubscribe': '<https://acme.example/u>', precedence: 'bulk' },
    });
    const [skipped] = await runPipeline([newsletter], 'auto');
    expect(skipped).toMatchObject({
      status: 'skipped',
      reason: 'automated mail (a newsletter): Precedence: bulk and List-Unsubscribe',
      skip: { rule: 'automated', automated: 'newsletter', detail: 'Precedence: bulk and List-Unsubscribe' },
    });
    const view = await background.openThread(
      ThreadSnapshot.parse({
        provider: 'gmail',
        mailbox: ME,
        threadId: 't1',
        subject: 'Proposal',
        messages: [newsletter],
      }),
      false,
    );
    expect(view.messages[0]).toMatchObject({
      state: 'not_logged',
      skip: { rule: 'automated', automated: 'newsletter', detail: 'Precedence: bulk and List-Unsubscribe' },
      reason:
        'Not logged automatically: automated mail (a newsletter): Precedence: bulk and List-Unsubscribe',
    });
  });

  it('words an automated sender nobody knows as automated mail, the kind once, in the receipt and the unknown row', async () => {
    await configure();
    // A notification from a no-reply address of a company nobody in the CRM works at.
    const notification = message({
      folderRole: 'inbox',
      from: { name: 'Billing', address: 'no-reply@billing.example' },
      to: [{ name: '', address: ME }],
      subject: 'Your invoice INV-2291 is ready',
    });
    const view = await background.openThread(
      ThreadSnapshot.parse({
        provider: 'gmail',
        mailbox: ME,
        threadId: 't1',
        subject: notification.subject,
        messages: [notification],
      }),
      false,
    );
    const [receipt] = view.messages;
    expect(receipt).toMatchObject({ state: 'not_loggable', skip: { rule: 'automated' } });
    expect(receipt!.reason).toMatch(/^automated mail \(a notification\): /);
    expect(receipt!.reason).not.toMatch(/contact/);
    const unknown = view.unknown.find((u) => u.address === 'no-reply@billing.example');
    expect(unknown?.reason).toMatch(/^automated mail \(a notification\): /);
    expect(unknown?.reason).not.toMatch(/automated notification/);
  });

  it('says the page does not show the Message-ID (not "spam") for a message read from the page', async () => {
    await configure();
    crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] });
    // What the Outlook reader returns: no Message-ID, because the page does not show one.
    const fromPage = message({
      provider: 'outlook',
      folderRole: 'inbox',
      from: { name: 'Jane Buyer', address: 'jane@acme.example' },
      to: [{ name: '', address: ME }],
      messageId: null,
      messageIdSource: 'none',
    });
    const view = await background.openThread(
      ThreadSnapshot.parse({
        provider: 'outlook',
        mailbox: ME,
        threadId: 't1',
        subject: fromPage.subject,
        messages: [fromPage],
        source: 'page',
      }),
      false,
    );
    const [receipt] = view.messages;
    expect(receipt).toMatchObject({ state: 'not_logged', skip: { rule: 'message_id_not_shown' } });
    expect(receipt!.reason).toBe(
      'Not logged automatically: the page does not show its Message-ID, so Log email files it under the webmail’s own item key; with the mailbox connected, the sync logs it under its exact Message-ID',
    );
    expect(receipt!.reason).not.toMatch(/spam/);
  });

  it('builds the thread view: known cards, unknown participants with reasons, per-message states', async () => {
    await configure();
    crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] });
    const snapshot = ThreadSnapshot.parse({
      provider: 'outlook',
      mailbox: ME,
      threadId: 'conv-1',
      subject: 'Hello',
      messages: [
        message({
          provider: 'outlook',
          folderRole: 'inbox',
          from: { name: 'Jane Buyer', address: 'jane@acme.example' },
          to: [{ name: '', address: ME }],
          cc: [{ name: 'Pat', address: 'pat@gmail.com' }],
        }),
      ],
    });
    const cold = await background.openThread(snapshot, true);
    expect(cold.fromCache).toBe(false);
    expect(cold.known.map((k) => k.contact.name)).toEqual(['Jane Buyer']);
    expect(cold.messages[0]).toMatchObject({ state: 'not_logged', direction: 'incoming' });
    const warm = await background.openThread(snapshot, true);
    expect(warm.fromCache).toBe(true);
    expect(crm.calls.filter((c) => c.method === 'lookup')).toHaveLength(1);

    const [logged] = await background.logThread(snapshot, [snapshot.messages[0]!.providerMessageId]);
    expect(logged).toMatchObject({ state: 'logged', loggedBy: [expect.objectContaining({ self: true })] });
    const after = await background.openThread(snapshot, false);
    expect(after.messages[0]?.state).toBe('logged');
  });

  it('answers the panel frame with the lookup its content script started (thread.prefetch): fresh, once, one lookup', async () => {
    await configure();
    crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] });
    const lookups = () => crm.calls.filter((c) => c.method === 'lookup').length;
    const snapshot = snapshotOf('conv-prefetch');
    // The frame asks while the prefetch is still under way: it waits for it, no second lookup.
    const prefetched = background.prefetchThread(snapshot);
    const [view] = await Promise.all([background.openThread(snapshot, true), prefetched]);
    expect(view.fromCache).toBe(false);
    expect(view.known.map((k) => k.contact.name)).toEqual(['Jane Buyer']);
    expect(lookups()).toBe(1);
    // Used once: the next open of the thread is an ordinary one (cached view, then a refresh).
    expect((await background.openThread(snapshot, true)).fromCache).toBe(true);
    await background.openThread(snapshot, false);
    expect(lookups()).toBe(2);
    // Seen before: the cached view answers at once, and the refresh takes the prefetch.
    const again = background.prefetchThread(snapshot);
    expect((await background.openThread(snapshot, true)).fromCache).toBe(true);
    expect((await background.openThread(snapshot, false)).fromCache).toBe(false);
    await again;
    expect(lookups()).toBe(3);
    // A prefetch answers only the very snapshot it was started for.
    await background.prefetchThread(snapshotOf('conv-other'));
    await background.openThread(snapshotOf('conv-third'), true);
    expect(lookups()).toBe(5);
  });

  it('a failed prefetch costs the frame nothing but the wait: its own open asks the CRM again', async () => {
    await configure();
    const snapshot = snapshotOf('conv-down');
    const { CrmError } = await import('../../../lib/crm/CrmError');
    let failed = false;
    crm.faultInjector = (call) => {
      if (call.method !== 'lookup' || failed) return undefined;
      failed = true;
      return new CrmError('network', 'offline');
    };
    await background.prefetchThread(snapshot);
    const view = await background.openThread(snapshot, true);
    expect(view.fromCache).toBe(false);
    expect(crm.calls.filter((c) => c.method === 'lookup')).toHaveLength(2);
  });

  it('reports a click as queued when the CRM is unreachable, and delivers it later', async () => {
    await configure();
    crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] });
    const snapshot = ThreadSnapshot.parse({
      provider: 'gmail',
      mailbox: ME,
      threadId: 't',
      subject: 's',
      messages: [message()],
    });
    await background.openThread(snapshot, false);
    const { CrmError } = await import('../../../lib/crm/CrmError');
    crm.faultInjector = (call) =>
      call.method === 'logActivities' ? new CrmError('network', 'offline') : undefined;
    const [queued] = await background.logThread(snapshot, [snapshot.messages[0]!.providerMessageId]);
    expect(queued?.state).toBe('queued');
    crm.faultInjector = undefined;
    await db.outbox.toCollection().modify({ nextAttemptAt: 0 });
    await background.drainOutbox();
    expect(crm.activities).toHaveLength(1);
    expect((await background.status()).outbox).toMatchObject({ pending: 0, failed: 0, delivered: 1 });
  });
});
