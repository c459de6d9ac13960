import { decodeWords } from 'postal-mime';
import { folderRoleFromGmailLabels } from '../../folderRoles';
import { headerMap, selectedHeaders } from '../../headerLookup';
import { MailMessage, SELECTED_HEADERS } from '../../MailMessage';
import { normaliseMessageId, parseMessageIdList } from '../../normaliseMessageId';
import { parseAddressList, parseSingleAddress } from '../../parseAddressList';
import type { GmailMessage, GmailMessagePart } from './GmailApiClient';

/**
 * The headers requested with `format=metadata&metadataHeaders=...`: the addressing headers
 * plus those `SELECTED_HEADERS` stands for (threading and automated-mail detection), in the
 * case their RFCs spell them, plus the variants mail software commonly writes. Google
 * documents header names in their usual case and says nothing of the filter ignoring case
 * (developers.google.com/gmail/api/reference/rest/v1/users.messages/get), so we do not rely
 * on it; the response is matched case-insensitively (`headerMap`). Nothing else is read.
 */
const HEADER_SPELLINGS: Record<(typeof SELECTED_HEADERS)[number], readonly string[]> = {
  // RFC 5322 §3.6.4; Postfix, Exchange and many libraries write "Message-Id".
  'message-id': ['Message-ID', 'Message-Id'],
  'in-reply-to': ['In-Reply-To'],
  references: ['References'],
  // RFC 3834
  'auto-submitted': ['Auto-Submitted'],
  // RFC 2919; Mailman and Google Groups write "List-ID".
  'list-id': ['List-Id', 'List-ID'],
  // RFC 2369, RFC 8058
  'list-unsubscribe': ['List-Unsubscribe'],
  'list-unsubscribe-post': ['List-Unsubscribe-Post'],
  'list-post': ['List-Post'],
  precedence: ['Precedence'],
  // De-facto autoresponder and bulk-mail headers, as their senders spell them.
  'x-autoreply': ['X-Autoreply', 'X-AutoReply'],
  'x-autorespond': ['X-Autorespond', 'X-AutoRespond'],
  'x-auto-response-suppress': ['X-Auto-Response-Suppress'],
  'mailing-list': ['Mailing-List'],
  'x-mailing-list': ['X-Mailing-List'],
  sender: ['Sender'],
  'feedback-id': ['Feedback-ID'],
  'x-campaign': ['X-Campaign'],
  'x-campaignid': ['X-campaignid', 'X-CampaignID'],
  'x-mc-user': ['X-MC-User'],
  'x-mailchimp-campaign': ['X-Mailchimp-Campaign'],
  'x-newsletter': ['X-Newsletter'],
  'x-csa-complaints': ['X-CSA-Complaints'],
  'x-sfmc-stack': ['X-SFMC-Stack'],
  'x-mailgun-tag': ['X-Mailgun-Tag'],
  'x-mailer': ['X-Mailer'],
  'x-apple-action': ['X-Apple-Action'],
  'x-ms-exchange-inbox-rules-loop': ['X-MS-Exchange-Inbox-Rules-Loop'],
  // RFC 2045; RFC 5321 §4.4
  'content-type': ['Content-Type'],
  'return-path': ['Return-Path'],
};

export const GMAIL_METADATA_HEADERS: readonly string[] = [
  // RFC 5322 §3.6
  'From',
  'To',
  'Cc',
  'Reply-To',
  'Subject',
  'Date',
  ...SELECTED_HEADERS.flatMap((name) => HEADER_SPELLINGS[name]),
];

function hasNamedPart(part: GmailMessagePart | undefined): boolean {
  if (!part) return false;
  if ((part.filename ?? '') !== '' || part.body?.attachmentId !== undefined) return true;
  return (part.parts ?? []).some(hasNamedPart);
}

/**
 * Attachments, as well as `format=metadata` allows. With `format=full` the payload has its
 * parts and a part with a filename (or an attachment id) settles it. Metadata responses
 * carry no parts, only the top-level MIME type (and the Content-Type header when asked for):
 * `multipart/mixed` is how mail clients wrap a body plus attachments, so it is taken as
 * "has attachments". It over-reports the few clients that use multipart/mixed for inline
 * content and misses attachments nested inside multipart/related; good enough for a flag
 * on an activity, not for anything that must be exact.
 */
export function gmailHasAttachments(
  payload: GmailMessagePart | undefined,
  contentType: string | undefined,
): boolean {
  if (payload?.parts !== undefined) return hasNamedPart(payload);
  const mimeType = (payload?.mimeType ?? contentType ?? '').toLowerCase();
  return mimeType.startsWith('multipart/mixed');
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** Gmail's `snippet` is HTML-escaped text (`It&#39;s`); the model holds plain text. */
export function decodeGmailSnippet(snippet: string): string {
  return snippet.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body[0] === '#') {
      const code =
        body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
  });
}

function gmailFlags(labelIds: readonly string[]): string[] {
  const flags: string[] = [];
  if (labelIds.includes('DRAFT')) flags.push('\\Draft');
  if (!labelIds.includes('UNREAD')) flags.push('\\Seen');
  if (labelIds.includes('STARRED')) flags.push('\\Flagged');
  return flags;
}

/** Maps a Gmail `messages.get` payload (format=metadata or full) to the provider-neutral model. */
export function mapGmailMessage(payload: GmailMessage, mailbox: string): MailMessage {
  const headers = headerMap(payload.payload?.headers);
  const labelIds = payload.labelIds ?? [];
  const rawMessageId = headers.get('message-id');
  const messageId = normaliseMessageId(rawMessageId);
  const selected = selectedHeaders((name) => headers.get(name));
  return MailMessage.parse({
    provider: 'gmail',
    mailbox: mailbox.trim().toLowerCase(),
    providerMessageId: payload.id,
    providerThreadId: payload.threadId,
    messageId,
    messageIdSource: messageId === null ? 'none' : 'header',
    inReplyTo: normaliseMessageId(headers.get('in-reply-to')),
    references: parseMessageIdList(headers.get('references')),
    from: parseSingleAddress(headers.get('from')),
    to: parseAddressList(headers.get('to')),
    cc: parseAddressList(headers.get('cc')),
    replyTo: parseAddressList(headers.get('reply-to')),
    // Gmail usually returns decoded header values; raw encoded words still occur in the wild.
    subject: decodeWords(headers.get('subject') ?? '').trim(),
    // internalDate is when Gmail accepted the message (the send time for sent mail); the Date
    // header is whatever the sender's clock said and may be missing.
    date: new Date(Number(payload.internalDate)).toISOString(),
    snippet: decodeGmailSnippet(payload.snippet ?? ''),
    hasAttachments: gmailHasAttachments(payload.payload, headers.get('content-type')),
    folderRole: folderRoleFromGmailLabels(labelIds),
    flags: gmailFlags(labelIds),
    headers: selected,
  });
}
