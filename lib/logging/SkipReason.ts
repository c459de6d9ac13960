import { z } from 'zod';
import { AutomatedCategory } from '../mail/detectAutomatedMail';

/**
 * Why a message is not logged, as one closed set: the panel's receipts, the sync's counts
 * in the popup and the sync audit all speak it, and `describeSkip` (skipWording.ts) is the
 * only place that words it for people.
 */
export const SkipRule = z.enum([
  /** Sent by a machine (bounce, auto-reply, newsletter ...): lib/mail/detectAutomatedMail. */
  'automated',
  /** A participant's domain is on the rep's excluded-domain list. */
  'excluded_domain',
  /** A free-mail provider's domain (gmail.com ...): no company, no new contact. */
  'free_mail',
  /** Everyone on the other side is on the organisation's own domains. */
  'internal',
  /** The rep's privacy and logging settings: automatic logging of sent or received mail is off. */
  'privacy',
  /** No Message-ID header: nearly always spam; never logged automatically. */
  'no_message_id',
  /**
   * Read from the webmail page, which does not show the Message-ID: a click logs it under the
   * webmail's item key; only a connected mailbox's sync knows the exact Message-ID.
   */
  'message_id_not_shown',
  /** A participant is on the never-log list (address or domain). */
  'never_log',
  /** Several contacts share the address and the rep has not picked one. */
  'ambiguous',
  /** No one on the message is a CRM contact. */
  'no_contact',
  'draft',
  'junk',
  'trash',
  /** Only the user's own addresses are on it. */
  'only_you',
  /** No From address. */
  'no_sender',
  /** Older than the import window. */
  'out_of_window',
  /** The page showed no readable date, so there is nothing to log it at. */
  'no_date',
  /** Values the CRM contract refuses (an overlong address, a NUL in the subject): set aside. */
  'refused_by_crm',
  /** The rep removed it from the CRM from its receipt: never logged there again by itself. */
  'removed_by_you',
  /** The rep sent it with the compose form's "Log to CRM" off: the sync leaves it out. */
  'log_off_at_send',
]);
export type SkipRule = z.infer<typeof SkipRule>;

export const SkipReason = z.object({
  rule: SkipRule,
  /** For `automated`: which kind of automated mail. */
  automated: AutomatedCategory.nullable().default(null),
  /** The specifics in words: the evidence, the domain, the address ("List-Unsubscribe and Precedence: bulk"). */
  detail: z.string().max(1_000).default(''),
});
export type SkipReason = z.infer<typeof SkipReason>;

export function skipReason(
  rule: SkipRule,
  detail = '',
  automated: AutomatedCategory | null = null,
): SkipReason {
  return { rule, automated, detail };
}

/**
 * The key the sync counts skips under: the rule, and automated mail by its kind
 * ("automated:newsletter"), so the popup says "newsletters 12" rather than one lump.
 */
export function skipCountKey(reason: Pick<SkipReason, 'rule' | 'automated'>): string {
  return reason.rule === 'automated' && reason.automated ? `automated:${reason.automated}` : reason.rule;
}

/** A count key back as rule and kind; null for a key no version of the rules wrote. */
export function parseSkipCountKey(key: string): Pick<SkipReason, 'rule' | 'automated'> | null {
  const [rule, kind] = key.split(':', 2);
  const parsedRule = SkipRule.safeParse(rule);
  if (!parsedRule.success) return null;
  if (kind === undefined) return { rule: parsedRule.data, automated: null };
  const parsedKind = AutomatedCategory.safeParse(kind);
  return parsedRule.data === 'automated' && parsedKind.success
    ? { rule: 'automated', automated: parsedKind.data }
    : null;
}
