import type { Contact, ContactNameOptional } from '@inboxsdk/core';
import { type MailAddress, MailMessage } from '../../MailMessage';
import { normaliseAddress } from '../../normaliseAddress';
import type { SdkMessageView } from './GmailSdk';

const EARLIEST_GMAIL_MS = Date.UTC(2004, 0, 1);
const GMAIL_HEX_ID = /^[0-9a-f]{11,16}$/i;

/**
 * The time encoded in a Gmail hex message id (its bits above the low 20 are milliseconds
 * since the epoch: Gmail's internal date), or null when the id does not carry a plausible
 * one. Preferred over `MessageView.getDateString()`, which is the date element's tooltip in
 * the user's Gmail language (e.g. "Tue, 4 Mar 2025, 10:14") and cannot be parsed reliably
 * in every locale. The public MessageView has no numeric date in 2.2.26.
 */
export function dateFromGmailId(gmailId: string, nowMs = Date.now()): Date | null {
  if (!GMAIL_HEX_ID.test(gmailId)) return null;
  const ms = Number(BigInt(`0x${gmailId}`) >> 20n);
  return ms >= EARLIEST_GMAIL_MS && ms <= nowMs + 86_400_000 ? new Date(ms) : null;
}

/** `getDateString()` as ISO when the engine can parse it (English-style tooltips), else null. */
export function dateFromGmailTooltip(tooltip: string): Date | null {
  const cleaned = tooltip
    .replace(/[\u202f\u00a0]/g, ' ')
    .replace(/\s+at\s+/i, ' ')
    .trim();
  if (cleaned === '') return null;
  const ms = Date.parse(cleaned);
  return Number.isNaN(ms) ? null : new Date(ms);
}

export function toMailAddress(contact: Contact | ContactNameOptional): MailAddress | null {
  const address = normaliseAddress(contact.emailAddress);
  return address === null ? null : { name: (contact.name ?? '').trim(), address };
}

function toMailAddresses(contacts: readonly ContactNameOptional[]): MailAddress[] {
  const seen = new Set<string>();
  const out: MailAddress[] = [];
  for (const contact of contacts) {
    const address = toMailAddress(contact);
    if (address && !seen.has(address.address)) {
      seen.add(address.address);
      out.push(address);
    }
  }
  return out;
}

/** InboxSDK throws when Gmail's date element is missing; an absent tooltip is just empty. */
function readDateTooltip(view: SdkMessageView): string {
  try {
    return view.getDateString();
  } catch {
    return '';
  }
}

export interface MessageViewContext {
  /** Lower-cased address of the signed-in account (InboxSDK `User.getEmailAddress()`). */
  mailbox: string;
  threadId: string | null;
  subject: string;
  /** Exact Message-IDs already resolved, by Gmail message id. */
  internetMessageIds: ReadonlyMap<string, string>;
}

/**
 * One loaded MessageView as a provider-neutral `MailMessage`, or null while the message is
 * not loaded (a collapsed stub: InboxSDK throws on `getSender()` / `getMessageIDAsync()`
 * until it loads, and it loads when the user expands it).
 *
 * What InboxSDK cannot tell us is left empty rather than invented: it gives one recipient
 * list (To, Cc and Bcc-to-me together), so all of it goes to `to` and `cc` stays empty; the
 * body and snippet are not read (privacy mode is the default, and the panel only needs
 * participants); folder role is `sent` only for the account's own messages (Gmail labels
 * every message the user sends SENT) and `other` otherwise, since a thread view does not
 * say which label a message carries.
 */
export async function readMessageView(
  view: SdkMessageView,
  context: MessageViewContext,
): Promise<MailMessage | null> {
  if (view.destroyed || !view.isLoaded()) return null;
  const gmailMessageId = await view.getMessageIDAsync();
  const from = toMailAddress(view.getSender());
  const recipients = toMailAddresses(await view.getRecipientsFull());
  const tooltip = readDateTooltip(view);
  const date = dateFromGmailId(gmailMessageId) ?? dateFromGmailTooltip(tooltip);
  const messageId = context.internetMessageIds.get(gmailMessageId) ?? null;
  return MailMessage.parse({
    provider: 'gmail',
    mailbox: context.mailbox,
    providerMessageId: gmailMessageId,
    providerThreadId: context.threadId,
    messageId,
    messageIdSource: messageId === null ? 'none' : 'header',
    from,
    to: recipients,
    subject: context.subject,
    // Both sources failing is not expected for a loaded message; the raw tooltip is kept
    // rather than a made-up time so the gap is visible downstream.
    date: date ? date.toISOString() : tooltip,
    hasAttachments: view.getFileAttachmentCardViews().length > 0,
    folderRole: from?.address === context.mailbox ? 'sent' : 'other',
  });
}
