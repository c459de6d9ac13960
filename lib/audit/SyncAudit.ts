import { mapWithConcurrency } from '../async/mapWithConcurrency';
import type { CrmSession } from '../background/CrmSession';
import {
  enqueueLinkedMessages,
  groupForLookup,
  type LinkedMessage,
  linkingContextFor,
  lookupThread,
  type PipelineDeps,
} from '../background/MessagePipeline';
import type { CrmConnector } from '../crm/CrmConnector';
import { type LoggedMessage, MAX_BATCH } from '../crm/contract';
import { retryTransientCrmErrors } from '../crm/retryTransientCrmErrors';
import { decideLinkedMessage } from '../logging/autoLogDecision';
import { ActivityBuildError, buildActivities } from '../logging/buildActivities';
import { type SkipReason, skipCountKey, skipReason } from '../logging/SkipReason';
import type { MailMessage } from '../mail/MailMessage';
import type { SyncFolder } from '../mail/sync/MailboxProvider';
import type { MailWindow, MailWindowListing, MailWindowListingOptions } from '../mail/sync/MailWindowListing';
import type { LookupCache } from '../store/LookupCache';
import {
  AUDIT_LISTED_MISSING,
  type AuditCounts,
  type AuditMissingMessage,
  type AuditSkipRule,
} from './SyncAuditReport';

/** What the audit needs from the mailbox: its listing of a window, per folder. */
export type ListWindow = (
  folder: SyncFolder,
  window: MailWindow,
  options: MailWindowListingOptions,
) => MailWindowListing;

export interface SyncAuditInput {
  session: CrmSession;
  /** The mailbox's own address and every other connected one (own mail is not a counterparty). */
  mailboxAddress: string;
  ownAddresses: readonly string[];
  listWindow: ListWindow;
  /**
   * The contacts the rep removed each email from (the registry's `removedAmong`): an email
   * lacking only those is "removed by you", not missing, and "Log missing" leaves it out.
   */
  removedByRep?: (externalIds: readonly string[]) => Promise<Map<string, Set<string>>>;
  /**
   * The emails the rep sent with "Log to CRM" off (the registry's `logOffAtSendAmong`): not
   * missing, and "Log missing" leaves them out as the sync does.
   */
  loggedOffAtSend?: (externalIds: readonly string[]) => Promise<Set<string>>;
  folders: readonly SyncFolder[];
  window: MailWindow;
  cache: LookupCache;
  onProgress?: (progress: AuditProgress) => void;
}

export interface AuditProgress {
  scanned: number;
  total: number | null;
  counts: AuditCounts;
}

/** A missing message with what "Log missing" needs to send it. */
export interface AuditMissingEntry {
  summary: AuditMissingMessage;
  message: MailMessage;
}

export interface SyncAuditOutcome {
  counts: AuditCounts;
  skippedByRule: AuditSkipRule[];
  /** Every missing message, newest first. */
  missing: AuditMissingEntry[];
  crmRequests: number;
}

/** A loggable message waiting for the CRM's answer. */
interface Candidate {
  message: MailMessage;
  folder: SyncFolder;
  externalId: string;
  contactIds: string[];
}

