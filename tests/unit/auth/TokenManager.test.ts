import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailboxAuthError } from '../../../lib/auth/MailboxAuthError';
import { authorizeMailbox, refreshTokens } from '../../../lib/auth/OAuthClient';
import { microsoftOAuthConfig, withEndpoints } from '../../../lib/auth/OAuthProviders';
import { type StoredTokens, TokenManager, type TokenStore } from '../../../lib/auth/TokenManager';
import { describeError } from '../../../lib/errors/describeError';
import { toErrorInfo } from '../../../lib/errors/toErrorInfo';
import { GmailApiClient } from '../../../lib/mail/gmail/api/GmailApiClient';
import { FakeGmailApi } from '../../fakes/FakeGmailApi';
import { FakeOauthServer } from '../../fakes/FakeOauthServer';

class MemoryTokenStore implements TokenStore {
  readonly values = new Map<string, StoredTokens>();
  async get(id: string) {
    return this.values.get(id) ?? null;
  }
  async set(id: string, tokens: StoredTokens) {
    this.values.set(id, { ...tokens });
  }
  async delete(id: string) {
    this.values.delete(id);
  }
}

const EMAIL = 'sam@contoso.example';
const REDIRECT = 'https://ext.chromiumapp.org/';
/** An extension's fetch sends an Origin header; Entra SPA redemption requires it. */
const extensionFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set('origin', 'chrome-extension://abcdefghijklmnopabcdefghijklmnop');
  return fetch(input, { ...init, headers });
};
const insecure = { allowInsecureRequests: true };

