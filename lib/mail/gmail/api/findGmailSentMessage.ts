import type { MailMessage } from '../../MailMessage';
import type { GmailApiClient } from './GmailApiClient';
import { GMAIL_METADATA_HEADERS, mapGmailMessage } from './mapGmailMessage';

/**
 * The message a Gmail compose view just sent, read through the Gmail API by the id InboxSDK's
 * `sent` event gives (Gmail's hex message id, the one `users.messages.get` takes:
 * https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/get),
 * with its exact Message-ID; null while Gmail does not have it or when it is not a sent
 * message of this mailbox (carrying the `SENT` system label:
 * https://developers.google.com/workspace/gmail/api/guides/labels#manage_labels_on_messages_threads).
 */
export async function findGmailSentMessage(
  client: Pick<GmailApiClient, 'getMessagesMetadata'>,
  gmailMessageId: string,
  mailbox: string,
): Promise<MailMessage | null> {
  const result = (await client.getMessagesMetadata([gmailMessageId], GMAIL_METADATA_HEADERS)).get(
    gmailMessageId,
  );
  if (result?.kind !== 'message') return null;
  if (!(result.message.labelIds ?? []).includes('SENT')) return null;
  return mapGmailMessage(result.message, mailbox);
}
