import { type Mock, vi } from 'vitest';
import { PANEL_MESSAGES, type PanelApi, type PanelMessages } from '../../../components/panel/PanelApi';
import type { Company, Contact, Deal, EmailActivity } from '../../../lib/crm/contract';
import { ThreadSnapshot, type ThreadSnapshotInput } from '../../../lib/mail/MailMessage';
import { groupAndAction, type MessageMethod } from '../../../lib/messaging/messageClient';
import { ContactCard, MessageLogStatus, ThreadView, UnknownParticipant } from '../../../lib/panel/ThreadView';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** Dates relative to the real clock: the panel formats "2 hours ago" against Date.now(). */
export function hoursAgo(hours: number): string {
  return new Date(Date.now() - hours * HOUR).toISOString();
}
export function daysAgo(days: number): string {
  return new Date(Date.now() - days * DAY).toISOString();
}

export const acme: Company = {
  id: 'co_acme',
  name: 'Acme Corp',
  domains: ['acme.example'],
  url: 'https://crm.example/companies/co_acme',
};

export function contact(overrides: Partial<Contact> = {}): Contact {
  return {
    id: 'ct_jane',
    name: 'Jane Doe',
    emails: ['jane@acme.example', 'j.doe@acme.example'],
    title: 'Head of Procurement',
    phone: '+44 20 7946 0958',
    companyId: acme.id,
    ownerName: 'Rita Rep',
    lifecycleStage: 'Customer',
    url: 'https://crm.example/contacts/ct_jane',
    createdAt: '2024-11-02T09:00:00Z',
    updatedAt: '2025-02-20T16:30:00Z',
    ...overrides,
  };
}

export function deal(overrides: Partial<Deal> = {}): Deal {
  return {
    id: 'dl_renewal',
    name: 'Acme 2025 renewal',
    stage: 'Negotiation',
    amount: 48000,
    currency: 'EUR',
    closeDate: '2025-06-30',
    contactIds: ['ct_jane'],
    companyId: acme.id,
    url: 'https://crm.example/deals/dl_renewal',
    ...overrides,
  };
}

export function activity(overrides: Partial<EmailActivity> = {}): EmailActivity {
  return {
    id: 'ac_1',
    type: 'email',
    externalId: 'cafe01@mail.acme.example',
    contactId: 'ct_jane',
    companyId: acme.id,
    dealId: null,
    direction: 'incoming',
    subject: 'Re: Renewal quote',
    snippet: 'Thanks, the revised numbers look good. Can we move the start date?',
    occurredAt: hoursAgo(3),
    from: { name: 'Jane Doe', address: 'jane@acme.example' },
    to: [{ name: 'Rita Rep', address: 'rita@ourco.example' }],
    cc: [],
    hasAttachments: false,
    threadId: 'thread-renewal',
    source: 'gmail',
    loggedBy: 'u_rita',
    loggedByName: 'Rita Rep',
    createdAt: hoursAgo(3),
    ...overrides,
  };
}

export function contactCard(overrides: Partial<ContactCard> = {}): ContactCard {
  return ContactCard.parse({
    contact: contact(),
    company: acme,
    deals: [deal()],
    recentActivities: [
      activity(),
      activity({
        id: 'ac_2',
        externalId: 'beef02@ourco.example',
        direction: 'outgoing',
        subject: 'Renewal quote',
        snippet: 'Please find the quote for the 2025 renewal attached.',
        occurredAt: daysAgo(2),
        from: { name: 'Rita Rep', address: 'rita@ourco.example' },
        to: [{ name: 'Jane Doe', address: 'jane@acme.example' }],
        hasAttachments: true,
        source: 'outlook',
      }),
      activity({
        id: 'ac_3',
        externalId: 'crm03@crm.example',
        direction: 'outgoing',
        subject: 'Welcome to Acme onboarding',
        snippet: '',
        occurredAt: daysAgo(40),
        source: 'crm',
      }),
    ],
    matchedAddress: 'jane@acme.example',
    detailLoaded: true,
    ...overrides,
  });
}

export function unknownParticipant(overrides: Partial<UnknownParticipant> = {}): UnknownParticipant {
  return UnknownParticipant.parse({
    address: 'sam.lee@acme.example',
    name: 'Sam Lee (Acme)',
    suggestedName: 'Sam Lee',
    company: acme,
    canCreate: true,
    reason: null,
    ...overrides,
  });
}

export function messageStatus(overrides: Partial<MessageLogStatus> = {}): MessageLogStatus {
  return MessageLogStatus.parse({
    providerMessageId: 'msg-1',
    externalId: 'cafe01@mail.acme.example',
    approximateKey: false,
    subject: 'Re: Renewal quote',
    date: hoursAgo(3),
    fromName: 'Jane Doe',
    direction: 'incoming',
    state: 'not_logged',
    contactIds: ['ct_jane'],
    loggedAt: null,
    loggedBy: [],
    error: null,
    reason: null,
    ...overrides,
  });
}