describe('TokenManager', () => {
  let idp: FakeOauthServer;
  let gmail: FakeGmailApi;
  let store: MemoryTokenStore;
  let clock: number;
  let manager: TokenManager;
  let flow: ReturnType<FakeOauthServer['webAuthFlow']>;
  let saved: (number | null)[];
  let idpSkewMs = 0;

  beforeEach(async () => {
    gmail = new FakeGmailApi({ now: () => clock });
    idp = new FakeOauthServer({
      provider: 'microsoft',
      apps: [{ clientId: 'app-id', platform: 'spa', redirectUris: [REDIRECT] }],
      now: () => clock + idpSkewMs,
      onAccessToken: (token, subject, _scope, expiresIn) =>
        gmail.issueAccessToken(subject, { token, expiresInMs: expiresIn * 1000 }),
    });
    clock = Date.now();
    idpSkewMs = 0;
    await idp.start();
    store = new MemoryTokenStore();
    saved = [];
    const config = withEndpoints(microsoftOAuthConfig({ clientId: 'app-id' }), {
      authorizationEndpoint: idp.authorizationEndpoint,
      tokenEndpoint: idp.tokenEndpoint,
    });
    flow = idp.webAuthFlow(REDIRECT, EMAIL);
    const options = { ...insecure, fetch: extensionFetch, now: () => clock };
    manager = new TokenManager({
      provider: 'outlook',
      store,
      refresh: (rt, refreshTokenExpiresAt) =>
        refreshTokens(config, rt, { ...options, refreshTokenExpiresAt }),
      renew: () => authorizeMailbox(config, flow, { ...options, silent: true, loginHint: EMAIL }),
      onSaved: (_id, tokens) => {
        saved.push(tokens.refreshTokenExpiresAt ?? null);
      },
      now: () => clock,
    });
    const tokens = await authorizeMailbox(config, flow, options);
    await manager.save('mbx', tokens);
  });
  afterEach(async () => {
    await idp.stop();
    await gmail.stop();
  });

  it('returns the stored token while it is fresh and refreshes ahead of expiry', async () => {
    const firstRefreshToken = (await store.get('mbx'))?.refreshToken;
    const first = await manager.getAccessToken('mbx');
    expect(await manager.getAccessToken('mbx')).toBe(first);
    expect(idp.counters.refreshGrants).toBe(0);
    clock += 3600_000 - 60_000; // one minute before expiry: inside the refresh-ahead margin
    const second = await manager.getAccessToken('mbx');
    expect(second).not.toBe(first);
    expect(idp.counters.refreshGrants).toBe(1);
    // Microsoft rotated the refresh token: the new one is stored and the old one is dead.
    const stored = await store.get('mbx');
    expect(stored?.refreshToken).toMatch(/^0\.AQ/);
    expect(stored?.refreshToken).not.toBe(firstRefreshToken);
    expect(stored?.expiresAt).toBe(clock + 3600_000);
  });

  it('shares one refresh between concurrent callers', async () => {
    clock += 3600_000;
    const tokens = await Promise.all(Array.from({ length: 5 }, () => manager.getAccessToken('mbx')));
    expect(new Set(tokens).size).toBe(1);
    expect(idp.counters.refreshGrants).toBe(1);
    expect(idp.counters.errors).toBe(0);
  });

  it('turns invalid_grant into MailboxAuthError without leaking tokens', async () => {
    const stored = await store.get('mbx');
    idp.revokeGrant(EMAIL);
    const error = await manager.getAccessToken('mbx', { forceRefresh: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailboxAuthError);
    expect(error).toMatchObject({ provider: 'outlook', mailboxId: 'mbx', reason: 'refresh_rejected' });
    expect((error as Error).message).not.toContain(stored!.refreshToken!);
    expect((error as Error).message).not.toContain(stored!.accessToken);
    await expect(manager.getAccessToken('unknown')).rejects.toMatchObject({ reason: 'no_credentials' });
  });

  it('keeps the provider’s code when consent was withdrawn (AADSTS65001), for the advice', async () => {
    idp.withdrawConsent(EMAIL);
    const error = await manager.getAccessToken('mbx', { forceRefresh: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'refresh_rejected', providerCode: 'AADSTS65001' });
    // The silent sign-in was tried and refused too (consent_required): the user is needed.
    expect(flow.launches.at(-1)).toMatchObject({ interactive: false });
    expect(toErrorInfo(error)).toEqual({
      kind: 'auth',
      message: (error as Error).message,
      source: 'outlook',
      providerCode: 'AADSTS65001',
    });
    expect(describeError(toErrorInfo(error), 'mailbox', { account: EMAIL }).text).toBe(
      `Microsoft no longer has consent to the app for this account (AADSTS65001; if the sign-in asks for an administrator, one must grant consent under API permissions in the Microsoft Entra admin center), so syncing is paused. Sign in to Microsoft again as ${EMAIL} to resume syncing; it continues where it stopped.`,
    );
  });

  it('lets an API client recover from a token the provider killed early', async () => {
    const baseUrl = await gmail.start();
    gmail.seedSentMessages(EMAIL, 1);
    const client = new GmailApiClient({
      mailboxId: 'mbx',
      baseUrl,
      getAccessToken: manager.accessTokenProvider('mbx'),
    });
    gmail.enqueueFault({ kind: 'tokenExpiry' });
    await expect(client.getProfile()).resolves.toMatchObject({ emailAddress: EMAIL });
    expect(idp.counters.refreshGrants).toBe(1);
    expect(gmail.counters.byStatus[401]).toBe(1);
  });

  it('renews an SPA sign-in silently before its 24 h run out, so the mailbox stays signed in', async () => {
    const signedInExpiry = (await store.get('mbx'))!.refreshTokenExpiresAt!;
    clock += 23 * 3600_000; // inside the 2 h renewal margin
    await manager.getAccessToken('mbx');
    expect(idp.counters.silentAuthorizations).toBe(1);
    expect(flow.launches.at(-1)?.interactive).toBe(false);
    const renewed = (await store.get('mbx'))!.refreshTokenExpiresAt!;
    expect(renewed).toBe(clock + 24 * 3600_000);
    expect(renewed).toBeGreaterThan(signedInExpiry);
    expect(saved.at(-1)).toBe(renewed);
    // A day later still fine: renewed again, never asked the user.
    clock += 23 * 3600_000;
    await manager.getAccessToken('mbx');
    expect(idp.counters.silentAuthorizations).toBe(2);
    expect(flow.launches.filter((l) => l.interactive)).toHaveLength(1);
  });

  it('keeps refreshing while a silent renewal fails, and needs the user only when the 24 h are over', async () => {
    idp.signOut();
    clock += 23 * 3600_000;
    await expect(manager.getAccessToken('mbx')).resolves.toBeTruthy();
    expect(idp.counters.silentAuthorizations).toBe(0);
    clock += 1 * 3600_000 + 1_000;
    const error = await manager.getAccessToken('mbx').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'MailboxAuthError', reason: 'refresh_rejected' });
    expect(idp.tokenErrors.at(-1)).toBe('invalid_grant');
  });

  it('a refresh token that died early (AADSTS700084) is replaced by a silent renewal', async () => {
    // The provider's clock says the 24 h are over while ours does not (clock skew, a sleeping laptop).
    idpSkewMs = 25 * 3600_000;
    const stored = (await store.get('mbx'))!;
    await store.set('mbx', { ...stored, expiresAt: 0 });
    await expect(manager.getAccessToken('mbx')).resolves.toBeTruthy();
    expect(idp.tokenErrors).toEqual(['invalid_grant']);
    expect(idp.counters.silentAuthorizations).toBe(1);
  });
});
