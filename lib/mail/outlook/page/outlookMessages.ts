import { z } from 'zod';
import { defineMessages } from '../../../messaging/protocol';
import { MailAddress, SNAPSHOT_LIMITS } from '../../MailMessage';
import { SentMessageOutcome } from '../../SentMessageOutcome';

/** What the Outlook content script needs for its compose toggle. */
export const OutlookContentConfig = z.object({
  /** The toggle's state in a new compose form (settings `logComposeByDefault`). */
  logComposeByDefault: z.boolean(),
  /**
   * Outlook mailboxes connected through Microsoft Graph (lower-cased addresses): for those the
   * background confirms a send in Sent Items, so the tab hands it over as soon as the form
   * closes; for others the tab first waits out Outlook's "Undo send" window.
   */
  connectedMailboxes: z.array(z.string().max(400)).max(100),
});
export type OutlookContentConfig = z.infer<typeof OutlookContentConfig>;

const Recipients = z.array(MailAddress).max(SNAPSHOT_LIMITS.recipients);

/**
 * A message the user just sent from an Outlook on the web compose form (with "Log to CRM" on for
 * `outlook.sent.log`, off for `outlook.sent.decline`),
 * as the form showed it when Send was pressed. The page never knows the sent message's
 * Message-ID: the background finds the message in Sent Items through Graph when the mailbox
 * is connected, else logs it under `composeKey`.
 */
export const OutlookSentMessage = z.object({
  /** The signed-in mailbox (lower-cased address). */
  mailbox: z.string().min(3).max(400),
  /** The user as the page names them, for the From of a message logged without Graph. */
  fromName: z.string().max(400).default(''),
  kind: z.enum(['new', 'reply']),
  /** The conversation of a reply (Graph REST form), when the page names it. */
  conversationId: z.string().max(1_000).nullable(),
  subject: z.string().max(SNAPSHOT_LIMITS.subject),
  to: Recipients,
  cc: Recipients,
  /** Bcc is not part of `MailMessage` (it never appears in the delivered headers). */
  bcc: Recipients.default([]),
  /** When Send was pressed, by the tab's clock. */
  sentAt: z.string().datetime(),
  /** The page's key for this send, used as the item key when no mailbox is connected. */
  composeKey: z.string().regex(/^[0-9a-f]{8,32}$/),
});
export type OutlookSentMessage = z.infer<typeof OutlookSentMessage>;
export type OutlookSentMessageInput = z.input<typeof OutlookSentMessage>;

export const OutlookSentMessageOutcome = SentMessageOutcome;
export type OutlookSentMessageOutcome = SentMessageOutcome;

/** The runtime messages the Outlook content script sends; the background registers them in MESSAGES. */
export const OUTLOOK_MESSAGES = defineMessages({
  'outlook.config.get': {
    request: z.object({}),
    response: OutlookContentConfig,
    senders: ['content'],
    webmail: ['outlook'],
  },
  /** Only from an Outlook tab, after the compose form closed on a Send with the toggle on. */
  'outlook.sent.log': {
    request: OutlookSentMessage,
    response: OutlookSentMessageOutcome,
    senders: ['content'],
    webmail: ['outlook'],
  },
  /** Only from an Outlook tab, after the compose form closed on a Send with the toggle off. */
  'outlook.sent.decline': {
    request: OutlookSentMessage,
    response: OutlookSentMessageOutcome,
    senders: ['content'],
    webmail: ['outlook'],
  },
});
export type OutlookMessages = typeof OUTLOOK_MESSAGES;