export function threadView(overrides: Partial<ThreadView> = {}): ThreadView {
  return ThreadView.parse({
    threadKey: 'gmail:rita@ourco.example:thread-renewal',
    fromCache: false,
    fetchedAt: new Date().toISOString(),
    crmUser: { id: 'u_rita', name: 'Rita Rep' },
    known: [contactCard()],
    unknown: [unknownParticipant()],
    companies: [acme],
    messages: [
      messageStatus(),
      messageStatus({
        providerMessageId: 'msg-2',
        externalId: 'beef02@ourco.example',
        subject: 'Re: Re: Renewal quote',
        date: hoursAgo(1),
        fromName: 'Rita Rep',
        direction: 'outgoing',
      }),
    ],
    notice: null,
    ...overrides,
  });
}

export function snapshot(
  threadId = 'thread-renewal',
  messageIds: string[] = ['msg-1', 'msg-2'],
): ThreadSnapshot {
  const input: ThreadSnapshotInput = {
    provider: 'gmail',
    mailbox: 'rita@ourco.example',
    threadId,
    subject: 'Re: Renewal quote',
    messages: messageIds.map((id, index) => ({
      provider: 'gmail',
      mailbox: 'rita@ourco.example',
      providerMessageId: id,
      providerThreadId: threadId,
      messageId: `${id}@mail.example`,
      from: { name: 'Jane Doe', address: 'jane@acme.example' },
      to: [{ name: 'Rita Rep', address: 'rita@ourco.example' }],
      subject: 'Re: Renewal quote',
      date: hoursAgo(3 - index),
      folderRole: 'inbox',
    })),
  };
  return ThreadSnapshot.parse(input);
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// biome-ignore lint/suspicious/noExplicitAny: vitest's own Procedure type
type Procedure = (...args: any[]) => any;
type PanelClient = Omit<PanelApi, 'loadCollapsed' | 'saveCollapsed'>;
type MockedClient = {
  [G in keyof PanelClient]: { [A in keyof PanelClient[G]]: Mock<PanelClient[G][A] & Procedure> };
};
/** Answers by message type (`'thread.open'`), for the messages a test cares about. */
export type FakeAnswers = { [K in keyof PanelMessages]?: MessageMethod<PanelMessages[K]> } & Partial<
  Pick<PanelApi, 'loadCollapsed' | 'saveCollapsed'>
>;

const DEFAULT_ANSWERS: FakeAnswers = {
  'thread.open': async () => threadView(),
  'thread.log': async () => ({ messages: [] }),
  'contact.create': async (input) => ({
    contact: contact({ id: 'ct_new', name: input.name, emails: [input.email] }),
    existed: false,
  }),
  'task.create': async () => ({ status: 'created' }),
  'outbox.retry': async () => ({ retried: 0 }),
  'options.open': async () => ({}),
  'deal.choose': async ({ dealId, dealName }) => ({
    chosen: { dealId, dealName, chosenAt: Date.now() },
    relinked: 0,
    notRelinked: 0,
    notice: null,
  }),
  'deal.clear': async () => ({}),
  'match.correct': async ({ kind, address, recordId, label }) => ({
    override: {
      kind,
      key: kind === 'contact' ? address : address.slice(address.indexOf('@') + 1),
      recordId,
      label: label ?? '',
    },
  }),
  'match.uncorrect': async () => ({}),
  'neverLog.add': async ({ scope, address }) => ({
    entry: { scope, value: scope === 'address' ? address : address.slice(address.indexOf('@') + 1) },
  }),
  'neverLog.remove': async () => ({}),
};

/**
 * A PanelApi shaped like the derived one (`api.thread.open`), one vi.fn per panel message;
 * by default the thread opens fresh with `threadView()`. A message with no answer rejects.
 */
export function fakeApi(answers: FakeAnswers = {}) {
  const client: Record<string, Record<string, Mock>> = {};
  for (const type of Object.keys(PANEL_MESSAGES)) {
    const [group, action] = groupAndAction(type);
    const answer =
      (answers as Record<string, Procedure | undefined>)[type] ??
      (DEFAULT_ANSWERS as Record<string, Procedure | undefined>)[type] ??
      (async () => {
        throw new Error(`fakeApi has no answer for ${type}`);
      });
    client[group] ??= {};
    client[group][action] = vi.fn(answer);
  }
  return {
    ...(client as unknown as MockedClient),
    loadCollapsed: vi.fn<PanelApi['loadCollapsed']>(answers.loadCollapsed ?? (async () => false)),
    saveCollapsed: vi.fn<PanelApi['saveCollapsed']>(answers.saveCollapsed ?? (async () => undefined)),
  } satisfies PanelApi;
}
