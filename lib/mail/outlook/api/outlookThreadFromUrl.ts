import type { FolderRole, ThreadSnapshot } from '../../MailMessage';
import { normaliseMessageId } from '../../normaliseMessageId';
import { toGraphRestId } from '../page/outlookIds';
import { parseOutlookUrl } from '../page/parseOutlookUrl';
import type { GraphMessage } from './GraphClient';
import { mapGraphMessage } from './mapGraphMessage';
import { deeplinkItemId, type OutlookUpgradeApi } from './upgradeOutlookSnapshot';

/**
 * The thread an Outlook on the web URL names, read through Microsoft Graph alone, with no
 * reading of the page: for the browser's side panel, which must work when Outlook's markup
 * changes. The URL forms are those parseOutlookUrl reads (`/mail/inbox/id/<conversation id>`,
 * `/mail/deeplink/read/<item id>`). One Graph request for the three-pane view (the
 * conversation's messages); the deeplink view reads its item (and translates an EWS id first).
 * Null when the URL names no thread or Graph has nothing under that id.
 */
export async function outlookThreadFromUrl(
  url: string,
  api: OutlookUpgradeApi,
  mailbox: string,
): Promise<ThreadSnapshot | null> {
  const location = parseOutlookUrl(url);
  if (!location.itemId) return null;
  let messages: GraphMessage[] = [];
  if (location.deeplink) {
    const id = await deeplinkItemId(api, location.itemId);
    const item = id ? await api.getMessage(id) : null;
    if (item) messages = [item];
  } else {
    messages = await api.listConversationMessages(toGraphRestId(location.itemId));
  }
  if (messages.length === 0) return null;
  const own = mailbox.toLowerCase();
  const inFolder: FolderRole = location.folderRole === 'other' ? 'inbox' : location.folderRole;
  const mapped = messages
    .map((m) => {
      const fromMe = (m.from?.emailAddress?.address ?? '').toLowerCase() === own;
      const message = mapGraphMessage(m, own, fromMe ? 'sent' : inFolder === 'sent' ? 'inbox' : inFolder);
      return { ...message, messageId: normaliseMessageId(message.messageId) };
    })
    // Oldest first, as a conversation reads.
    .sort((a, b) => Date.parse(a.date ?? '') - Date.parse(b.date ?? ''));
  const newest = mapped.at(-1);
  return {
    provider: 'outlook',
    mailbox: own,
    threadId: messages[0]?.conversationId ?? toGraphRestId(location.itemId),
    subject: newest?.subject ?? '',
    messages: mapped,
    url,
    source: mapped.every((m) => m.messageId !== null) ? 'exact' : 'page',
  };
}
