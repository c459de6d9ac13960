import type { DomainExclusion } from '../linking/DomainExclusions';
import type { AmbiguousParticipant, MessageLinks, UnknownParticipant } from '../linking/linkMessage';
import type { DirectionVerdict } from '../mail/classifyDirection';
import {
  type AutomatedVerdict,
  describeAutomatedCategory,
  isAutomatedSenderAddress,
} from '../mail/detectAutomatedMail';
import type { MailMessage } from '../mail/MailMessage';
import type { Settings } from '../settings/Settings';
import { describeSkip } from './describeSkip';
import { externalIdFor } from './externalIdFor';
import { type SkipReason, type SkipRule, skipReason } from './SkipReason';

/**
 * Whether a message is logged, and if not by which rule, in one place: eligibility (the
 * direction verdict: drafts, junk, no Message-ID, outside the window), the auto-log rules
 * (sent or received logging off, automated mail, internal mail, nobody a contact), and the
 * create-contact policy for counterparties the CRM does not know. Linking (lib/linking) finds
 * the facts and feeds them in (`decideCreateContact` per unknown person, `decideAutoLog` per
 * message, kept on `MessageLinks`); the pipeline, the panel's receipts and the sync audit read
 * the verdict through `decideLinkedMessage`. Skip rules are the closed set in SkipReason.ts,
 * worded only in describeSkip.ts. No side effects.
 */
export type AutoLogDecision =
  | { log: true; reason: string }
  | { log: false; reason: string; skip: SkipReason };

export type CreateContactAction = 'automatic' | 'ask' | 'never';

export interface CreateContactDecision {
  action: CreateContactAction;
  reason: string;
}

/** Whether an unknown counterparty may become a contact, under the admin's policy. */
export function decideCreateContact(
  address: string,
  exclusion: DomainExclusion | null,
  direction: DirectionVerdict,
  automatedIncoming: AutomatedVerdict | null,
  settings: Pick<Settings, 'createContactPolicy'>,
): CreateContactDecision {
  if (direction.eligibility === 'never')
    return { action: 'never', reason: `not logged: ${direction.reason}` };
  if (automatedIncoming?.automated)
    return { action: 'never', reason: describeSkip(automatedSkipReason(automatedIncoming)).text };
  if (isAutomatedSenderAddress(address))
    return { action: 'never', reason: `${address} is an automated address` };
  if (exclusion) return { action: 'never', reason: exclusion.reason };
  switch (settings.createContactPolicy) {
    case 'off':
      return { action: 'never', reason: 'creating contacts is turned off in settings' };
    case 'ask':
      return { action: 'ask', reason: `${address} is not in the CRM` };
    case 'automatic':
      return direction.eligibility === 'auto'
        ? { action: 'automatic', reason: `${address} is not in the CRM; contacts are created automatically` }
        : {
            action: 'ask',
            reason: `${address} is not in the CRM (${direction.reason}, so not automatically)`,
          };
  }
}

/** What linking found about one message that the auto-log rules weigh. */
export interface AutoLogFacts {
  direction: DirectionVerdict;
  automated: AutomatedVerdict;
  /** The never-log entry (address or domain) a participant is on, and the sentence for it. */
  neverLogEntry: string | null;
  neverLog: string | null;
  /** Everyone on the other side is on the organisation's own domains. */
  allInternal: boolean;
  ambiguous: readonly AmbiguousParticipant[];
  unknownParticipants: readonly Pick<UnknownParticipant, 'exclusion' | 'createContact'>[];
  /** CRM contacts the message is linked to (by address and through its thread). */
  linkedContactCount: number;
}

/**
 * Whether the background sync logs a message on its own: `reason` is the sentence for logs,
 * `skip` the rule that stops it (receipts and the sync's counts). The rules apply in order;
 * the first that stops the message names it.
 */
export function decideAutoLog(
  facts: AutoLogFacts,
  settings: Pick<Settings, 'autoLogSent' | 'autoLogReceived' | 'filterAutomatedMail' | 'excludeOrgDomains'>,
): AutoLogDecision {
  const { direction, automated, linkedContactCount } = facts;
  const skip = (reason: string, why: SkipReason) => ({ log: false as const, reason, skip: why });
  if (facts.neverLogEntry !== null)
    return skip(`never logged: ${facts.neverLog}`, skipReason('never_log', facts.neverLogEntry));
  if (direction.eligibility !== 'auto') return skip(direction.reason, directionSkipReason(direction));
  if (direction.direction === 'outgoing' && !settings.autoLogSent) {
    const reason = 'automatic logging of sent mail is off';
    return skip(reason, skipReason('privacy', reason));
  }
  if (direction.direction === 'incoming' && !settings.autoLogReceived) {
    const reason = 'automatic logging of received mail is off';
    return skip(reason, skipReason('privacy', reason));
  }
  if (direction.direction === 'incoming' && settings.filterAutomatedMail && automated.automated) {
    const why = automatedSkipReason(automated);
    return skip(describeSkip(why).text, why);
  }
  if (facts.allInternal && settings.excludeOrgDomains) {
    const reason = 'internal mail: everyone is on your organisation’s domains';
    return skip(reason, skipReason('internal', reason));
  }
  const autoCreateCount = facts.unknownParticipants.filter(
    (u) => u.createContact.action === 'automatic',
  ).length;
  if (linkedContactCount === 0 && autoCreateCount > 0) {
    // The admin's "create contact if not found" policy: the sync creates them, then logs to them.
    return {
      log: true,
      reason: `${direction.reason}; creates ${autoCreateCount} new contact${autoCreateCount === 1 ? '' : 's'} (policy: automatic)`,
    };
  }
  if (linkedContactCount === 0)
    return skip('no one on this message is a CRM contact', noContactSkipReason(facts));
  return {
    log: true,
    reason: `${direction.reason}; logs to ${linkedContactCount} contact${linkedContactCount === 1 ? '' : 's'}`,
  };
}

