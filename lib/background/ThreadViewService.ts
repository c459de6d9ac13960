import { mapWithConcurrency } from '../async/mapWithConcurrency';
import type { CrmConnector } from '../crm/CrmConnector';
import { CrmError } from '../crm/CrmError';
import type { Company, Contact, ContactDetail, EmailActivity } from '../crm/contract';
import type { MatchCorrections } from '../linking/MatchCorrections';
import { registrableDomain } from '../linking/registrableDomain';
import { decideLinkedMessage } from '../logging/autoLogDecision';
import { describeSkip } from '../logging/describeSkip';
import { externalIdFor, isProviderDerivedExternalId } from '../logging/externalIdFor';
import type { MessageRegistry } from '../logging/MessageRegistry';
import { type Outbox, outboxKey } from '../logging/Outbox';
import { type SkipReason, type SkipRule, skipReason } from '../logging/SkipReason';
import type { ThreadDealChoices } from '../logging/ThreadDealChoices';
import { MailMessage, type ThreadSnapshot } from '../mail/MailMessage';
import { domainOfAddress } from '../mail/normaliseAddress';
import { buildFeatureViews } from '../panel/features/panelFeatures';
import type { ContactCard, MessageLogStatus, ThreadView, UnknownParticipant } from '../panel/ThreadView';
import type { CrmSidebarDb } from '../store/db';
import type { EventLog } from '../store/EventLog';
import type { LookupCache } from '../store/LookupCache';
import type { CrmSession } from './CrmSession';
import {
  enqueueLinkedMessages,
  type LinkedThread,
  linkingContextFor,
  lookupThread,
  type PipelineDeps,
} from './MessagePipeline';

export interface ThreadViewDeps {
  db: CrmSidebarDb;
  cache: LookupCache;
  registry: MessageRegistry;
  threadDeals: ThreadDealChoices;
  events: EventLog;
  outboxFor(session: CrmSession): Outbox;
  /** Delivers what is due now; resolves when the attempt is over (delivered, queued or failed). */
  drainOutbox(session: CrmSession): Promise<void>;
  /** The user's connected mailbox addresses (all "self" for direction and participants). */
  ownAddresses(): Promise<string[]>;
  now?: () => number;
  /** The mailbox marks remember clicked messages (PipelineDeps.onQueued). */
  onQueued?: PipelineDeps['onQueued'];
}

const VIEW_CACHE_SIZE = 50;
/** A prefetched view answers its frame's first ask within this long; later it is dropped. */
const PREFETCH_FRESH_MS = 10_000;
/** Prefetches kept at once (one per tab that just opened a thread is the normal case). */
const PREFETCH_MAX = 8;

interface CardMatch {
  contact: Contact;
  address: string;
  matchedBy: ContactCard['matchedBy'];
  reason: string;
}
const DETAIL_CONCURRENCY = 6;

function threadKeyOf(snapshot: ThreadSnapshot): string {
  const first = snapshot.messages[0]?.providerMessageId ?? '';
  return `${snapshot.provider}:${snapshot.mailbox ?? ''}:${snapshot.threadId ?? first}`;
}

/**
 * What the panel shows for a thread, and the panel's actions (log, create contact).
 * Views are kept in memory per thread so reopening one answers at once; the panel then
 * asks again without the cache to refresh.
 */
export class ThreadViewService {
  private readonly views = new Map<string, ThreadView>();
  /** Views a content script asked for ahead of its frame (thread.prefetch), by exact snapshot. */
  private readonly prefetched = new Map<string, { at: number; view: Promise<ThreadView> }>();

