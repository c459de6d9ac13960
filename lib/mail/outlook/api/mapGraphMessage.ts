import { headerMap, selectedHeaders } from '../../headerLookup';
import { type FolderRole, MailMessage } from '../../MailMessage';
import { normaliseMessageId, parseMessageIdList } from '../../normaliseMessageId';
import { toMailAddress } from '../../parseAddressList';
import type { GraphMessage, GraphRecipient } from './GraphClient';

function address(recipient: GraphRecipient | null | undefined) {
  const raw = recipient?.emailAddress.address;
  return raw ? toMailAddress(raw, recipient?.emailAddress.name ?? '') : null;
}

function addresses(recipients: GraphRecipient[] | null | undefined) {
  const seen = new Set<string>();
  const result = [];
  for (const recipient of recipients ?? []) {
    const mapped = address(recipient);
    if (mapped && !seen.has(mapped.address)) {
      seen.add(mapped.address);
      result.push(mapped);
    }
  }
  return result;
}

/**
 * Maps a Graph message to the provider-neutral model. `folderRole` is the role of the folder
 * it was read from (delta is per folder, and `parentFolderId` is an opaque id); a draft is a
 * draft wherever it sits. Graph exposes no In-Reply-To/References properties, so they come
 * from `internetMessageHeaders` when those were selected (received mail); the thread is
 * Graph's conversationId either way.
 */
export function mapGraphMessage(message: GraphMessage, mailbox: string, folderRole: FolderRole): MailMessage {
  const headers = headerMap(message.internetMessageHeaders);
  const selected = selectedHeaders((name) => headers.get(name));
  const messageId = normaliseMessageId(message.internetMessageId ?? headers.get('message-id'));
  const role: FolderRole = message.isDraft ? 'drafts' : folderRole;
  // Sent mail is dated when it was sent, received mail when it arrived.
  const date =
    role === 'sent'
      ? (message.sentDateTime ?? message.receivedDateTime)
      : (message.receivedDateTime ?? message.sentDateTime);
  return MailMessage.parse({
    provider: 'outlook',
    mailbox: mailbox.trim().toLowerCase(),
    providerMessageId: message.id,
    providerThreadId: message.conversationId ?? null,
    messageId,
    messageIdSource: messageId === null ? 'none' : 'api',
    inReplyTo: normaliseMessageId(headers.get('in-reply-to')),
    references: parseMessageIdList(headers.get('references')),
    // `from` is who the message is from; `sender` differs only for send-on-behalf.
    from: address(message.from) ?? address(message.sender),
    to: addresses(message.toRecipients),
    cc: addresses(message.ccRecipients),
    replyTo: addresses(message.replyTo),
    subject: message.subject ?? '',
    date: new Date(date ?? 0).toISOString(),
    snippet: message.bodyPreview ?? '',
    hasAttachments: message.hasAttachments ?? false,
    folderRole: role,
    flags: message.isDraft ? ['\\Draft'] : [],
    headers: selected,
  });
}
