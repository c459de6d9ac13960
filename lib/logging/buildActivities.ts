import { BODY_MAX, EmailActivityInput, RECIPIENTS_MAX, SNIPPET_MAX, SUBJECT_MAX } from '../crm/contract';
import type { MessageLinks, ThreadRecordLink } from '../linking/linkMessage';
import type { MailAddress, MailMessage } from '../mail/MailMessage';
import type { Settings } from '../settings/Settings';
import { externalIdFor } from './externalIdFor';
import type { SkipRule } from './SkipReason';

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

function snippetOf(text: string): string {
  return truncateText(text.replace(/\s+/gu, ' ').trim(), SNIPPET_MAX);
}

function party(address: MailAddress) {
  return { name: truncateText(address.name, 500), address: address.address };
}

/**
 * How many recipients an activity of this message leaves out: the contract keeps at most
 * RECIPIENTS_MAX per list, so a longer To or Cc is logged with its first RECIPIENTS_MAX and
 * the rest counted here (the pipeline records it; the popup shows it). Every contact among
 * the left-out recipients still gets the activity: contacts come from linking, not the list.
 */
export function recipientsLeftOut(message: Pick<MailMessage, 'to' | 'cc'>): number {
  return Math.max(0, message.to.length - RECIPIENTS_MAX) + Math.max(0, message.cc.length - RECIPIENTS_MAX);
}

export class ActivityBuildError extends Error {
  override readonly name = 'ActivityBuildError';
  constructor(
    message: string,
    /** True when the contract refuses the message's values (set aside, not retried). */
    readonly refusedByContract = false,
    /** The skip rule when the message cannot be logged at all. */
    readonly rule: Extract<SkipRule, 'no_message_id' | 'no_date' | 'refused_by_crm'> = 'refused_by_crm',
  ) {
    super(message);
  }
}

/**
 * One contract activity per linked contact (directly or through the thread), carrying only
 * what the privacy level shares (docs/ARCHITECTURE.md, "Headers and snippet by default"):
 * `metadata` who and when (subject and snippet empty), `snippet` adds subject and preview,
 * `full_body` adds the body when the reader had it. Every connector (REST, HubSpot,
 * Salesforce) sends what is here and nothing else, so this is the one place it is applied. `mode: 'manual'` allows a message without Message-ID, under a provider-derived key.
 * Throws `ActivityBuildError` when the message cannot be logged at all (no key, bad date,
 * values the CRM contract refuses such as an overlong address or a NUL in the subject).
 */
export function buildActivities(
  message: MailMessage,
  links: Pick<MessageLinks, 'direction' | 'contacts' | 'companies' | 'threadRecords'>,
  settings: Pick<Settings, 'privacyLevel'>,
  options: {
    mode?: 'auto' | 'manual';
    /** The rep's deal for the thread (null: "no deal"); undefined when none was chosen. */
    dealId?: string | null;
  } = {},
): EmailActivityInput[] {
  const externalId = externalIdFor(message, options.mode ?? 'auto');
  if (externalId === null) {
    throw new ActivityBuildError(
      'The message has no Message-ID; only a manual log can record it.',
      false,
      'no_message_id',
    );
  }
  if (message.date === null)
    throw new ActivityBuildError(
      'The page showed no date for this message, so it cannot be logged yet.',
      false,
      'no_date',
    );
  const occurredAt = new Date(message.date);
  if (Number.isNaN(occurredAt.getTime()))
    throw new ActivityBuildError(`Unreadable message date: ${message.date}`, false, 'no_date');

  const domainCompanies = links.companies.filter((c) => c.via === 'domain');
  const threadDeals = links.threadRecords.filter((r: ThreadRecordLink) => r.kind === 'deal');
  // The rep's choice wins; otherwise only an unambiguous thread deal is attached, several would be a guess.
  const dealId =
    options.dealId !== undefined
      ? options.dealId
      : threadDeals.length === 1
        ? (threadDeals[0]?.id ?? null)
        : null;
  const fallbackCompanyId = domainCompanies.length === 1 ? (domainCompanies[0]?.company.id ?? null) : null;

  const contactIds: { id: string; companyId: string | null }[] = [];
  for (const link of links.contacts)
    contactIds.push({
      id: link.contact.id,
      companyId: link.companyCorrected ? null : link.contact.companyId,
    });
  for (const record of links.threadRecords) {
    if (record.kind === 'contact') contactIds.push({ id: record.id, companyId: null });
  }

  const level = settings.privacyLevel;
  const body =
    level === 'full_body' && message.body !== undefined && message.body !== ''
      ? truncateText(message.body, BODY_MAX)
      : undefined;
  const subject = level === 'metadata' ? '' : truncateText(message.subject, SUBJECT_MAX);
  const snippet = level === 'metadata' ? '' : snippetOf(message.snippet);

  const corrected = new Set(links.contacts.filter((l) => l.companyCorrected).map((l) => l.contact.id));
  const seen = new Set<string>();
  const activities: EmailActivityInput[] = [];
  for (const { id, companyId } of contactIds) {
    if (seen.has(id)) continue;
    seen.add(id);
    const parsed = EmailActivityInput.safeParse({
      type: 'email',
      externalId,
      contactId: id,
      companyId: companyId ?? (corrected.has(id) ? null : fallbackCompanyId),
      dealId,
      direction: links.direction.direction,
      subject,
      snippet,
      ...(body !== undefined ? { body } : {}),
      occurredAt: occurredAt.toISOString(),
      from: message.from ? party(message.from) : { name: '', address: '' },
      // Never silently: recipientsLeftOut() counts what this leaves out, and the pipeline says so.
      to: message.to.slice(0, RECIPIENTS_MAX).map(party),
      cc: message.cc.slice(0, RECIPIENTS_MAX).map(party),
      hasAttachments: message.hasAttachments,
      threadId: message.providerThreadId,
      source: message.provider,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ActivityBuildError(
        `the CRM would refuse this message (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'})`,
        true,
      );
    }
    activities.push(parsed.data);
  }
  return activities;
}
