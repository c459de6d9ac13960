import { z } from 'zod';
import type { MailProvider } from '../mail/MailMessage';
import type { CrmSidebarDb } from '../store/db';

/**
 * OAuth client secrets the admin entered (Google "Web application" clients need one at the
 * token endpoint). Kept like the tokens: read only by the background, never in Settings
 * (which pages and content scripts can read), never in a log or an error message.
 */
export interface ClientSecretStore {
  get(provider: MailProvider): Promise<string | null>;
  /** Empty string or null forgets it. */
  set(provider: MailProvider, secret: string | null): Promise<void>;
}

const CLIENT_SECRETS_KEY = 'oauth.clientSecrets';
const StoredSecrets = z.record(z.string(), z.string());

/** In the database's key-value `settings` table, under its own key (not the Settings object). */
export function dexieClientSecretStore(db: CrmSidebarDb): ClientSecretStore {
  const read = async () =>
    StoredSecrets.safeParse((await db.settings.get(CLIENT_SECRETS_KEY))?.value).data ?? {};
  return {
    async get(provider) {
      return (await read())[provider] ?? null;
    },
    async set(provider, secret) {
      await db.transaction('rw', db.settings, async () => {
        const secrets = await read();
        if (secret) secrets[provider] = secret;
        else delete secrets[provider];
        await db.settings.put({ key: CLIENT_SECRETS_KEY, value: secrets, updatedAt: Date.now() });
      });
    },
  };
}
