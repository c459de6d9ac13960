import { googleOAuthConfig } from '../../../auth/OAuthProviders';
import type { MailboxProvider } from '../../sync/MailboxProvider';
import { findGmailSentMessage } from './findGmailSentMessage';
import { GmailApiClient } from './GmailApiClient';
import { GmailSentSync, GmailSyncCursor } from './GmailSentSync';
import { gmailThreadFromUrl } from './gmailThreadFromUrl';
import { listGmailWindow } from './listGmailWindow';
import { ensureGmailLabel, markGmailMessages } from './markGmailMessages';

/** Gmail through the Gmail API v1 and a Google OAuth client. */
export const gmailMailboxProvider: MailboxProvider = {
  provider: 'gmail',
  accountName: 'Google',
  cursorKind: 'gmail_history',
  clientSecret: 'required',
  oauthConfig: (clients, options) =>
    clients.googleClientId
      ? googleOAuthConfig({ clientId: clients.googleClientId, write: options?.write ?? false })
      : null,
  open(mailboxId, getAccessToken, transport) {
    // One client per mailbox: its quota limiter must see every call of the user.
    const client = new GmailApiClient({
      mailboxId,
      getAccessToken,
      baseUrl: transport.baseUrl,
      fetch: transport.fetch,
    });
    // The label's id per name, found or created once per worker lifetime.
    const labelIds = new Map<string, Promise<string>>();
    const labelId = (name: string) => {
      let id = labelIds.get(name);
      if (!id) {
        id = ensureGmailLabel(client, name);
        id.catch(() => labelIds.delete(name));
        labelIds.set(name, id);
      }
      return id;
    };
    return {
      address: async () => (await client.getProfile()).emailAddress,
      syncFolder: (folder, { cursorStore, ...options }) =>
        new GmailSentSync({
          ...options,
          client,
          cursors: cursorStore(GmailSyncCursor),
          labelId: folder === 'sent' ? 'SENT' : 'INBOX',
        }).run(),
      listWindow: (folder, window, options) => listGmailWindow(client, folder, window, options),
      markMessages: (marks, names) => markGmailMessages(client, marks, () => labelId(names.gmailLabel)),
      threadFromUrl: (url, mailbox) => gmailThreadFromUrl(url, client, mailbox),
      // A compose send is found by the id Gmail's page gives; without one there is nothing to match.
      findSentMessage: async (query, mailbox) =>
        query.providerMessageId ? findGmailSentMessage(client, query.providerMessageId, mailbox) : null,
    };
  },
};
