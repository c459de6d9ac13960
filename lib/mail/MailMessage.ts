import { z } from 'zod';

/** Where a message lives, independent of the provider's own folder names. */
export const FolderRole = z.enum(['inbox', 'sent', 'drafts', 'junk', 'trash', 'archive', 'other']);
export type FolderRole = z.infer<typeof FolderRole>;

export const MailProvider = z.enum(['gmail', 'outlook']);
export type MailProvider = z.infer<typeof MailProvider>;

export const MailAddress = z.object({
  name: z.string().default(''),
  /** Lower-cased, trimmed address (adapters normalise; the schema makes sure at the boundary). */
  address: z.string().trim().toLowerCase(),
});
export type MailAddress = z.infer<typeof MailAddress>;

/**
 * The headers the classifier needs (automated-mail detection), keyed by lower-cased
 * header name. Only these are ever read from a provider: headers + snippet privacy.
 */
export const SELECTED_HEADERS = [
  'message-id',
  'in-reply-to',
  'references',
  'auto-submitted',
  'list-id',
  'list-unsubscribe',
  'precedence',
  'x-autoreply',
  'x-autorespond',
  'x-auto-response-suppress',
  'content-type',
  'return-path',
  // List servers (RFC 2369 List-Post, ezmlm Mailing-List, list-owner Sender) and bulk
  // senders (RFC 8058 one-click, Feedback-ID, campaign headers, the mailer's name).
  'list-post',
  'mailing-list',
  'x-mailing-list',
  'sender',
  'list-unsubscribe-post',
  'feedback-id',
  'x-campaign',
  'x-campaignid',
  'x-mc-user',
  'x-mailchimp-campaign',
  'x-newsletter',
  'x-csa-complaints',
  'x-sfmc-stack',
  'x-mailgun-tag',
  'x-mailer',
  // Vendor auto-replies: iCloud vacation, Exchange inbox-rule replies.
  'x-apple-action',
  'x-ms-exchange-inbox-rules-loop',
] as const;

export const MailMessage = z.object({
  provider: MailProvider,
  /** The mailbox the message was read from (lower-cased address). */
  mailbox: z.string(),
  providerMessageId: z.string(),
  providerThreadId: z.string().nullable(),
  /** Normalised internet Message-ID (no brackets, lower case) or null when unknown. */
  messageId: z.string().nullable(),
  /** How `messageId` was obtained: exact from headers/API, or unknown. */
  messageIdSource: z.enum(['header', 'api', 'none']).default('header'),
  inReplyTo: z.string().nullable().default(null),
  references: z.array(z.string()).default([]),
  from: MailAddress.nullable(),
  to: z.array(MailAddress).default([]),
  cc: z.array(MailAddress).default([]),
  replyTo: z.array(MailAddress).default([]),
  subject: z.string().default(''),
  /**
   * ISO 8601, or null when the page showed no date it could read (Outlook's reading pane in a
   * format or language the reader does not know). Never a made-up date.
   */
  date: z.string().nullable(),
  snippet: z.string().default(''),
  body: z.string().optional(),
  hasAttachments: z.boolean().default(false),
  folderRole: FolderRole,
  flags: z.array(z.string()).default([]),
  headers: z.record(z.string(), z.string()).default({}),
  /** Read from a collapsed message on the page: sender, date and preview only. */
  partial: z.boolean().default(false),
  /** The page cut the To/Cc lists short ("+N others"): `to`/`cc` are not all recipients. */
  recipientsIncomplete: z.boolean().default(false),
});
export type MailMessage = z.infer<typeof MailMessage>;
export type MailMessageInput = z.input<typeof MailMessage>;

/**
 * What a content script may send about one thread. Page-side readers take whatever the page
 * shows, and the page may be hostile, so the background accepts no more than real mail has:
 * a subject of one header line (RFC 5322 §2.1.1: 998 characters), 500 recipients a message
 * (our own bound, the common per-message cap of consumer mail services; not checked against a
 * published Gmail or Outlook figure), 100 messages a thread (a Gmail conversation "breaks off
 * into a new conversation if ... the conversation reaches more than 100 emails":
 * https://support.google.com/mail/answer/5900).
 */
export const SNAPSHOT_LIMITS = { subject: 998, recipients: 500, messages: 100 } as const;

const SnapshotMessage = MailMessage.superRefine((m, ctx) => {
  if (m.subject.length > SNAPSHOT_LIMITS.subject)
    ctx.addIssue({
      code: 'custom',
      path: ['subject'],
      message: `a subject is at most ${SNAPSHOT_LIMITS.subject} characters`,
    });
  const recipients = m.to.length + m.cc.length + m.replyTo.length;
  if (recipients > SNAPSHOT_LIMITS.recipients)
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: `a message has at most ${SNAPSHOT_LIMITS.recipients} recipients (this one has ${recipients})`,
    });
});

export const ThreadSnapshot = z.object({
  provider: MailProvider,
  mailbox: z.string().nullable(),
  threadId: z.string().nullable(),
  subject: z
    .string()
    .max(SNAPSHOT_LIMITS.subject, `a subject is at most ${SNAPSHOT_LIMITS.subject} characters`),
  messages: z
    .array(SnapshotMessage)
    .max(SNAPSHOT_LIMITS.messages, `a thread has at most ${SNAPSHOT_LIMITS.messages} messages`),
  /** The page URL the snapshot was read from (deep link back). */
  url: z.string().optional(),
  /** `page`: read from what the page shows; `exact`: the provider's API confirmed every message. */
  source: z.enum(['page', 'exact']).default('page'),
});
export type ThreadSnapshot = z.infer<typeof ThreadSnapshot>;
export type ThreadSnapshotInput = z.input<typeof ThreadSnapshot>;
