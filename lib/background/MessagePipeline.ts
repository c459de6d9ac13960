import type { CrmConnector } from '../crm/CrmConnector';
import { CrmError } from '../crm/CrmError';
import { type Contact, type LookupResponse, RECIPIENTS_MAX } from '../crm/contract';
import { createOrFindContact } from '../crm/createOrFindContact';
import {
  buildLookupRequest,
  splitLookupRequest,
  type ThreadLookupRequest,
} from '../linking/buildLookupRequest';
import { LinkIndex } from '../linking/LinkIndex';
import {
  createLinkingContext,
  type LinkingContext,
  linkMessage,
  type MessageLinks,
  type ThreadLinks,
} from '../linking/linkMessage';
import { matchKeywordRules } from '../linking/matchKeywordRules';
import { decideLinkedMessage, type SkippedMessage } from '../logging/autoLogDecision';
import { ActivityBuildError, buildActivities, recipientsLeftOut } from '../logging/buildActivities';
import type { MessageRegistry } from '../logging/MessageRegistry';
import type { Outbox } from '../logging/Outbox';
import { type SkipReason, skipReason } from '../logging/SkipReason';
import type { ThreadDealChoices } from '../logging/ThreadDealChoices';
import type { MailMessage } from '../mail/MailMessage';
import type { EventLog } from '../store/EventLog';
import { type LookupCache, lookupCacheKey } from '../store/LookupCache';
import type { CrmSession } from './CrmSession';

export interface LinkedMessage {
  message: MailMessage;
  links: MessageLinks;
}

export interface LinkedThread {
  context: LinkingContext;
  lookup: LookupResponse;
  index: LinkIndex;
  request: ThreadLookupRequest;
  messages: LinkedMessage[];
  fromCache: boolean;
}

export function linkingContextFor(session: CrmSession, extraOwnAddresses: readonly string[]): LinkingContext {
  return createLinkingContext({
    ownAddresses: [session.me.user.email, ...extraOwnAddresses],
    orgDomains: session.me.org.domains,
    settings: session.settings,
  });
}

/**
 * Links messages oldest first, so each thread's earlier links (contacts, companies) carry
 * over to its later messages: the "thread to record" rule (docs/ARCHITECTURE.md, "Matching to records").
 */
export function linkMessages(
  messages: readonly MailMessage[],
  index: LinkIndex,
  context: LinkingContext,
): LinkedMessage[] {
  const byThread = new Map<string, { contactIds: Set<string>; companyIds: Set<string> }>();
  // The rep's own messages seen so far, across threads (a Message-ID names one message
  // anywhere): a later received message answering one of them is a reply to the rep.
  const ownMessageIds = new Set<string>();
  // A message whose date the page did not show sorts first (its links still count).
  const at = (m: MailMessage) => (m.date ? Date.parse(m.date) : 0) || 0;
  const ordered = [...messages].sort((a, b) => at(a) - at(b));
  const linked = new Map<MailMessage, MessageLinks>();
  for (const message of ordered) {
    const threadKey = message.providerThreadId;
    const earlier = threadKey ? byThread.get(threadKey) : undefined;
    const threadLinks: ThreadLinks = earlier
      ? {
          contactIds: [...earlier.contactIds],
          companyIds: [...earlier.companyIds],
          dealIds: [],
          ownMessageIds,
        }
      : { contactIds: [], companyIds: [], dealIds: [], ownMessageIds };
    const links = linkMessage(message, index, context, threadLinks);
    linked.set(message, links);
    const sentId = sentMessageIdOf(message, links);
    if (sentId) ownMessageIds.add(sentId);
    if (threadKey && links.direction.eligibility !== 'never') {
      const acc = earlier ?? { contactIds: new Set<string>(), companyIds: new Set<string>() };
      for (const c of links.contacts) acc.contactIds.add(c.contact.id);
      for (const c of links.companies) acc.companyIds.add(c.company.id);
      byThread.set(threadKey, acc);
    }
  }
  return messages.map((message) => ({ message, links: linked.get(message)! }));
}

/** The Message-ID a reply to this message names, when the rep sent it (a draft was never sent). */
export function sentMessageIdOf(message: MailMessage, links: MessageLinks): string | null {
  return links.direction.direction === 'outgoing' && links.direction.code !== 'draft'
    ? message.messageId
    : null;
}

