import { decodeWords } from 'postal-mime';
import { folderRoleFromGmailLabels } from '../../folderRoles';
import { headerMap, selectedHeaders } from '../../headerLookup';
import { MailMessage, SELECTED_HEADERS } from '../../MailMessage';
import { normaliseMessageId, parseMessageIdList } from '../../normaliseMessageId';
import { parseAddressList, parseSingleAddress } from '../../parseAddressList';
import type { GmailMessage, GmailMessagePart } from './GmailApiClient';

/**
 * The headers requested with `format=metadata&metadataHeaders=...`: the addressing headers
 * plus `SELECTED_HEADERS` (threading and automated-mail detection). Nothing else is read.
 */
export const GMAIL_METADATA_HEADERS: readonly string[] = [
  'From',
  'To',
  'Cc',
  'Reply-To',
  'Subject',
  'Date',
  ...SELECTED_HEADERS,
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
