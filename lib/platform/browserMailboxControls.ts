import type { CrmSidebarBackground } from '../background/CrmSidebarBackground';
import type { MailboxControls } from '../background/createBackgroundHandlers';
import { CrmError } from '../crm/CrmError';
import type { CrmSidebarDb } from '../store/db';

/**
 * Mailbox connections over the browser's identity API. Until the OAuth flow is wired,
 * connecting explains what is missing instead of pretending to work.
 */
export function createBrowserMailboxControls(
  db: CrmSidebarDb,
  service: CrmSidebarBackground,
): MailboxControls {
  return {
    async connect(provider) {
      const settings = await service.getSettings();
      const clientId =
        provider === 'gmail' ? settings.oauth.googleClientId : settings.oauth.microsoftClientId;
      if (!clientId) {
        throw new CrmError(
          'not_configured',
          `Add the ${provider === 'gmail' ? 'Google' : 'Microsoft'} OAuth client id in the settings first.`,
        );
      }
      throw new CrmError('not_configured', 'Mailbox connections are not available in this build.');
    },
    async disconnect(id) {
      // What was logged stays in the CRM (seed 004); only syncing stops.
      await db.transaction('rw', db.mailboxes, db.tokens, db.syncCursors, async () => {
        await db.mailboxes.update(id, { status: 'disconnected' });
        await db.tokens.delete(id);
      });
    },
    async setPrimary(id) {
      await db.transaction('rw', db.mailboxes, async () => {
        await db.mailboxes.toCollection().modify((m) => {
          m.primary = m.id === id;
        });
      });
    },
    async syncNow() {
      return 0;
    },
  };
}