/** One lookup for the thread, answered from the cache when allowed. */
export async function lookupThread(
  messages: readonly MailMessage[],
  context: LinkingContext,
  connector: CrmConnector,
  cache: LookupCache,
  preferCache: boolean,
): Promise<LinkedThread> {
  const request = buildLookupRequest(messages, context.ownAddresses, context.exclusions);
  const key = lookupCacheKey(request);
  let lookup: LookupResponse | null = preferCache ? await cache.get(key) : null;
  const fromCache = lookup !== null;
  if (!lookup) {
    // One call per 100 emails / 100 domains, one after the other (CRMs rate-limit bursts).
    const answers: LookupResponse[] = [];
    for (const call of splitLookupRequest(request)) answers.push(await connector.lookup(call));
    lookup = mergeLookups(answers);
    await cache.set(key, lookup);
  }
  const index = new LinkIndex(lookup.contacts, lookup.companies);
  return { context, lookup, index, request, messages: linkMessages(messages, index, context), fromCache };
}

function mergeLookups(answers: readonly LookupResponse[]): LookupResponse {
  const contacts = new Map(answers.flatMap((a) => a.contacts).map((c) => [c.id, c]));
  const companies = new Map(answers.flatMap((a) => a.companies).map((c) => [c.id, c]));
  return { contacts: [...contacts.values()], companies: [...companies.values()] };
}

/**
 * Splits messages into groups whose participants fit one lookup (the contract allows 100
 * emails and 100 domains per call), so a sync page costs as few lookups as possible.
 */
