import type { MailboxMark, MailboxMarkOutcome } from '../../sync/MailboxProvider';
import { ProviderRequestError } from '../../sync/ProviderRequestError';
import type { GmailApiClient, GmailLabel } from './GmailApiClient';

/**
 * The id of the user label `name`, created when the mailbox has none yet (users.labels.list,
 * then users.labels.create). Gmail compares label names without regard to case; a 409 on
 * create means another client made it meanwhile, so the list is read again.
 */
export async function ensureGmailLabel(client: GmailApiClient, name: string): Promise<string> {
  const find = (labels: GmailLabel[]) => labels.find((l) => l.name.toLowerCase() === name.toLowerCase());
  const existing = find(await client.listLabels());
  if (existing) return existing.id;
  try {
    return (await client.createLabel(name)).id;
  } catch (error) {
    if (!(error instanceof ProviderRequestError && error.status === 409)) throw error;
    const made = find(await client.listLabels());
    if (!made) throw error;
    return made.id;
  }
}

/**
 * Labels and archives logged Gmail messages in as few calls as Gmail allows: one
 * users.messages.batchModify (up to 1,000 ids, 50 quota units) per distinct change, so a sync
 * page of 100 logged messages costs at most two calls. The API has no archive call: Gmail's
 * Archive is the message without the INBOX system label, which "can be manually applied"
 * (developers.google.com/workspace/gmail/api/guides/labels, "Types of labels"), and so removed.
 * batchModify answers the call as a whole, not per id.
 */
export async function markGmailMessages(
  client: GmailApiClient,
  marks: readonly MailboxMark[],
  labelId: () => Promise<string>,
): Promise<MailboxMarkOutcome[]> {
  const wanted = marks.filter((m) => m.label || m.archive);
  if (wanted.length === 0) return [];
  const id = wanted.some((m) => m.label) ? await labelId() : null;
  const groups = new Map<string, { add: string[]; remove: string[]; ids: string[] }>();
  for (const mark of wanted) {
    const add = mark.label && id ? [id] : [];
    const remove = mark.archive ? ['INBOX'] : [];
    const key = `${add.join()}|${remove.join()}`;
    const group = groups.get(key) ?? { add, remove, ids: [] };
    group.ids.push(mark.providerMessageId);
    groups.set(key, group);
  }
  for (const group of groups.values()) {
    await client.batchModifyMessages(group.ids, { addLabelIds: group.add, removeLabelIds: group.remove });
  }
  return wanted.map((m) => ({ providerMessageId: m.providerMessageId, applied: true }));
}