/** The CRM calls an audit makes, counted, so the report and the benchmark can say how many. */
function countingConnector(connector: CrmConnector, count: () => void): CrmConnector {
  return new Proxy(connector, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (property !== 'recordUrl') count();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/**
 * Which of the messages the CRM holds, for which contacts: `findLoggedMessages` in batches
 * of the contract's 100, one batch at a time (the CRM's rate limits), or, for a connector
 * without it, `activitiesForMessage` per Message-ID, four at a time, naming the message's
 * contacts (a CRM without account-wide search, such as Pipedrive, answers per contact; a
 * message whose contacts do not exist yet cannot be logged to them). Transient failures
 * are retried like the sync's lookups (Retry-After first).
 */
export async function loggedContactsOf(
  connector: CrmConnector,
  messages: readonly { externalId: string; contactIds: readonly string[] }[],
): Promise<Map<string, Set<string>>> {
  const logged = new Map<string, Set<string>>();
  const add = (found: readonly LoggedMessage[]) => {
    for (const f of found) {
      const set = logged.get(f.externalId) ?? new Set<string>();
      for (const c of f.contactIds) set.add(c);
      logged.set(f.externalId, set);
    }
  };
  const unique = [...new Set(messages.map((m) => m.externalId))];
  const find = connector.findLoggedMessages?.bind(connector);
  if (find) {
    for (let i = 0; i < unique.length; i += MAX_BATCH) {
      const batch = unique.slice(i, i + MAX_BATCH);
      add(await retryTransientCrmErrors(() => find(batch)));
    }
    return logged;
  }
  const accountWide = connector.info.capabilities.colleagueActivity;
  const contactsOf = (id: string) => [
    ...new Set(messages.filter((m) => m.externalId === id).flatMap((m) => m.contactIds)),
  ];
  const asked = unique.filter((id) => accountWide || contactsOf(id).length > 0);
  const answers = await mapWithConcurrency(asked, 4, (id) =>
    retryTransientCrmErrors(() =>
      accountWide
        ? connector.activitiesForMessage(id)
        : connector.activitiesForMessage(id, { contactIds: contactsOf(id) }),
    ),
  );
  add(answers.flat().map((a) => ({ externalId: a.externalId, contactIds: [a.contactId] })));
  return logged;
}

function counterpartiesOf(message: MailMessage, folder: SyncFolder): string[] {
  const parties = folder === 'sent' ? [...message.to, ...message.cc] : message.from ? [message.from] : [];
  return [...new Set(parties.map((p) => p.address))];
}

/**
 * The sync audit of one mailbox (docs/ARCHITECTURE.md, "Sync audit"): every message of the
 * window's folders, listed through the provider's quota-bound client, is linked and judged
 * exactly as the sync judges it (`decideLinkedMessage`, and the contract's value limits that
 * set a message aside), without writing anything; the loggable ones are checked against the
 * CRM in batches of 100. A message is logged when the CRM holds it for every contact the sync
 * would log it to, missing otherwise. The CRM is the truth here, not the local registry: an
 * activity deleted in the CRM shows as missing even though this extension once logged it.
 */
export async function auditMailboxWindow(input: SyncAuditInput): Promise<SyncAuditOutcome> {
  let crmRequests = 0;
  const connector = countingConnector(input.session.connector, () => {
    crmRequests++;
  });
  const session: CrmSession = { ...input.session, connector };
  const context = linkingContextFor(session, input.ownAddresses);
  const counts: AuditCounts = { scanned: 0, logged: 0, skipped: 0, missing: 0 };
  const rules = new Map<string, AuditSkipRule>();
  const missing: AuditMissingEntry[] = [];
  let scannedBefore = 0;
  let scanned = 0;
  let total: number | null = null;
  const report = () => input.onProgress?.({ scanned, total, counts: { ...counts } });

  const skip = (reason: SkipReason, sentence: string) => {
    counts.skipped++;
    const key = skipCountKey(reason);
    const entry = rules.get(key) ?? { rule: key, example: reason.detail || sentence, count: 0 };
    entry.count++;
    rules.set(key, entry);
  };

  for (const folder of input.folders) {
    let folderTotal: number | null = null;
    const pages = input.listWindow(folder, input.window, {
      mailboxAddress: input.mailboxAddress,
      onProgress: (p) => {
        scanned = scannedBefore + p.scanned;
        folderTotal = p.total;
        total = p.total === null ? null : scannedBefore + p.total;
        report();
      },
    });
    for await (const page of pages) {
      counts.scanned += page.length;
      const candidates: Candidate[] = [];
      for (const group of groupForLookup(page, context)) {
        const linked = await retryTransientCrmErrors(() =>
          lookupThread(group, context, connector, input.cache, false),
        );
        for (const item of linked.messages) {
          const judged = judge(item, session);
          if (judged.status === 'skipped') skip(judged.skip, judged.reason);
          else candidates.push({ ...judged, message: item.message, folder });
        }
      }
      const held = await loggedContactsOf(connector, candidates);
      const removed = (await input.removedByRep?.(candidates.map((c) => c.externalId))) ?? new Map();
      const loggedOff =
        (await input.loggedOffAtSend?.(candidates.map((c) => c.externalId))) ?? new Set<string>();
      for (const c of candidates) {
        const contacts = held.get(c.externalId);
        // Contacts still to be created under the automatic policy: any activity of it counts.
        const lacking =
          c.contactIds.length === 0
            ? contacts && contacts.size > 0
              ? []
              : null
            : c.contactIds.filter((id) => !contacts?.has(id));
        if (lacking !== null && lacking.length === 0) {
          counts.logged++;
          continue;
        }
        if (loggedOff.has(c.externalId) && (contacts === undefined || contacts.size === 0)) {
          skip(skipReason('log_off_at_send'), 'sent with Log to CRM off');
          continue;
        }
        const removedHere = removed.get(c.externalId);
        if (lacking !== null && removedHere && lacking.every((id) => removedHere.has(id))) {
          skip(skipReason('removed_by_you'), 'removed by you');
          continue;
        }
        counts.missing++;
        missing.push({
          message: c.message,
          summary: {
            externalId: c.externalId,
            folder: c.folder,
            subject: c.message.subject,
            date: c.message.date,
            counterparties: counterpartiesOf(c.message, c.folder),
            missingContactIds: lacking ?? [],
          },
        });
      }
      report();
    }
    scannedBefore += folderTotal ?? scanned - scannedBefore;
    scanned = scannedBefore;
  }
  const at = (m: AuditMissingEntry) => (m.message.date ? Date.parse(m.message.date) : 0) || 0;
  missing.sort((a, b) => at(b) - at(a));
  return {
    counts,
    skippedByRule: [...rules.values()].sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule)),
    missing,
    crmRequests,
  };
}