export function groupForLookup(messages: readonly MailMessage[], context: LinkingContext): MailMessage[][] {
  const groups: MailMessage[][] = [];
  let current: MailMessage[] = [];
  for (const message of messages) {
    const candidate = [...current, message];
    const request = buildLookupRequest(candidate, context.ownAddresses, context.exclusions);
    const full = request.emails.length >= 100 || request.domains.length >= 100;
    if (full && current.length > 0) {
      groups.push(current);
      current = [message];
    } else {
      current = candidate;
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

export type MessageOutcome =
  | {
      providerMessageId: string;
      externalId: string;
      status: 'enqueued' | 'already_logged';
      contactIds: string[];
      /** Recipients the activity left out (a To or Cc list longer than the contract keeps). */
      recipientsLeftOut?: number;
      /**
       * Enqueued, but every activity was already waiting in the outbox: the same message handed
       * over again before its delivery (Graph's delta for new mail and the window list overlap
       * by a minute). Nothing new was logged; the sync does not count it twice.
       */
      alreadyQueued?: true;
    }
  | SkippedMessage;

export interface PipelineDeps {
  session: CrmSession;
  outbox: Outbox;
  registry: MessageRegistry;
  /** The rep's deal per thread: every message of a thread with a choice is logged to it. */
  threadDeals?: ThreadDealChoices;
  events?: EventLog;
  now?: () => number;
  /** Sees every message queued or found already logged (the mailbox marks remember them). */
  onQueued?: (message: MailMessage, externalId: string, direction: 'incoming' | 'outgoing') => Promise<void>;
}

/**
 * The one path every message takes to the CRM, clicked or synced: classification,
 * automated-mail filter, exclusions and linking (already in `linked`), the Message-ID
 * registry, one activity per contact, then the durable outbox. `auto` (sync) obeys the
 * auto-log rules; `manual` (a click) logs any message with a CRM contact, even without a
 * Message-ID, under a provider-derived key.
 */
export async function enqueueLinkedMessages(
  linked: readonly LinkedMessage[],
  mode: 'auto' | 'manual',
  deps: PipelineDeps,
): Promise<MessageOutcome[]> {
  const { session, outbox, registry } = deps;
  const crmUserId = session.me.user.id;
  const outcomes: MessageOutcome[] = [];
  for (const { message, links: linkedLinks } of linked) {
    const links = await withAutomaticContacts(linkedLinks, deps);
    const decision = decideLinkedMessage(message, links, mode);
    if (decision.status === 'skipped') {
      outcomes.push(decision);
      continue;
    }
    const { externalId, contactIds } = decision;
    const skip = (reason: string, why: SkipReason) =>
      outcomes.push({
        providerMessageId: message.providerMessageId,
        externalId,
        status: 'skipped',
        reason,
        skip: why,
        contactIds,
      });
    const row = await registry.get(crmUserId, externalId);
    if (mode === 'auto' && row?.logOffAtSend !== undefined && Object.keys(row.activities).length === 0) {
      skip('sent with Log to CRM off', skipReason('log_off_at_send'));
      continue;
    }
    // What the rep removed from its receipt stays removed, whoever asks (the sync, another tab).
    const removedByRep = contactIds.filter((id) => row?.removed?.[id] && !row.activities[id]);
    const missing = contactIds.filter((id) => !row?.activities[id] && !removedByRep.includes(id));
    if (missing.length === 0 && removedByRep.length > 0 && removedByRep.length === contactIds.length) {
      skip('removed by you', skipReason('removed_by_you'));
      continue;
    }
    if (missing.length === 0) {
      outcomes.push({
        providerMessageId: message.providerMessageId,
        externalId,
        status: 'already_logged',
        contactIds,
      });
      await deps.onQueued?.(message, externalId, links.direction.direction);
      continue;
    }
    const dealChoice = (await deps.threadDeals?.forMessage(message)) ?? null;
    let activities: ReturnType<typeof buildActivities>;
    try {
      const options = dealChoice ? { mode, dealId: dealChoice.dealId } : { mode };
      activities = buildActivities(message, links, session.settings, options).filter((a) =>
        missing.includes(a.contactId),
      );
    } catch (e) {
      if (e instanceof ActivityBuildError) {
        // Values the contract refuses (an overlong address, a NUL in the subject) would fail
        // at the CRM on every retry: the message is set aside with its reason, counted in the
        // popup, and the sync moves on.
        skip(e.message, skipReason(e.refusedByContract ? 'refused_by_crm' : e.rule, e.message));
        if (e.refusedByContract)
          await deps.events?.append(
            'warn',
            'sync.set_aside',
            `Set aside message ${externalId}: ${e.message}`,
          );
        continue;
      }
      throw e;
    }
    const queued = await outbox.enqueue(activities);
    const alreadyQueued = activities.length > 0 && queued.enqueued + queued.revived === 0;
    // Recorded with the first copy only.
    const leftOut = activities.length > 0 && !alreadyQueued ? recipientsLeftOut(message) : 0;
    if (leftOut > 0)
      await deps.events?.append(
        'warn',
        'sync.recipients_cut',
        `Logged message ${externalId} with the first ${RECIPIENTS_MAX} recipients of each list: ${leftOut} more (of ${message.to.length} To, ${message.cc.length} Cc) are not in the CRM's copy, which keeps at most ${RECIPIENTS_MAX} a list. Every contact among them still has the email.`,
        { to: message.to.length, cc: message.cc.length, leftOut },
      );
    outcomes.push({
      providerMessageId: message.providerMessageId,
      externalId,
      status: 'enqueued',
      contactIds,
      ...(leftOut > 0 ? { recipientsLeftOut: leftOut } : {}),
      ...(alreadyQueued ? { alreadyQueued } : {}),
    });
    if (activities.length > 0) await deps.onQueued?.(message, externalId, links.direction.direction);
    await createKeywordTasks(message, contactIds, deps);
  }
  return outcomes;
}

/**
 * Under the "automatic" create-contact policy (never for excluded or automated senders:
 * linking already decided that), unknown counterparties become contacts before logging.
 * An address someone else added meanwhile (409) is used as it is.
 */
async function withAutomaticContacts(links: MessageLinks, deps: PipelineDeps): Promise<MessageLinks> {
  // A CRM that cannot create contacts from here keeps them unknown (the panel says why).
  if (!deps.session.connector.info.capabilities.createContact) return links;
  const candidates = links.unknownParticipants.filter((u) => u.createContact.action === 'automatic');
  if (candidates.length === 0) return links;
  const created: MessageLinks['contacts'] = [];
  for (const u of candidates) {
    let contact: Contact | null = null;
    try {
      const result = await createOrFindContact(deps.session.connector, {
        name: u.suggestedName,
        emails: [u.address],
        companyId: u.company?.id ?? null,
      });
      contact = result.contact;
      if (!result.existed)
        await deps.events?.append(
          'info',
          'contact.created',
          `Created contact ${u.suggestedName} <${u.address}>`,
        );
    } catch (e) {
      if (!(e instanceof CrmError) || e.retryable) throw e;
      await deps.events?.append(
        'warn',
        'contact.failed',
        `Could not create a contact for ${u.address}: ${e.message}`,
      );
    }
    if (contact)
      created.push({ contact, address: u.address, matchedBy: 'primary', reason: u.createContact.reason });
  }
  return {
    ...links,
    contacts: [...links.contacts, ...created],
    unknownParticipants: links.unknownParticipants.filter(
      (u) => !created.some((c) => c.address === u.address),
    ),
  };
}

/** Keyword rules that create tasks do so at once; the CRM makes task creation idempotent. */
async function createKeywordTasks(
  message: MailMessage,
  contactIds: string[],
  deps: PipelineDeps,
): Promise<void> {
  if (!deps.session.connector.info.capabilities.tasks) return;
  const actions = matchKeywordRules(
    message,
    deps.session.settings.keywordRules,
    contactIds,
    new Date((deps.now ?? Date.now)()),
    deps.session.settings.privacyLevel,
  );
  for (const action of actions) {
    if (action.action !== 'create_task') continue;
    try {
      await deps.session.connector.createTask(action.task);
    } catch (e) {
      await deps.events?.append(
        'warn',
        'task.failed',
        `Could not create task "${action.task.title}": ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
}
