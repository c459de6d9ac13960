import { microsoftOAuthConfig } from '../../../auth/OAuthProviders';
import type { MailboxApi, MailboxProvider } from '../../sync/MailboxProvider';
import { ProviderRequestError } from '../../sync/ProviderRequestError';
import { findGraphSentMessage } from './findGraphSentMessage';
import { GraphClient } from './GraphClient';
import { GraphSentSync, GraphSyncCursor } from './GraphSentSync';
import { listGraphWindow } from './listGraphWindow';
import { mapGraphMessage } from './mapGraphMessage';
import { markGraphMessages } from './markGraphMessages';
import { outlookThreadFromUrl } from './outlookThreadFromUrl';
import { sharedMailboxCredit } from './sharedMailboxCredit';
import { upgradeOutlookSnapshot } from './upgradeOutlookSnapshot';

/** Outlook / Microsoft 365 through Microsoft Graph and an Entra app registration. */
export const outlookMailboxProvider: MailboxProvider = {
  provider: 'outlook',
  accountName: 'Microsoft',
  cursorKind: 'graph_delta',
  clientSecret: 'none',
  oauthConfig: (clients, options) =>
    clients.microsoftClientId
      ? microsoftOAuthConfig({
          clientId: clients.microsoftClientId,
          tenant: clients.microsoftTenant,
          write: options?.write ?? false,
          shared: options?.shared ?? false,
        })
      : null,
  open(mailboxId, getAccessToken, transport) {
    const client = new GraphClient({
      mailboxId,
      getAccessToken,
      baseUrl: transport.baseUrl,
      fetch: transport.fetch,
      ...(transport.sharedMailbox ? { sharedMailbox: transport.sharedMailbox.address } : {}),
    });
    const shared = transport.sharedMailbox;
    const syncFolder: MailboxApi['syncFolder'] = (folder, { cursorStore, ...options }) =>
      new GraphSentSync({
        ...options,
        client,
        cursors: cursorStore(GraphSyncCursor),
        folder: folder === 'sent' ? 'sentitems' : 'inbox',
        // A shared mailbox's mail a colleague sent is theirs to log.
        ...(shared
          ? { accept: (m) => sharedMailboxCredit(m, shared.repAddress, shared.address) !== 'colleague' }
          : {}),
      }).run();
    const listWindow: MailboxApi['listWindow'] = (folder, window, options) =>
      listGraphWindow(client, folder, window, options);
    if (shared) {
      // A shared mailbox's Sent Items only: the other calls read the rep's own mailbox (/me).
      return { address: async () => shared.address, syncFolder, listWindow };
    }
    return {
      async address() {
        const me = await client.getMe();
        const address = me.mail ?? me.userPrincipalName;
        // A user without a mailbox (no Exchange licence) has neither: nothing to sync.
        if (!address) {
          throw new ProviderRequestError(
            'outlook',
            200,
            'noMailbox',
            'Microsoft did not say which mailbox signed in.',
            false,
          );
        }
        return address;
      },
      syncFolder,
      listWindow,
      async readMessage(providerMessageId, mailbox, folderRole) {
        const graph = await client.getMessage(providerMessageId);
        return graph ? mapGraphMessage(graph, mailbox, folderRole) : null;
      },
      upgradePageSnapshot: (snapshot, mailbox) => upgradeOutlookSnapshot(snapshot, client, mailbox),
      markMessages: (marks, names) => markGraphMessages(client, marks, names.outlookCategory),
      threadFromUrl: (url, mailbox) => outlookThreadFromUrl(url, client, mailbox),
      findSentMessage: (query, mailbox) => findGraphSentMessage(client, query, mailbox),
    };
  },
};
