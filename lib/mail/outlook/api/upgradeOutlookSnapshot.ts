import type { MailAddress, MailMessage, ThreadSnapshot } from '../../MailMessage';
import { normaliseMessageId } from '../../normaliseMessageId';
import { isEwsAlphabet, toUrlSafeAlphabet } from '../page/outlookIds';
import { parseOutlookUrl } from '../page/parseOutlookUrl';
import type { GraphClient, GraphMessage } from './GraphClient';
import { mapGraphMessage } from './mapGraphMessage';

/** The Graph calls an upgrade needs (GraphClient implements them). */
export type OutlookUpgradeApi = Pick<
  GraphClient,
  'getMessage' | 'listConversationMessages' | 'translateExchangeIds'
>;

// The page shows minutes; Graph has seconds. A page time T covers [T, T + 1 min).
const MINUTE_MS = 60_000;

/** The Graph id of the deeplink view's item, translated when the URL carries an EWS id. */
export async function deeplinkItemId(api: OutlookUpgradeApi, itemId: string): Promise<string | null> {
  if (!isEwsAlphabet(itemId)) return toUrlSafeAlphabet(itemId);
  const [result] = await api.translateExchangeIds([decodeURIComponentSafe(itemId)], 'ewsId', 'restId');
  return result?.targetId ?? null;
}

function decodeURIComponentSafe(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function sameSender(page: MailAddress | null, graph: GraphMessage): boolean {
  const g = graph.from?.emailAddress ?? graph.sender?.emailAddress;
  if (!page || !g) return false;
  if (page.address) return page.address === (g.address ?? '').toLowerCase();
  return !!page.name && page.name.toLowerCase() === (g.name ?? '').toLowerCase();
}

function sameMinute(pageDate: string | null, graph: GraphMessage): boolean {
  if (pageDate === null) return false;
  const t = Date.parse(pageDate);
  return [graph.receivedDateTime, graph.sentDateTime].some((d) => {
    const g = d ? Date.parse(d) : Number.NaN;
    return g >= t && g < t + MINUTE_MS;
  });
}

/**
 * The open Outlook item, upgraded through Microsoft Graph to what the page cannot show: the
 * exact internetMessageId, full recipients, exact dates. The deeplink view names its item in
 * the URL (translated with translateExchangeIds when it is an EWS id); the three-pane view names
 * the conversation, whose messages are matched to the page's by sender and minute. Messages
 * that match nothing keep what the page showed; the snapshot says `exact` only when every
 * message was confirmed.
 */
export async function upgradeOutlookSnapshot(
  snapshot: ThreadSnapshot,
  api: OutlookUpgradeApi,
  mailbox: string,
): Promise<ThreadSnapshot> {
  if (snapshot.provider !== 'outlook' || snapshot.messages.length === 0) return snapshot;
  const location = parseOutlookUrl(snapshot.url ?? '');
  let candidates: GraphMessage[] = [];
  if (location.deeplink && location.itemId) {
    const id = await deeplinkItemId(api, location.itemId);
    const item = id ? await api.getMessage(id) : null;
    if (item) candidates = [item];
  } else if (snapshot.threadId) {
    candidates = await api.listConversationMessages(snapshot.threadId);
  }
  if (candidates.length === 0) return snapshot;

  const used = new Set<GraphMessage>();
  const single = location.deeplink && snapshot.messages.length === 1 && candidates.length === 1;
  const messages: MailMessage[] = snapshot.messages.map((m) => {
    const match = single
      ? candidates[0]
      : candidates.find((g) => !used.has(g) && sameSender(m.from, g) && sameMinute(m.date, g));
    if (!match) return m;
    used.add(match);
    const ownAddress = mailbox.toLowerCase();
    const fromMe = (match.from?.emailAddress?.address ?? '').toLowerCase() === ownAddress;
    const exact = mapGraphMessage(
      match,
      mailbox,
      fromMe ? 'sent' : m.folderRole === 'sent' ? 'inbox' : m.folderRole,
    );
    return {
      ...m,
      ...exact,
      // The page's key stays: the panel's state for this message is kept under it.
      providerMessageId: m.providerMessageId,
      providerThreadId: match.conversationId ?? m.providerThreadId,
      messageId: normaliseMessageId(exact.messageId),
      messageIdSource: 'api',
      snippet: exact.snippet || m.snippet,
      partial: false,
      recipientsIncomplete: false,
    };
  });
  const exact = messages.every((m) => m.messageIdSource === 'api' && m.messageId !== null);
  return {
    ...snapshot,
    mailbox: snapshot.mailbox ?? mailbox,
    threadId: candidates[0]?.conversationId ?? snapshot.threadId,
    messages,
    source: exact ? 'exact' : 'page',
  };
}