/** A message set aside by a rule, as the pipeline reports it and the panel's receipts show it. */
export interface SkippedMessage {
  providerMessageId: string;
  externalId: string | null;
  status: 'skipped';
  reason: string;
  /** The rule that stopped it: the receipts' and the sync counts' common word for it. */
  skip: SkipReason;
  contactIds: string[];
}

/** What the pipeline would do with one linked message, before any CRM call or write. */
export type MessageDecision =
  | SkippedMessage
  | {
      providerMessageId: string;
      externalId: string;
      status: 'loggable';
      /** The contacts it is logged to (known ones; see `contactsToCreate`). */
      contactIds: string[];
      /** Counterparties the "automatic" policy would create as contacts first. */
      contactsToCreate: number;
    };

/**
 * The rules a message passes before it is logged, in the order the pipeline applies them:
 * never-log lists, the auto-log rules (sync only: automated mail, internal mail, sent or
 * received logging off), junk/drafts, a CRM contact on it, a Message-ID. A click (`manual`)
 * on a machine's mail with no contact is skipped for what it is (automated) rather than for
 * "no contact". The sync audit reuses it to say which rule set a message aside. `links`
 * already holds any contacts created under the automatic policy; with `prospective` the ones
 * still to be created count as contacts (the audit asks what the sync would do, not what it did).
 */
export function decideLinkedMessage(
  message: MailMessage,
  links: MessageLinks,
  mode: 'auto' | 'manual',
  options: { prospective?: boolean } = {},
): MessageDecision {
  const contactIds = [
    ...links.contacts.map((c) => c.contact.id),
    ...links.threadRecords.filter((r) => r.kind === 'contact').map((r) => r.id),
  ];
  const contactsToCreate = options.prospective
    ? links.unknownParticipants.filter((u) => u.createContact.action === 'automatic').length
    : 0;
  const externalId = externalIdFor(message, mode);
  const skip = (reason: string, why: SkipReason): MessageDecision => ({
    providerMessageId: message.providerMessageId,
    externalId,
    status: 'skipped',
    reason,
    skip: why,
    contactIds,
  });
  if (links.neverLog)
    return skip(
      `never logged: ${links.neverLog}`,
      skipReason('never_log', links.neverLogEntry ?? links.neverLog),
    );
  if (mode === 'auto' && !links.autoLog.log) return skip(links.autoLog.reason, links.autoLog.skip);
  if (links.direction.eligibility === 'never')
    return skip(links.direction.reason, directionSkipReason(links.direction));
  if (contactIds.length === 0 && contactsToCreate === 0) {
    if (mode === 'manual' && links.automated.automated) {
      const why = automatedSkipReason(links.automated);
      return skip(describeSkip(why).text, why);
    }
    return skip('no one on this message is a CRM contact', noContactSkipReason(links));
  }
  if (externalId === null) return skip('the message has no Message-ID', skipReason('no_message_id'));
  return {
    providerMessageId: message.providerMessageId,
    externalId,
    status: 'loggable',
    contactIds,
    contactsToCreate,
  };
}

const DIRECTION_SKIP_RULES: Partial<Record<DirectionVerdict['code'], SkipRule>> = {
  draft: 'draft',
  junk: 'junk',
  trash: 'trash',
  no_from: 'no_sender',
  only_own_addresses: 'only_you',
  no_message_id: 'no_message_id',
  too_old: 'out_of_window',
};

/** The rule behind a direction verdict that is not `auto` (draft, junk, no Message-ID ...). */
export function directionSkipReason(direction: DirectionVerdict): SkipReason {
  return skipReason(DIRECTION_SKIP_RULES[direction.code] ?? 'no_contact', direction.reason);
}

const EXCLUSION_SKIP_RULES: Record<DomainExclusion['kind'], SkipRule> = {
  free_mail: 'free_mail',
  org: 'internal',
  user_list: 'excluded_domain',
};

/**
 * Why a message with no CRM contact on it is left alone: several contacts share an address
 * (the rep picks), every unknown person is on an excluded domain (the exclusion's rule), or
 * simply nobody is a contact.
 */
export function noContactSkipReason(links: {
  ambiguous: readonly Pick<AmbiguousParticipant, 'address'>[];
  unknownParticipants: readonly Pick<UnknownParticipant, 'exclusion'>[];
}): SkipReason {
  const [shared] = links.ambiguous;
  if (shared) return skipReason('ambiguous', shared.address);
  const exclusions = links.unknownParticipants.map((u) => u.exclusion);
  const [first] = exclusions;
  if (first && exclusions.every((e) => e?.kind === first.kind))
    return skipReason(EXCLUSION_SKIP_RULES[first.kind], first.domain);
  return skipReason('no_contact');
}

/** The evidence half of the detector's reason ("newsletter: List-Unsubscribe and ..." -> "List-Unsubscribe and ..."). */
function automatedEvidence(verdict: Extract<AutomatedVerdict, { automated: true }>): string {
  const prefix = `${describeAutomatedCategory(verdict.category)}: `;
  return verdict.reason.startsWith(prefix) ? verdict.reason.slice(prefix.length) : verdict.reason;
}

/** Automated mail as a skip: the kind ("a newsletter") once, then the evidence. */
export function automatedSkipReason(verdict: Extract<AutomatedVerdict, { automated: true }>): SkipReason {
  return skipReason('automated', automatedEvidence(verdict), verdict.category);
}
