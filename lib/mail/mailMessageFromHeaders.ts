import { decodeWords } from 'postal-mime';
import { selectedHeaders } from './headerLookup';
import { type FolderRole, MailMessage, type MailProvider } from './MailMessage';
import { normaliseMessageId, parseMessageIdList } from './normaliseMessageId';
import { parseAddressList, parseSingleAddress } from './parseAddressList';

/**
 * Parses a raw RFC 5322 header block (as in an .eml file or IMAP `BODY[HEADER]`) into
 * lower-cased header names -> unfolded values. The first occurrence of a header wins
 * (Received and friends repeat; none of the headers we read should).
 */
export function parseHeaderBlock(raw: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const end = raw.search(/\r?\n\r?\n/);
  const block = end >= 0 ? raw.slice(0, end) : raw;
  const unfolded = block.replace(/\r?\n(?=[ \t])/g, '');
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name) || name in headers) continue;
    headers[name] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?Q?...?=`) in an unstructured header like Subject. */
export function decodeHeaderText(value: string): string {
  try {
    return decodeWords(value).replace(/\s+/gu, ' ').trim();
  } catch {
    return value;
  }
}

export interface HeaderMessageMeta {
  provider: MailProvider;
  mailbox: string;
  providerMessageId: string;
  providerThreadId?: string | null;
  folderRole: FolderRole;
  flags?: string[];
  snippet?: string;
  body?: string;
  hasAttachments?: boolean;
}

/**
 * A `MailMessage` from a raw header block plus what the provider says about where the
 * message is. Only `SELECTED_HEADERS` are kept on the message (headers + snippet privacy).
 */
export function mailMessageFromHeaders(raw: string, meta: HeaderMessageMeta): MailMessage {
  const headers = parseHeaderBlock(raw);
  const selected = selectedHeaders((name) => headers[name]);
  const parsedDate = headers.date ? new Date(headers.date) : null;
  const messageId = normaliseMessageId(headers['message-id']);
  return MailMessage.parse({
    provider: meta.provider,
    mailbox: meta.mailbox.toLowerCase(),
    providerMessageId: meta.providerMessageId,
    providerThreadId: meta.providerThreadId ?? null,
    messageId,
    messageIdSource: messageId === null ? 'none' : 'header',
    inReplyTo: parseMessageIdList(headers['in-reply-to'])[0] ?? null,
    references: parseMessageIdList(headers.references),
    from: parseSingleAddress(headers.from),
    to: parseAddressList(headers.to),
    cc: parseAddressList(headers.cc),
    replyTo: parseAddressList(headers['reply-to']),
    subject: decodeHeaderText(headers.subject ?? ''),
    date:
      parsedDate && !Number.isNaN(parsedDate.getTime())
        ? parsedDate.toISOString()
        : new Date(0).toISOString(),
    snippet: meta.snippet ?? '',
    body: meta.body,
    hasAttachments: meta.hasAttachments ?? /^multipart\/mixed/i.test(headers['content-type'] ?? ''),
    folderRole: meta.folderRole,
    flags: meta.flags ?? [],
    headers: selected,
  });
}
