import type { MailMessage } from '../../MailMessage';
import { normaliseMessageId } from '../../normaliseMessageId';
import type { SentMessageQuery } from '../../sync/MailboxProvider';
import { toGraphRestId } from '../page/outlookIds';
import { GRAPH_MESSAGE_SELECT, type GraphClient, type GraphMessage } from './GraphClient';
import { mapGraphMessage } from './mapGraphMessage';

/**
 * How far from the tab's "Send pressed" time a Sent Items message may be dated: Outlook holds a
 * message for its "Undo send" window (seconds) before it goes, and the tab's clock may be off.
 */
const WINDOW_MS = 10 * 60_000;

const plain = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();

function matches(message: GraphMessage, query: SentMessageQuery): boolean {
  if (message.isDraft) return false;
  if (query.conversationId && message.conversationId) {
    if (toGraphRestId(message.conversationId) !== toGraphRestId(query.conversationId)) return false;
  }
  if (plain(message.subject ?? '') !== plain(query.subject)) return false;
  const recipients = new Set(
    [...(message.toRecipients ?? []), ...(message.ccRecipients ?? [])].map((r) =>
      (r.emailAddress.address ?? '').toLowerCase(),
    ),
  );
  return query.to.every((address) => recipients.has(address));
}

/**
 * The Sent Items message a compose send produced: one page of Sent Items dated around the
 * send (`GET /me/mailFolders('sentitems')/messages`, filtered and ordered on receivedDateTime,
 * the date a sent item carries as well), matched on the conversation of a reply, the subject
 * and the To addresses the form showed; of several, the one sent closest to the send.
 */
export async function findGraphSentMessage(
  client: Pick<GraphClient, 'listMessages'>,
  query: SentMessageQuery,
  mailbox: string,
): Promise<MailMessage | null> {
  const at = query.sentAt.getTime();
  const page = await client.listMessages({
    folder: 'sentitems',
    select: GRAPH_MESSAGE_SELECT,
    receivedFrom: new Date(at - WINDOW_MS),
    receivedThrough: new Date(at + WINDOW_MS),
    top: 50,
  });
  const distance = (m: GraphMessage) =>
    Math.abs(Date.parse(m.sentDateTime ?? m.receivedDateTime ?? '') - at) || Number.MAX_SAFE_INTEGER;
  const best = page.value.filter((m) => matches(m, query)).sort((a, b) => distance(a) - distance(b))[0];
  if (!best) return null;
  const message = mapGraphMessage(best, mailbox.toLowerCase(), 'sent');
  return { ...message, messageId: normaliseMessageId(message.messageId), messageIdSource: 'api' };
}
