import type { Company, Contact } from '../crm/contract';
import {
  type AutoLogDecision,
  type CreateContactDecision,
  decideAutoLog,
  decideCreateContact,
} from '../logging/autoLogDecision';
import { classifyDirection, type DirectionVerdict } from '../mail/classifyDirection';
import { type AutomatedVerdict, detectAutomatedMail } from '../mail/detectAutomatedMail';
import type { MailAddress, MailMessage } from '../mail/MailMessage';
import { localPartOfAddress, normaliseAddress, normaliseDomain } from '../mail/normaliseAddress';
import type { Settings } from '../settings/Settings';
import { type DomainExclusion, DomainExclusions } from './DomainExclusions';
import type { AddressFacts, ContactMatch, LinkIndex } from './LinkIndex';
import { MatchCorrections } from './MatchCorrections';

/** Everything about the user that linking needs, prepared once per settings change. */
export interface LinkingContext {
  /** Every address of the user (all mailboxes, aliases), normalised. */
  ownAddresses: ReadonlySet<string>;
  exclusions: DomainExclusions;
  corrections: MatchCorrections;
  settings: Settings;
  /** Messages before this instant are not auto-logged (historical import window). */
  notBefore?: number;
  /**
   * Message-IDs of mail the rep sent that the caller read before this batch (a sync pass reads
   * Sent before Inbox): a received message answering one of them is a reply to the rep.
   */
  sentMessageIds?: ReadonlySet<string>;
}

export function createLinkingContext(input: {
  ownAddresses: readonly string[];
  orgDomains: readonly string[];
  settings: Settings;
  notBefore?: number;
}): LinkingContext {
  const ownAddresses = new Set<string>();
  for (const a of input.ownAddresses) {
    const n = normaliseAddress(a);
    if (n !== null) ownAddresses.add(n);
  }
  const orgDomains = input.orgDomains.map((d) => normaliseDomain(d)).filter((d): d is string => d !== null);
  return {
    ownAddresses,
    exclusions: new DomainExclusions(input.settings, orgDomains),
    corrections: new MatchCorrections(input.settings),
    settings: input.settings,
    notBefore: input.notBefore,
  };
}

/** The records an earlier message of the same thread was linked to (from the registry or CRM). */
export interface ThreadLinks {
  contactIds: readonly string[];
  companyIds: readonly string[];
  dealIds: readonly string[];
  /** Message-IDs of the rep's own messages linked before this one (the thread view or sync batch). */
  ownMessageIds?: ReadonlySet<string>;
}

export interface ContactLink {
  contact: Contact;
  /** The message address that matched, or null when the link comes from the thread. */
  address: string | null;
  matchedBy: 'primary' | 'alternate' | 'thread' | 'override';
  reason: string;
  /** The rep said "Not this company" for this address's domain: the activity names no company. */
  companyCorrected?: boolean;
}

/** An address several contacts share, none picked yet: nothing is logged to it. */
export interface AmbiguousParticipant {
  address: string;
  name: string;
  candidates: Contact[];
}

export interface CompanyLink {
  company: Company;
  via: 'contact' | 'domain';
  reason: string;
}

export interface ThreadRecordLink {
  kind: 'contact' | 'company' | 'deal';
  id: string;
  reason: string;
}

export interface UnknownParticipant {
  address: string;
  name: string;
  /** A name for a new contact: the display name, else one derived from the local part. */
  suggestedName: string;
  registrableDomain: string | null;
  exclusion: DomainExclusion | null;
  /** The company a new contact would belong to (domain match), if any. */
  company: Company | null;
  /** The create-contact policy's answer for this person (lib/logging/autoLogDecision.ts). */
  createContact: CreateContactDecision;
}

