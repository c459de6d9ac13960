import type { GraphMessage } from './GraphClient';

/**
 * Who a message in a shared mailbox's Sent Items is credited to. Graph's message resource
 * has `from` ("the owner of the mailbox from which the message is sent") and `sender` ("the
 * account that is actually used to generate the message"); they differ when a delegate sends
 * on behalf of the mailbox (https://learn.microsoft.com/en-us/graph/api/resources/message,
 * properties `from` and `sender`). So:
 * - `rep`: the sender is the signed-in rep: the message says they sent it;
 * - `colleague`: the sender is someone else (another delegate): it is theirs to log, from
 *   their own connection of the same shared mailbox;
 * - `unattributed`: no sender, or the sender is the shared address itself (Send As): the
 *   message does not say who sent it, and whichever rep's sync reads it first logs it (the
 *   Message-ID registry keeps it once).
 */
export type SharedMailboxCredit = 'rep' | 'colleague' | 'unattributed';

export function sharedMailboxCredit(
  message: Pick<GraphMessage, 'sender'>,
  repAddress: string,
  sharedAddress: string,
): SharedMailboxCredit {
  const sender = message.sender?.emailAddress.address?.trim().toLowerCase();
  if (!sender || sender === sharedAddress.trim().toLowerCase()) return 'unattributed';
  return sender === repAddress.trim().toLowerCase() ? 'rep' : 'colleague';
}