  constructor(private readonly deps: ThreadViewDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /**
   * Starts the view of `raw` (`build` looks it up) for the panel frame about to ask for the
   * same snapshot, so its lookup overlaps the frame's load and pairing. Registered at once,
   * before any await: a frame that asks while it runs waits for it. Asked twice for one
   * snapshot, it looks up once.
   */
  prefetch(raw: ThreadSnapshot, build: () => Promise<ThreadView>): Promise<ThreadView> {
    const now = this.now();
    for (const [key, entry] of this.prefetched)
      if (now - entry.at > PREFETCH_FRESH_MS) this.prefetched.delete(key);
    const key = JSON.stringify(raw);
    const known = this.prefetched.get(key);
    if (known) return known.view;
    const view = build();
    view.catch(() => this.prefetched.delete(key));
    this.prefetched.set(key, { at: now, view });
    while (this.prefetched.size > PREFETCH_MAX) this.prefetched.delete(this.prefetched.keys().next().value!);
    return view;
  }

  /**
   * The prefetched view of exactly this snapshot, once (a later open asks the CRM again), or
   * null. It is fresh, not cached: it was looked up for this very open.
   */
  takePrefetched(raw: ThreadSnapshot): Promise<ThreadView> | null {
    const key = JSON.stringify(raw);
    const entry = this.prefetched.get(key);
    if (!entry) return null;
    this.prefetched.delete(key);
    return this.now() - entry.at > PREFETCH_FRESH_MS ? null : entry.view;
  }

  private remember(view: ThreadView): void {
    this.views.delete(view.threadKey);
    this.views.set(view.threadKey, view);
    while (this.views.size > VIEW_CACHE_SIZE) this.views.delete(this.views.keys().next().value!);
  }

  forgetAll(): void {
    this.views.clear();
  }

  private async link(
    session: CrmSession,
    snapshot: ThreadSnapshot,
    preferCache: boolean,
  ): Promise<LinkedThread> {
    const own = await this.deps.ownAddresses();
    const context = linkingContextFor(session, [...own, ...(snapshot.mailbox ? [snapshot.mailbox] : [])]);
    const messages = snapshot.messages.map((m) => MailMessage.parse(m));
    return lookupThread(messages, context, session.connector, this.deps.cache, preferCache);
  }

  /** The view last built for this thread, marked as cached, or null. */
  cachedView(snapshot: ThreadSnapshot): ThreadView | null {
    const cached = this.views.get(threadKeyOf(snapshot));
    return cached ? { ...cached, fromCache: true } : null;
  }

  async open(session: CrmSession, snapshot: ThreadSnapshot, preferCache: boolean): Promise<ThreadView> {
    const threadKey = threadKeyOf(snapshot);
    if (preferCache) {
      const cached = this.cachedView(snapshot);
      if (cached) return cached;
    }
    const linked = await this.link(session, snapshot, false);
    const view = await this.buildView(session, threadKey, linked);
    this.remember(view);
    return view;
  }

  private async buildView(session: CrmSession, threadKey: string, linked: LinkedThread): Promise<ThreadView> {
    const { connector } = session;
    const companiesById = new Map(linked.lookup.companies.map((c) => [c.id, c]));
    // Every participant the CRM knows is shown, even on excluded domains; the rep's
    // corrections apply, and an address several contacts share waits for the rep's pick.
    const matched = new Map<string, CardMatch>();
    const unknown = new Map<string, UnknownParticipant>();
    const { corrections } = linked.context;
    for (const { message, links } of linked.messages) {
      const participants = [...(message.from ? [message.from] : []), ...message.to, ...message.cc];
      for (const p of participants) {
        if (linked.context.ownAddresses.has(p.address)) continue;
        const override = corrections.contactOverride(p.address);
        let contact: Contact | undefined;
        let matchedBy: ContactCard['matchedBy'];
        let reason: string;
        if (override) {
          contact = override.recordId ? linked.index.contactById(override.recordId) : undefined;
          matchedBy = 'override';
          reason = `You picked ${contact?.name ?? 'this contact'} for ${p.address}.`;
        } else {
          if (linked.index.sharedBy(p.address).length > 1) continue;
          const match = linked.index.contactByAddress(p.address);
          contact = match?.contact;
          matchedBy = match?.matchedBy ?? 'primary';
          reason =
            matchedBy === 'primary'
              ? `${p.address} is ${contact?.name}'s main email address.`
              : `${p.address} is an alternate email address of ${contact?.name}.`;
        }
        if (contact && !matched.has(contact.id))
          matched.set(contact.id, { contact, address: p.address, matchedBy, reason });
      }
      for (const link of links.contacts) {
        if (link.matchedBy !== 'thread' || matched.has(link.contact.id)) continue;
        matched.set(link.contact.id, {
          contact: link.contact,
          address: link.contact.emails[0] ?? '',
          matchedBy: 'thread',
          reason: `An earlier message of this thread was logged to ${link.contact.name}.`,
        });
      }
      for (const u of links.unknownParticipants) {
        if (unknown.has(u.address) || [...matched.values()].some((m) => m.address === u.address)) continue;
        const policyOff = session.settings.createContactPolicy === 'off';
        const crmCanCreate = connector.info.capabilities.createContact;
        const canCreate = u.createContact.action !== 'never' && !policyOff && crmCanCreate;
        unknown.set(u.address, {
          address: u.address,
          name: u.name,
          suggestedName: u.suggestedName,
          company: u.company,
          canCreate,
          reason: canCreate
            ? null
            : crmCanCreate
              ? u.createContact.reason
              : `Contacts are not created from the sidebar in ${connector.info.name}.`,
        });
      }
    }
    // Recipients of the user's own mail that were never counterparties (e.g. cc on a reply) still
    // appear once as unknown, so nobody in the thread is silently missing.
    const cards = await mapWithConcurrency([...matched.values()], DETAIL_CONCURRENCY, (m) =>
      this.contactCard(connector, m, companiesById, corrections),
    );
    const messages = await this.messageStatuses(session, linked, await this.dealNames(linked, cards));
    const featureViews = await buildFeatureViews({
      session,
      linked,
      now: new Date((this.deps.now ?? Date.now)()),
      cards,
      threadDeals: this.deps.threadDeals,
    });
    const approximate = linked.messages.some((m) => !m.message.messageId);
    const namedOnly = [
      ...new Set(
        linked.messages.flatMap(({ message: m }) =>
          [m.from, ...m.to, ...m.cc].flatMap((p) => (p && !p.address && p.name ? [p.name] : [])),
        ),
      ),
    ];
    return {
      threadKey,
      fromCache: false,
      fetchedAt: new Date((this.deps.now ?? Date.now)()).toISOString(),
      crmUser: { id: session.me.user.id, name: session.me.user.name },
      connectedCrm: connector.info,
      known: cards,
      unknown: [...unknown.values()],
      companies: linked.lookup.companies,
      messages,
      ...featureViews,
      notice: approximate
        ? 'Read from the page only: without a connected mailbox the exact Message-ID is unknown, so logging uses the webmail item id as its key.'
        : null,
      // "exact" when every message has a Message-ID from headers or the provider's API (Graph upgrade).
      source:
        linked.messages.length > 0 &&
        linked.messages.every((m) => m.message.messageId !== null && m.message.messageIdSource !== 'none')
          ? 'exact'
          : 'page',
      namedOnly,
      privacyLevel: session.settings.privacyLevel,
    };
  }

  private async contactCard(
    connector: CrmConnector,
    { contact, address: matchedAddress, matchedBy, reason }: CardMatch,
    companiesById: Map<string, Company>,
    corrections: MatchCorrections,
  ): Promise<ContactCard> {
    let detail: ContactDetail | null = null;
    try {
      detail = await connector.getContact(contact.id);
    } catch (e) {
      if (e instanceof CrmError && e.kind === 'auth') throw e;
    }
    const crmCompany =
      detail?.company ?? (contact.companyId ? (companiesById.get(contact.companyId) ?? null) : null);
    const domain = registrableDomain(domainOfAddress(matchedAddress));
    const companyOverride = corrections.companyOverride(domain);
    const company = companyOverride ? null : crmCompany;
    const domainMatched =
      company !== null && domain !== null && company.domains.some((d) => registrableDomain(d) === domain);
    return {
      contact: detail ? stripDetail(detail) : contact,
      company,
      deals: detail?.deals ?? [],
      recentActivities: detail?.recentActivities ?? [],
      matchedAddress,
      matchedBy,
      matchReason: reason,
      companyMatch: company
        ? {
            domain: domainMatched ? domain : null,
            reason: domainMatched
              ? `${domain} is a domain of ${company.name}; ${contact.name} works there.`
              : `${contact.name} works at ${company.name} in the CRM.`,
          }
        : null,
      companyCorrected: companyOverride !== undefined && crmCompany !== null,
      detailLoaded: detail !== null,
    };
  }

  /** Deal names for receipts: the cards' deals and the thread's chosen deal, no extra CRM call. */
  private async dealNames(linked: LinkedThread, cards: readonly ContactCard[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const card of cards) for (const deal of card.deals) names.set(deal.id, deal.name);
    const first = linked.messages[0]?.message;
    const choice = first ? await this.deps.threadDeals.forMessage(first) : null;
    if (choice?.dealId && choice.dealName) names.set(choice.dealId, choice.dealName);
    return names;
  }

  /**
   * One receipt per message: logged (by whom, when, to which contacts and deal), queued,
   * failed (with its error, the panel offers Retry), skipped by a rule, or not logged yet.
   */
  private async messageStatuses(
    session: CrmSession,
    linked: LinkedThread,
    dealNames: ReadonlyMap<string, string>,
  ): Promise<MessageLogStatus[]> {
    const crmUserId = session.me.user.id;
    const outbox = this.deps.db.outbox;
    return Promise.all(
      linked.messages.map(async ({ message, links }): Promise<MessageLogStatus> => {
        const contacts = [
          ...links.contacts.map((c) => ({ id: c.contact.id, name: c.contact.name })),
          ...links.threadRecords
            .filter((r) => r.kind === 'contact')
            .map((r) => ({ id: r.id, name: linked.index.contactById(r.id)?.name ?? 'a contact' })),
        ];
        const contactIds = contacts.map((c) => c.id);
        const externalId = externalIdFor(message, 'manual');
        const base: MessageLogStatus = {
          providerMessageId: message.providerMessageId,
          externalId,
          approximateKey: externalId !== null && isProviderDerivedExternalId(externalId),
          subject: message.subject,
          date: message.date,
          fromName: message.from?.name || message.from?.address || '',
          direction: links.direction.eligibility === 'never' ? null : links.direction.direction,
          state: 'not_logged',
          contactIds,
          contacts,
          loggedAt: null,
          loggedBy: [],
          error: null,
          reason: null,
          skip: null,
          deal: null,
        };
        const skipped = (skip: SkipReason): MessageLogStatus => ({
          ...base,
          state: 'not_loggable',
          skip,
          reason: describeSkip(skip).text,
        });
        // What a click would do: the same rules as the pipeline's (lib/logging/autoLogDecision.ts).
        const decision = decideLinkedMessage(message, links, 'manual');
        if (decision.status === 'skipped') return skipped(decision.skip);
        if (externalId === null) return skipped(skipReason('no_message_id'));

        const row = await this.deps.registry.get(crmUserId, externalId);
        const loggedMine = contactIds.filter((id) => row?.activities[id]);
        // Removed by the rep from its receipt: the pipeline leaves it alone, and the receipt says so.
        if (loggedMine.length === 0 && contactIds.length > 0 && contactIds.every((id) => row?.removed?.[id]))
          return skipped(skipReason('removed_by_you'));
        const items = await outbox
          .where('key')
          .anyOf(contactIds.map((id) => outboxKey(externalId, id)))
          .toArray();
        const ownItems = items.filter((i) => i.crmUserId === crmUserId);
        const mine = ownItems.filter((i) => i.state !== 'delivered');
        const failed = mine.find((i) => i.state === 'failed');
        let colleagues: EmailActivity[] = [];
        if (loggedMine.length < contactIds.length && session.connector.info.capabilities.colleagueActivity) {
          colleagues = await session.connector
            .activitiesForMessage(externalId, { contactIds })
            .catch(() => []);
        }
        const loggedBy = new Map<string, MessageLogStatus['loggedBy'][number]>();
        if (loggedMine.length > 0)
          loggedBy.set(crmUserId, { userId: crmUserId, name: session.me.user.name, self: true });
        for (const a of colleagues) {
          if (!loggedBy.has(a.loggedBy))
            loggedBy.set(a.loggedBy, {
              userId: a.loggedBy,
              name: a.loggedBy === crmUserId ? session.me.user.name : (a.loggedByName ?? 'a colleague'),
              self: a.loggedBy === crmUserId,
            });
        }
        const coveredByCrm = new Set([...loggedMine, ...colleagues.map((a) => a.contactId)]);
        const allLogged = contactIds.every((id) => coveredByCrm.has(id));
        const loggedAt = row ? new Date(row.loggedAt).toISOString() : (colleagues[0]?.createdAt ?? null);
        // What the CRM got: our own activity (any state), else a colleague's.
        const sent = ownItems[0]?.activity ?? colleagues[0];
        const dealId = sent ? (sent.dealId ?? null) : undefined;
        const withWho: MessageLogStatus = {
          ...base,
          loggedAt,
          loggedBy: [...loggedBy.values()],
          deal:
            dealId === undefined
              ? null
              : { id: dealId, name: dealId ? (dealNames.get(dealId) ?? null) : null },
        };
        if (failed)
          return { ...withWho, state: 'failed', error: failed.lastError?.message ?? 'Logging failed.' };
        if (mine.some((i) => i.state === 'pending')) return { ...withWho, state: 'queued' };
        if (allLogged) return { ...withWho, state: 'logged' };
        // The rep can still log it by hand; say which rule keeps the sync away from it.
        if (!links.autoLog.log && SYNC_SKIPS_SHOWN.has(links.autoLog.skip.rule)) {
          // A message read from the page has no Message-ID because the page does not show it,
          // not because the mail lacks one: say that, and what logs it exactly.
          const skip =
            links.autoLog.skip.rule === 'no_message_id' && message.messageIdSource === 'none'
              ? skipReason('message_id_not_shown')
              : links.autoLog.skip;
          return {
            ...withWho,
            deal: null,
            skip,
            reason: `Not logged automatically: ${describeSkip(skip).text}`,
          };
        }
        return { ...withWho, deal: null };
      }),
    );
  }

  /** Logs the chosen messages (manual mode) and answers their new statuses. */
  async log(
    session: CrmSession,
    snapshot: ThreadSnapshot,
    providerMessageIds: readonly string[],
  ): Promise<MessageLogStatus[]> {
    const linked = await this.link(session, snapshot, true);
    const dealNames = await this.dealNames(linked, this.views.get(threadKeyOf(snapshot))?.known ?? []);
    const chosen = linked.messages.filter((m) => providerMessageIds.includes(m.message.providerMessageId));
    const outbox = this.deps.outboxFor(session);
    await enqueueLinkedMessages(chosen, 'manual', {
      session,
      outbox,
      registry: this.deps.registry,
      threadDeals: this.deps.threadDeals,
      events: this.deps.events,
      now: this.deps.now,
      onQueued: this.deps.onQueued,
    });
    await this.deps.drainOutbox(session);
    this.views.delete(threadKeyOf(snapshot));
    const statuses = await this.messageStatuses(session, { ...linked, messages: chosen }, dealNames);
    return statuses;
  }
}

/**
 * Sync skips worth a line on a message the rep can still log by hand: the ones that are
 * the rep's own settings or the message's nature, not "nobody here is a contact".
 */
const SYNC_SKIPS_SHOWN: ReadonlySet<SkipRule> = new Set<SkipRule>([
  'automated',
  'privacy',
  'internal',
  'no_message_id',
  'out_of_window',
  'no_sender',
]);

function stripDetail(detail: ContactDetail): Contact {
  const { company: _c, deals: _d, recentActivities: _r, ...contact } = detail;
  return contact;
}
