import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailboxAuthError } from '../../../lib/auth/MailboxAuthError';
import { authorizeMailbox, refreshTokens } from '../../../lib/auth/OAuthClient';
import { microsoftOAuthConfig, withEndpoints } from '../../../lib/auth/OAuthProviders';
import { type StoredTokens, TokenManager, type TokenStore } from '../../../lib/auth/TokenManager';
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
const insecure = { allowInsecureRequests: true };

describe('TokenManager', () => {
  let idp: FakeOauthServer;
  let gmail: FakeGmailApi;
  let store: MemoryTokenStore;
  let clock: number;
  let manager: TokenManager;

  beforeEach(async () => {
    gmail = new FakeGmailApi({ now: () => clock });
    idp = new FakeOauthServer({
      rotateRefreshTokens: true,
      onAccessToken: (token, subject, _scope, expiresIn) =>
        gmail.issueAccessToken(subject, { token, expiresInMs: expiresIn * 1000 }),
    });
    await idp.start();
    clock = Date.now();
    store = new MemoryTokenStore();
    const config = withEndpoints(microsoftOAuthConfig({ clientId: 'app-id' }), {
      authorizationEndpoint: idp.authorizationEndpoint,
      tokenEndpoint: idp.tokenEndpoint,
    });
    manager = new TokenManager({
      provider: 'outlook',
      store,
      refresh: (rt) => refreshTokens(config, rt, { ...insecure, now: () => clock }),
      now: () => clock,
    });
    const tokens = await authorizeMailbox(
      config,
      {
        getRedirectUrl: () => 'https://ext.chromiumapp.org/',
        launch: async (url) => idp.consent(url, EMAIL),
      },
      { ...insecure, now: () => clock },
    );
    await manager.save('mbx', tokens);
  });
  afterEach(async () => {
    await idp.stop();
    await gmail.stop();
  });

  it('returns the stored token while it is fresh and refreshes ahead of expiry', async () => {
    const first = await manager.getAccessToken('mbx');
    expect(await manager.getAccessToken('mbx')).toBe(first);
    expect(idp.counters.refreshGrants).toBe(0);
    clock += 3600_000 - 60_000; // one minute before expiry: inside the refresh-ahead margin
    const second = await manager.getAccessToken('mbx');
    expect(second).not.toBe(first);
    expect(idp.counters.refreshGrants).toBe(1);
    // Microsoft rotated the refresh token: the new one is stored and the old one is dead.
    const stored = await store.get('mbx');
    expect(stored?.refreshToken).toMatch(/^M\.C5/);
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
});
