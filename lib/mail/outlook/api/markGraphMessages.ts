import type { MailboxMark, MailboxMarkOutcome } from '../../sync/MailboxProvider';
import type { GraphClient } from './GraphClient';

/**
 * Categorises and archives logged Outlook messages, one message at a time (Graph has no
 * bulk update; each call counts against the mailbox's request budget like the sync's). The
 * category goes on first: a move gives the message a new id in its new folder
 * (https://learn.microsoft.com/en-us/graph/api/message-move, "Response": the moved message).
 * A message that no longer exists is reported as not applied.
 */
export async function markGraphMessages(
  client: GraphClient,
  marks: readonly MailboxMark[],
  category: string,
): Promise<MailboxMarkOutcome[]> {
  const outcomes: MailboxMarkOutcome[] = [];
  for (const mark of marks) {
    if (!mark.label && !mark.archive) continue;
    let applied = true;
    if (mark.label) applied = await client.addMessageCategory(mark.providerMessageId, category);
    if (applied && mark.archive) applied = await client.moveMessage(mark.providerMessageId, 'archive');
    outcomes.push({ providerMessageId: mark.providerMessageId, applied });
  }
  return outcomes;
}