/** The listed part of the missing messages, for the report. */
export function listedMissing(missing: readonly AuditMissingEntry[]): AuditMissingMessage[] {
  return missing.slice(0, AUDIT_LISTED_MISSING).map((m) => m.summary);
}

type Judgement =
  | { status: 'skipped'; skip: SkipReason; reason: string }
  | { status: 'loggable'; externalId: string; contactIds: string[] };

/** The sync's verdict on one linked message, side-effect free. */
function judge(item: LinkedMessage, session: CrmSession): Judgement {
  const decision = decideLinkedMessage(item.message, item.links, 'auto', { prospective: true });
  if (decision.status === 'skipped')
    return { status: 'skipped', skip: decision.skip, reason: decision.reason };
  if (decision.contactIds.length > 0) {
    try {
      buildActivities(item.message, item.links, session.settings, { mode: 'auto' });
    } catch (e) {
      // The pipeline sets these aside too (values the contract refuses).
      if (e instanceof ActivityBuildError)
        return {
          status: 'skipped',
          skip: skipReason(e.refusedByContract ? 'refused_by_crm' : e.rule, e.message),
          reason: e.message,
        };
      throw e;
    }
  }
  return { status: 'loggable', externalId: decision.externalId, contactIds: decision.contactIds };
}

export interface LogMissingInput {
  session: CrmSession;
  ownAddresses: readonly string[];
  cache: LookupCache;
  /** The pipeline's writers: the registry and outbox of this CRM user, thread deals, events. */
  pipeline: Omit<PipelineDeps, 'session'>;
  missing: readonly MailMessage[];
}

export interface LogMissingOutcome {
  /** Messages put in the outbox. */
  queued: number;
  /** Messages the CRM holds by now for every contact (nothing to send). */
  alreadyLogged: number;
  /** Messages the sync's rules now set aside (the settings changed since the audit). */
  skipped: number;
}

/**
 * "Log missing": sends the audit's missing messages through the same pipeline as the sync, once.
 * The CRM is asked again first, so what is there by now (a colleague, a sync pass, an earlier
 * "Log missing") is not sent; for the rest the registry forgets the activities the CRM has
 * lost (or it would answer "already logged"), and the pipeline enqueues them in the durable
 * outbox. The CRM's idempotency on (externalId, contactId) makes a repeated run harmless, and
 * the CRM check makes it send nothing.
 */
export async function logMissingMessages(input: LogMissingInput): Promise<LogMissingOutcome> {
  const { session } = input;
  const context = linkingContextFor(session, input.ownAddresses);
  const outcome: LogMissingOutcome = { queued: 0, alreadyLogged: 0, skipped: 0 };
  const crmUserId = session.me.user.id;
  for (const group of groupForLookup(input.missing, context)) {
    const linked = await retryTransientCrmErrors(() =>
      lookupThread(group, context, session.connector, input.cache, false),
    );
    const judged = linked.messages.map((item) => ({ item, verdict: judge(item, session) }));
    const held = await loggedContactsOf(
      session.connector,
      judged.flatMap((j) => (j.verdict.status === 'loggable' ? [j.verdict] : [])),
    );
    const toSend: LinkedMessage[] = [];
    for (const { item, verdict } of judged) {
      if (verdict.status === 'skipped') {
        outcome.skipped++;
        continue;
      }
      const contacts = held.get(verdict.externalId);
      const lacking = verdict.contactIds.filter((id) => !contacts?.has(id));
      const complete = verdict.contactIds.length === 0 ? (contacts?.size ?? 0) > 0 : lacking.length === 0;
      if (complete) {
        outcome.alreadyLogged++;
        continue;
      }
      await input.pipeline.registry.forget(crmUserId, verdict.externalId, lacking);
      toSend.push(item);
    }
    const outcomes = await enqueueLinkedMessages(toSend, 'auto', { ...input.pipeline, session });
    for (const o of outcomes) {
      if (o.status === 'enqueued') outcome.queued++;
      else if (o.status === 'skipped') outcome.skipped++;
      else outcome.alreadyLogged++;
    }
  }
  return outcome;
}
