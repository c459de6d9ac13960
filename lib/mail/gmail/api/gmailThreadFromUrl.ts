import { isGmailThreadUrl } from '../../../health/ThreadReadWatchdog';
import type { ThreadSnapshot } from '../../MailMessage';
import type { GmailApiClient } from './GmailApiClient';
import { GMAIL_METADATA_HEADERS, mapGmailMessage } from './mapGmailMessage';

/**
 * The Gmail API thread id a Gmail web URL carries, or null. Older links carry it as their
 * last hash segment, 16 hexadecimal digits (`#all/19e1acd465710c93`, `#inbox/<16 hex>`);
 * today's links carry an opaque token instead (`#inbox/FMfcgzQgLjNPlfJCVRfnNkPGkLhWClCW`,
 * also starting `Ktbx`, `CXKn`, `QgrcJ`) that no public work decodes into an API id offline:
 * https://github.com/googleworkspace/cli/issues/790 and
 * https://github.com/googleworkspace/cli/issues/858. Only a thread view counts
 * (isGmailThreadUrl): a search for 16 hex digits with no thread open is not one.
 */
export function gmailApiThreadId(url: string): string | null {
  if (!isGmailThreadUrl(url)) return null;
  const last = new URL(url).hash.replace(/^#/, '').split('?')[0]?.split('/').filter(Boolean).at(-1) ?? '';
  return /^[0-9a-f]{16}$/i.test(last) ? last.toLowerCase() : null;
}

/** The one client call this needs (GmailApiClient's), so tests can count it. */
export type GmailThreadApi = Pick<GmailApiClient, 'getThreadMetadata'>;

/**
 * The thread a Gmail web URL names, read through the Gmail API alone, with no reading of the
 * page: for the browser's side panel, which must work when Gmail's markup changes. One
 * users.threads.get (format=metadata, the headers the sync asks for; 10 quota units through
 * the client's limiter), each message mapped as the sync maps it (folder role from its
 * labels), oldest first. Null, without a request, for a URL with an opaque token; null when
 * Gmail knows no thread under the id (404).
 */
export async function gmailThreadFromUrl(
  url: string,
  api: GmailThreadApi,
  mailbox: string,
): Promise<ThreadSnapshot | null> {
  const threadId = gmailApiThreadId(url);
  if (threadId === null) return null;
  const thread = await api.getThreadMetadata(threadId, GMAIL_METADATA_HEADERS);
  const messages = (thread?.messages ?? [])
    // Oldest first, as a conversation reads (internalDate: epoch ms as a decimal string).
    .sort((a, b) => Number(a.internalDate) - Number(b.internalDate))
    .map((m) => mapGmailMessage(m, mailbox));
  if (!thread || messages.length === 0) return null;
  return {
    provider: 'gmail',
    mailbox: mailbox.trim().toLowerCase(),
    threadId: thread.id,
    // Gmail heads a conversation with the subject of its first message.
    subject: messages.find((m) => m.subject !== '')?.subject ?? '',
    messages,
    url,
    source: messages.every((m) => m.messageId !== null) ? 'exact' : 'page',
  };
}
