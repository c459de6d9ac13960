import type { Page } from 'playwright-core';
import type { ExtensionStatus, MailboxStatus } from '../../../lib/messaging/messages';
import type { OAuthClients } from '../../../lib/settings/Settings';
import { FakeGmailApi, type FakeGmailOptions } from '../../fakes/FakeGmailApi';
import { FakeOauthServer } from '../../fakes/FakeOauthServer';
import { sendExtensionMessage } from './extensionMessages';
import type { RequestHandler } from './HostRoutedHttpsServer';
import type { ExtensionBrowser } from './launchExtensionBrowser';

/** The production hosts the extension talks to for Gmail (see lib/auth/OAuthProviders.ts). */
export const GOOGLE_HOSTS = {
  api: 'gmail.googleapis.com',
  authorize: 'accounts.google.com',
  token: 'oauth2.googleapis.com',
} as const;

export const TEST_GOOGLE_CLIENT_ID = '123-abc.apps.googleusercontent.com';
/** Made up, in the shape of a Google Web application client secret. */
export const TEST_GOOGLE_CLIENT_SECRET = 'GOCSPX-e2e0fake0client0secret0';

export interface GoogleFakes {
  gmail: FakeGmailApi;
  idp: FakeOauthServer;
  /** Every access token the fake identity provider issued, oldest first. */
  issuedTokens: string[];
  /** For `startE2eEnvironment({ extraRoutes })`. */
  routes: Record<string, RequestHandler>;
}

/**
 * The Gmail API fake and a Google-shaped OAuth server, mounted at Google's real hosts on the
 * harness's HTTPS server, so the built extension reaches them through --host-resolver-rules
 * with its production URLs. The authorization endpoint consents as `subject` at once (302 to
 * the chromiumapp.org redirect), which is what lets identity.launchWebAuthFlow finish headless.
 */
export function createGoogleFakes(
  subject: string,
  options: FakeGmailOptions = {},
  oauth: { accessTokenLifetime?: number } = {},
): GoogleFakes {
  const gmail = new FakeGmailApi(options);
  gmail.addMailbox(subject);
  const issuedTokens: string[] = [];
  const idp = new FakeOauthServer({
    provider: 'google',
    // The redirect URI is registered once the extension's id is known (configureGoogleApp).
    clients: [{ clientId: TEST_GOOGLE_CLIENT_ID, clientSecret: TEST_GOOGLE_CLIENT_SECRET, redirectUris: [] }],
    autoConsentSubject: subject,
    ...oauth,
    onAccessToken: (token, sub, scope, expiresIn) => {
      issuedTokens.push(token);
      // The token carries what was granted, so the fake refuses writes to a read-only grant.
      gmail.issueAccessToken(sub, {
        token,
        expiresInMs: expiresIn * 1000,
        scopes: scope.split(' ').filter(Boolean),
      });
    },
  });
  return {
    gmail,
    idp,
    issuedTokens,
    routes: {
      [GOOGLE_HOSTS.api]: gmail.handle,
      [GOOGLE_HOSTS.authorize]: idp.handle,
      [GOOGLE_HOSTS.token]: idp.handle,
    },
  };
}

/** The redirect URI `identity.getRedirectURL()` gives the extension (what admins register). */
export function extensionRedirectUri(browser: ExtensionBrowser): string {
  return `https://${browser.extensionId}.chromiumapp.org/`;
}

/**
 * What the admin does for Google: registers the extension's redirect URI on the Web
 * application client, and enters the client id and its secret in the options.
 */
export async function configureGoogleApp(browser: ExtensionBrowser, google: GoogleFakes): Promise<void> {
  google.idp.registerRedirectUri(TEST_GOOGLE_CLIENT_ID, extensionRedirectUri(browser));
  await setOAuthClients(browser, { googleClientId: TEST_GOOGLE_CLIENT_ID });
  await ask(browser, 'oauth.clientSecret.set', { provider: 'gmail', secret: TEST_GOOGLE_CLIENT_SECRET });
}

/**
 * Replaces the "Mail provider apps" settings as the options page saves them (the settings
 * patch is shallow: what is left out takes its default, so no other provider's app lingers).
 */
export async function setOAuthClients(
  browser: ExtensionBrowser,
  clients: Partial<OAuthClients>,
): Promise<void> {
  await ask(browser, 'settings.update', { patch: { oauth: clients } });
}

/** Sends one message and throws on an error reply; returns `data`. */
export async function ask<T = unknown>(
  browser: ExtensionBrowser,
  type: string,
  payload: unknown = {},
  page?: Page,
): Promise<T> {
  const reply = await sendExtensionMessage(browser, type, payload, page);
  if (!reply.ok) throw new Error(`${type} failed: ${JSON.stringify(reply.error)}`);
  return reply.data as T;
}

export function getStatus(browser: ExtensionBrowser, page?: Page): Promise<ExtensionStatus> {
  return ask<ExtensionStatus>(browser, 'status.get', {}, page);
}

/**
 * Waits until the mailbox has finished a pass that ended after `since` (its lastSyncAt moved
 * past it), is no longer syncing, and nothing is pending in the outbox.
 */
export async function waitForSyncedAndDelivered(
  browser: ExtensionBrowser,
  mailboxId: string,
  options: { since?: string | null; timeoutMs?: number; page?: Page } = {},
): Promise<{ status: ExtensionStatus; mailbox: MailboxStatus }> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last: ExtensionStatus | null = null;
  while (Date.now() < deadline) {
    last = await getStatus(browser, options.page);
    const mailbox = last.mailboxes.find((m) => m.id === mailboxId);
    if (
      mailbox &&
      mailbox.state === 'connected' &&
      mailbox.lastSyncAt !== null &&
      (options.since == null || mailbox.lastSyncAt > options.since) &&
      last.outbox.pending === 0
    ) {
      return { status: last, mailbox };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Mailbox ${mailboxId} did not finish syncing: ${JSON.stringify(last)}`);
}

export interface SyncStateSnapshot {
  /** The stored cursor of the mailbox's sent folder (parsed JSON), or null. */
  cursor: unknown;
  /** externalIds with an outbox item (any state) or a registry row: handed to the outbox. */
  handedOff: string[];
}

/**
 * Reads the extension's IndexedDB (the background's Dexie database) from an extension page,
 * in one read-only transaction, so the cursor and the outbox are seen at the same instant.
 * Reading never wakes the service worker.
 */
export function readSyncState(page: Page, mailboxId: string): Promise<SyncStateSnapshot> {
  return page.evaluate(async (id) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('crm-sidebar');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      const tx = db.transaction(['syncCursors', 'outbox', 'registry'], 'readonly');
      const done = <T>(request: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
      const cursorRow = (await done(tx.objectStore('syncCursors').get(id))) as { cursor: string } | undefined;
      const handed = new Set<string>();
      await new Promise<void>((resolve, reject) => {
        const request = tx.objectStore('outbox').index('key').openKeyCursor();
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const c = request.result;
          if (!c) return resolve();
          const key = String(c.key);
          handed.add(key.slice(0, key.lastIndexOf(' ')));
          c.continue();
        };
      });
      const registryKeys = (await done(tx.objectStore('registry').getAllKeys())) as unknown as [
        string,
        string,
      ][];
      for (const [, externalId] of registryKeys) handed.add(externalId);
      return { cursor: cursorRow ? JSON.parse(cursorRow.cursor) : null, handedOff: [...handed] };
    } finally {
      db.close();
    }
  }, mailboxId);
}
