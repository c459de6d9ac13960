import { z } from 'zod';
import { ErrorInfo } from '../errors/ErrorInfo';

/** The windows an audit offers, in days back from now. */
export const AUDIT_WINDOW_DAYS = [7, 30, 90] as const;
export const AuditWindowDays = z.union([z.literal(7), z.literal(30), z.literal(90)]);
export type AuditWindowDays = z.infer<typeof AuditWindowDays>;

/** How many missing messages a report lists by name (all of them are kept for "Log missing"). */
export const AUDIT_LISTED_MISSING = 200;

/** One message the CRM does not hold (or holds for only some of its contacts). */
export const AuditMissingMessage = z.object({
  externalId: z.string(),
  folder: z.enum(['sent', 'inbox']),
  subject: z.string(),
  /** ISO date of the message, when known. */
  date: z.string().nullable(),
  /** The counterparties' addresses (To and Cc of sent mail, From of received mail). */
  counterparties: z.array(z.string()),
  /** Contacts the CRM lacks it for; empty when the sync would create the contacts first. */
  missingContactIds: z.array(z.string()),
});
export type AuditMissingMessage = z.infer<typeof AuditMissingMessage>;

/** One rule that set messages aside: its key (as the sync counts skips), a sentence, how many. */
export const AuditSkipRule = z.object({
  /** The sync's count key (lib/logging/SkipReason `skipCountKey`: "automated:auto_reply", "never_log" ...). */
  rule: z.string(),
  /** The specifics of the first message set aside under this rule (an address, the evidence). */
  example: z.string(),
  count: z.number().int().min(0),
});
export type AuditSkipRule = z.infer<typeof AuditSkipRule>;

export const AuditCounts = z.object({
  /** Messages of the window looked at. */
  scanned: z.number().int().min(0),
  /** The CRM holds them for every contact the sync would log them to. */
  logged: z.number().int().min(0),
  /** The sync's rules set them aside. */
  skipped: z.number().int().min(0),
  /** The sync would log them, and the CRM does not hold them (for at least one contact). */
  missing: z.number().int().min(0),
});
export type AuditCounts = z.infer<typeof AuditCounts>;

/** What "Log missing" did: how many messages it sent through the outbox, and when. */
export const AuditLogMissing = z.object({
  state: z.enum(['running', 'done', 'failed']),
  /** Messages put in the outbox (activities may be more: one per contact). */
  queued: z.number().int().min(0),
  /** Missing messages the CRM turned out to hold by the time "Log missing" ran. */
  alreadyLogged: z.number().int().min(0),
  at: z.string(),
  error: ErrorInfo.nullable(),
});
export type AuditLogMissing = z.infer<typeof AuditLogMissing>;

/**
 * One audit of one mailbox: which of the window's messages the CRM holds (logged), which the
 * sync's rules set aside (skipped, with the rule), and which the CRM is missing. Kept in the
 * background's database and shown in the popup and the options page.
 */
export const SyncAuditReport = z.object({
  mailboxId: z.string(),
  address: z.string(),
  windowDays: AuditWindowDays,
  from: z.string(),
  to: z.string(),
  folders: z.array(z.enum(['sent', 'inbox'])),
  state: z.enum(['running', 'done', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  progress: z.object({ scanned: z.number(), total: z.number().nullable() }),
  counts: AuditCounts,
  skippedByRule: z.array(AuditSkipRule),
  /** The first `AUDIT_LISTED_MISSING` missing messages, newest first. */
  missing: z.array(AuditMissingMessage),
  /** Requests the audit made to the CRM (lookups and batch checks); the provider's go through its quota. */
  crmRequests: z.number().int().min(0),
  error: ErrorInfo.nullable(),
  logMissing: AuditLogMissing.nullable(),
});
export type SyncAuditReport = z.infer<typeof SyncAuditReport>;
