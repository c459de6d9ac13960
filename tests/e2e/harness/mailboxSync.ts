import type { Page } from 'playwright-core';
import type { ExtensionStatus, MailboxStatus } from '../../../lib/messaging/messages';
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
export function createGoogleFakes(subject: string, options: FakeGmailOptions = {}): GoogleFakes {
  const gmail = new FakeGmailApi(options);
  gmail.addMailbox(subject);
  const issuedTokens: string[] = [];
  const idp = new FakeOauthServer({
    autoConsentSubject: subject,
    onAccessToken: (token, sub, _scope, expiresIn) => {
      issuedTokens.push(token);
      gmail.issueAccessToken(sub, { token, expiresInMs: expiresIn * 1000 });
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