export interface MessageLinks {
  direction: DirectionVerdict;
  automated: AutomatedVerdict;
  contacts: ContactLink[];
  companies: CompanyLink[];
  /** Thread records not already covered by `contacts` / `companies`, and deals. */
  threadRecords: ThreadRecordLink[];
  unknownParticipants: UnknownParticipant[];
  ambiguous: AmbiguousParticipant[];
  /** Why this message is never logged (a participant on the never-log list), or null. */
  neverLog: string | null;
  /** The never-log entry behind `neverLog` (the address or domain), or null. */
  neverLogEntry: string | null;
  /**
   * Whether the background sync should log this message on its own: `reason` is the
   * sentence for logs, `skip` the rule that stops it (receipts and the sync's counts).
   * Decided by lib/logging/autoLogDecision.ts from what linking found.
   */
  autoLog: AutoLogDecision;
}

const NO_THREAD_LINKS: ThreadLinks = { contactIds: [], companyIds: [], dealIds: [] };

/** "john.doe-smith" -> "John Doe Smith": a starting point the user can edit. */
export function nameFromAddress(address: string): string {
  const local = localPartOfAddress(address).replace(/\+.*$/, '');
  const words = local.split(/[._-]+/u).filter((w) => w !== '' && !/^\d+$/.test(w));
  if (words.length === 0) return address;
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

/** What one message's linking has found so far; each participant role adds to it. */
interface LinkAccumulator {
  contacts: ContactLink[];
  companies: CompanyLink[];
  threadRecords: ThreadRecordLink[];
  unknownParticipants: UnknownParticipant[];
  ambiguous: AmbiguousParticipant[];
  neverLog: string | null;
  neverLogEntry: string | null;
  // Arrays, not Sets: a message links a handful of records, and this runs per message.
  linkedContactIds: string[];
  linkedCompanyIds: string[];
  /** Everyone on the other side is on the organisation's own domains (internal mail). */
  allInternal: boolean;
}

/**
 * Whether the message's In-Reply-To or References name a message the rep sent, as far as the
 * caller has seen the rep's mail (the thread view, the sync batch, the pass's Sent folder).
 * Unknown is false: the detector then judges the reply by its recipients alone.
 */
function repliesToOwnMessage(
  message: MailMessage,
  context: LinkingContext,
  ownMessageIds: ReadonlySet<string> | undefined,
): boolean {
  const sent = context.sentMessageIds;
  if (!sent && !ownMessageIds) return false;
  const answers = (id: string | null) => id !== null && (ownMessageIds?.has(id) || sent?.has(id)) === true;
  return answers(message.inReplyTo) || message.references.some(answers);
}

/** Direction, and whether received mail is automated (the user's own mail is not weighed). */
function classifyMessage(
  message: MailMessage,
  context: LinkingContext,
  ownMessageIds: ReadonlySet<string> | undefined,
): { direction: DirectionVerdict; automated: AutomatedVerdict } {
  const direction = classifyDirection(message, context);
  const automated: AutomatedVerdict =
    direction.direction === 'incoming'
      ? detectAutomatedMail(message, {
          ownAddresses: context.ownAddresses,
          repliesToOwnMessage: repliesToOwnMessage(message, context, ownMessageIds),
        })
      : { automated: false, reason: 'personal mail: sent by you', evidence: [], counter: [] };
  return { direction, automated };
}

/**
 * The contact an address stands for: the rep's override first (a picked contact, or nobody
 * for "Not this person"), else the lookup's match. `ambiguous` when several contacts share
 * the address and the rep has not picked one.
 */
function resolveContact(
  address: string,
  facts: AddressFacts,
  index: LinkIndex,
  corrections: MatchCorrections,
): { match: ContactMatch | undefined; overridden: boolean } | 'ambiguous' {
  const contactOverride = corrections.contactOverride(address);
  if (contactOverride) {
    const picked = contactOverride.recordId ? index.contactById(contactOverride.recordId) : undefined;
    const match: ContactMatch | undefined = picked
      ? {
          contact: picked,
          matchedBy: facts.match?.matchedBy ?? 'primary',
          company: picked.companyId ? index.companyById(picked.companyId) : undefined,
        }
      : undefined;
    return { match, overridden: true };
  }
  if (index.sharedBy(address).length > 1) return 'ambiguous';
  return { match: facts.match, overridden: false };
}

/** A known counterparty: the contact, and the company it works at (unless corrected away). */
function addKnownContact(
  acc: LinkAccumulator,
  address: string,
  match: ContactMatch,
  overridden: boolean,
  companyCorrected: boolean,
): void {
  if (!acc.linkedContactIds.includes(match.contact.id)) {
    acc.linkedContactIds.push(match.contact.id);
    acc.contacts.push({
      contact: match.contact,
      address,
      matchedBy: overridden ? 'override' : match.matchedBy,
      ...(companyCorrected ? { companyCorrected: true } : {}),
      reason: overridden
        ? `you picked ${match.contact.name} for ${address}`
        : match.matchedBy === 'primary'
          ? `${address} is ${match.contact.name}'s email`
          : `${address} is an alternate email of ${match.contact.name}`,
    });
  }
  const contactCompany = companyCorrected ? undefined : match.company;
  if (contactCompany && !acc.linkedCompanyIds.includes(contactCompany.id)) {
    acc.linkedCompanyIds.push(contactCompany.id);
    acc.companies.push({
      company: contactCompany,
      via: 'contact',
      reason: `${match.contact.name} works at ${contactCompany.name}`,
    });
  }
}

/** A counterparty the CRM does not know, with the create-contact decision under the policy. */
function addUnknownParticipant(
  acc: LinkAccumulator,
  party: MailAddress,
  facts: AddressFacts,
  domainCompany: Company | undefined,
  verdict: { direction: DirectionVerdict; automated: AutomatedVerdict },
  settings: Settings,
): void {
  const { direction, automated } = verdict;
  const automatedIncoming = direction.direction === 'incoming' && automated.automated;
  acc.unknownParticipants.push({
    address: party.address,
    name: party.name,
    suggestedName: party.name !== '' ? party.name : nameFromAddress(party.address),
    registrableDomain: facts.registrableDomain,
    exclusion: facts.exclusion,
    company: domainCompany ?? null,
    // "Not this person" leaves the address unknown, so the rep may still create the right contact.
    createContact: decideCreateContact(
      party.address,
      facts.exclusion,
      direction,
      automatedIncoming ? automated : null,
      settings,
    ),
  });
}

/** The company owning the address's registrable domain (never for excluded domains). */
function addDomainCompany(
  acc: LinkAccumulator,
  registrable: string | null,
  company: Company | undefined,
): void {
  if (!company || acc.linkedCompanyIds.includes(company.id)) return;
  acc.linkedCompanyIds.push(company.id);
  acc.companies.push({ company, via: 'domain', reason: `${registrable} belongs to ${company.name}` });
}

/**
 * One counterparty: the sender of received mail, or each To / Cc recipient of sent mail
 * (classifyDirection decides which). Never-log lists, the rep's corrections, shared
 * addresses, then contact, unknown person and domain company.
 */
function linkCounterparty(
  acc: LinkAccumulator,
  party: MailAddress,
  index: LinkIndex,
  context: LinkingContext,
  verdict: { direction: DirectionVerdict; automated: AutomatedVerdict },
): void {
  const { corrections, exclusions } = context;
  if (acc.neverLogEntry === null) {
    acc.neverLogEntry = corrections.neverLogEntry(party.address);
    if (acc.neverLogEntry !== null) acc.neverLog = `${acc.neverLogEntry} is on your never-log list`;
  }
  const facts = index.factsFor(party.address, exclusions);
  const resolved = resolveContact(party.address, facts, index, corrections);
  if (resolved === 'ambiguous') {
    acc.ambiguous.push({
      address: party.address,
      name: party.name,
      candidates: [...index.sharedBy(party.address)],
    });
    acc.allInternal = false;
    return;
  }
  const { match, overridden } = resolved;
  const companyCorrected = corrections.companyOverride(facts.registrableDomain) !== undefined;
  const domainCompany = companyCorrected ? undefined : facts.domainCompany;
  if (facts.exclusion?.kind !== 'org') acc.allInternal = false;
  if (match) addKnownContact(acc, party.address, match, overridden, companyCorrected);
  else addUnknownParticipant(acc, party, facts, domainCompany, verdict, context.settings);
  addDomainCompany(acc, facts.registrableDomain, domainCompany);
}

/** Contacts an earlier message of the thread was logged to ("thread to record"). */
function linkThreadContacts(acc: LinkAccumulator, ids: readonly string[], index: LinkIndex): void {
  for (const id of ids) {
    if (acc.linkedContactIds.includes(id)) continue;
    const contact = index.contactById(id);
    if (contact) {
      acc.linkedContactIds.push(id);
      acc.contacts.push({
        contact,
        address: null,
        matchedBy: 'thread',
        reason: `an earlier message in this thread was logged to ${contact.name}`,
      });
    } else {
      acc.threadRecords.push({
        kind: 'contact',
        id,
        reason: 'an earlier message in this thread was logged to this contact',
      });
    }
  }
}

/** Companies an earlier message of the thread was linked to. */
function linkThreadCompanies(acc: LinkAccumulator, ids: readonly string[], index: LinkIndex): void {
  for (const id of ids) {
    if (acc.linkedCompanyIds.includes(id)) continue;
    const company = index.companyById(id);
    if (company) {
      acc.linkedCompanyIds.push(id);
      acc.companies.push({
        company,
        via: 'contact',
        reason: `an earlier message in this thread was linked to ${company.name}`,
      });
    } else
      acc.threadRecords.push({
        kind: 'company',
        id,
        reason: 'an earlier message in this thread was linked to this company',
      });
  }
}

/** Deals an earlier message of the thread was linked to. */
function linkThreadDeals(acc: LinkAccumulator, ids: readonly string[]): void {
  for (const id of ids) {
    acc.threadRecords.push({
      kind: 'deal',
      id,
      reason: 'an earlier message in this thread was linked to this deal',
    });
  }
}

/**
 * Which contacts, companies and records one message links to, and why: contacts by exact
 * address (primary or alternate email), companies by the contact's company or by
 * registrable domain (never for excluded domains), and the thread's earlier links. For
 * counterparties the CRM does not know, the create-contact decision under the policy; for the
 * message, whether the sync logs it (both decided in lib/logging/autoLogDecision.ts).
 * Excluded domains never hide a contact that exists.
 */
export function linkMessage(
  message: MailMessage,
  index: LinkIndex,
  context: LinkingContext,
  thread: ThreadLinks = NO_THREAD_LINKS,
): MessageLinks {
  const verdict = classifyMessage(message, context, thread.ownMessageIds);
  const { direction, automated } = verdict;
  const acc: LinkAccumulator = {
    contacts: [],
    companies: [],
    threadRecords: [],
    unknownParticipants: [],
    ambiguous: [],
    neverLog: null,
    neverLogEntry: null,
    linkedContactIds: [],
    linkedCompanyIds: [],
    allInternal: direction.counterparties.length > 0,
  };
  for (const party of direction.counterparties) linkCounterparty(acc, party, index, context, verdict);
  linkThreadContacts(acc, thread.contactIds, index);
  linkThreadCompanies(acc, thread.companyIds, index);
  linkThreadDeals(acc, thread.dealIds);

  const { contacts, companies, threadRecords, unknownParticipants, ambiguous, neverLog, neverLogEntry } = acc;
  let threadContactCount = 0;
  for (const r of threadRecords) if (r.kind === 'contact') threadContactCount++;
  return {
    direction,
    automated,
    contacts,
    companies,
    threadRecords,
    unknownParticipants,
    ambiguous,
    neverLog,
    neverLogEntry,
    autoLog: decideAutoLog(
      {
        direction,
        automated,
        neverLog,
        neverLogEntry,
        allInternal: acc.allInternal,
        ambiguous,
        unknownParticipants,
        linkedContactCount: contacts.length + threadContactCount,
      },
      context.settings,
    ),
  };
}
