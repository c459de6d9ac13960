import { googleOAuthConfig } from '../../../auth/OAuthProviders';
import type { MailboxProvider } from '../../sync/MailboxProvider';
import { GmailApiClient } from './GmailApiClient';
import { GmailSentSync, GmailSyncCursor } from './GmailSentSync';
import { listGmailWindow } from './listGmailWindow';

/** Gmail through the Gmail API v1 and a Google OAuth client. */
export const gmailMailboxProvider: MailboxProvider = {
  provider: 'gmail',
  accountName: 'Google',
  cursorKind: 'gmail_history',
  clientSecret: 'required',
  oauthConfig: (clients) =>
    clients.googleClientId ? googleOAuthConfig({ clientId: clients.googleClientId }) : null,
  open(mailboxId, getAccessToken, transport) {
    // One client per mailbox: its quota limiter must see every call of the user.
    const client = new GmailApiClient({
      mailboxId,
      getAccessToken,
      baseUrl: transport.baseUrl,
      fetch: transport.fetch,
    });
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
    };
  },
};
