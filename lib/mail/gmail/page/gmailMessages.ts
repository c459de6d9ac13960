import { z } from 'zod';
import { defineMessages } from '../../../messaging/protocol';
import { MailAddress, MailMessage } from '../../MailMessage';
import { SentMessageOutcome } from '../../SentMessageOutcome';

/** What the Gmail content script needs before it loads InboxSDK. */
export const GmailContentConfig = z.object({
  /** Empty when the user has not set one: the content script then falls back to the build's env var. */
  inboxSdkAppId: z.string(),
  logComposeByDefault: z.boolean(),
});
export type GmailContentConfig = z.infer<typeof GmailContentConfig>;

/**
 * A message the user just sent from a Gmail compose view with "Log to CRM" on.
 * `message.messageId` is the exact internet Message-ID when the content script could read
 * it from Gmail's original-message page (`messageIdSource: 'header'`); otherwise it is null
 * with `messageIdSource: 'none'`, and the background must fetch it from the Gmail API
 * (`users.messages.get`, `format=metadata`, `metadataHeaders=Message-ID`) for
 * `message.providerMessageId` before the activity leaves the outbox.
 */
export const GmailSentMessage = z.object({
  message: MailMessage.refine((m) => m.provider === 'gmail' && m.folderRole === 'sent', {
    message: 'A Gmail sent message must have provider gmail and folder role sent',
  }),
  /** Bcc is not part of `MailMessage` (it never appears in the delivered headers). */
  bcc: z.array(MailAddress).max(500).default([]),
  /** `/mail/u/N` index of the tab it was sent from; for links and logs only. */
  accountIndex: z.number().int().min(0).nullable(),
});
export type GmailSentMessage = z.infer<typeof GmailSentMessage>;
export type GmailSentMessageInput = z.input<typeof GmailSentMessage>;

/**
 * A message the user just sent from a Gmail compose view with "Log to CRM" off: the background
 * finds it through the Gmail API by this id and keeps the sync from logging it by itself.
 */
export const GmailSentDecline = z.object({
  mailbox: z.string().min(3).max(400),
  /** Gmail's hex message id from InboxSDK's `sent` event (the Gmail API's `id`). */
  gmailMessageId: z.string().regex(/^[0-9a-f]{1,32}$/),
});
export type GmailSentDecline = z.infer<typeof GmailSentDecline>;

export const GmailSentMessageOutcome = SentMessageOutcome;
export type GmailSentMessageOutcome = SentMessageOutcome;

/** The runtime messages the Gmail content script sends; the background registers them in MESSAGES. */
export const GMAIL_MESSAGES = defineMessages({
  'gmail.config.get': {
    request: z.object({}),
    response: GmailContentConfig,
    senders: ['content'],
    webmail: ['gmail'],
  },
  /**
   * Only from a Gmail tab; its `message.messageId` is the page's word and is dropped by the
   * background (a page could claim another message's Message-ID and so keep it from ever
   * being logged): the sent-mail sync logs with the exact one, else a provider-derived key.
   */
  'gmail.sent.log': {
    request: GmailSentMessage,
    response: GmailSentMessageOutcome,
    senders: ['content'],
    webmail: ['gmail'],
  },
  /** Only from a Gmail tab: a send with the toggle off (the background checks it is this mailbox's sent mail). */
  'gmail.sent.decline': {
    request: GmailSentDecline,
    response: GmailSentMessageOutcome,
    senders: ['content'],
    webmail: ['gmail'],
  },
});
export type GmailMessages = typeof GMAIL_MESSAGES;
