import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authorizeMailbox,
  buildAuthorizationUrl,
  exchangeCode,
  OAuthGrantError,
  refreshTokens,
} from '../../../lib/auth/OAuthClient';
import { googleOAuthConfig, microsoftOAuthConfig, withEndpoints } from '../../../lib/auth/OAuthProviders';
import { FakeOauthServer } from '../../fakes/FakeOauthServer';

const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';

describe('OAuth authorization code + PKCE', () => {
  let idp: FakeOauthServer;
  const insecure = { allowInsecureRequests: true };

  beforeEach(async () => {
    idp = new FakeOauthServer();
    await idp.start();
  });
  afterEach(() => idp.stop());

  const google = () =>
    withEndpoints(googleOAuthConfig({ clientId: 'client-123.apps.googleusercontent.com' }), {
      authorizationEndpoint: idp.authorizationEndpoint,
      tokenEndpoint: idp.tokenEndpoint,
    });

  it('builds a Google authorization URL with an S256 challenge, state and offline access', async () => {
    const pending = await buildAuthorizationUrl(googleOAuthConfig({ clientId: 'cid' }), REDIRECT, {
      loginHint: 'sam@seller.example',
    });
    const url = new URL(pending.url);
    expect(url.origin + url.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    const p = url.searchParams;
    expect(p.get('response_type')).toBe('code');
    expect(p.get('client_id')).toBe('cid');
    expect(p.get('redirect_uri')).toBe(REDIRECT);
    expect(p.get('scope')).toBe('https://www.googleapis.com/auth/gmail.readonly');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toBe(
      createHash('sha256').update(pending.codeVerifier).digest('base64url'),
    );
    expect(p.get('state')).toBe(pending.state);
    expect(pending.state.length).toBeGreaterThanOrEqual(20);
    expect(p.get('access_type')).toBe('offline');
    expect(p.get('login_hint')).toBe('sam@seller.example');
    const again = await buildAuthorizationUrl(googleOAuthConfig({ clientId: 'cid' }), REDIRECT);
    expect(again.state).not.toBe(pending.state);
    expect(again.codeVerifier).not.toBe(pending.codeVerifier);
  });

  it('builds a Microsoft URL for the configured tenant with the least scopes', async () => {
    const config = microsoftOAuthConfig({ clientId: 'app-id', tenant: 'contoso.onmicrosoft.com' });
    const url = new URL((await buildAuthorizationUrl(config, REDIRECT)).url);
    expect(url.origin + url.pathname).toBe(
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize',
    );
    expect(url.searchParams.get('scope')?.split(' ')).toEqual([
      'offline_access',
      'https://graph.microsoft.com/Mail.Read',
      'https://graph.microsoft.com/User.Read',
    ]);
    expect(config.tokenEndpoint).toBe(
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
    );
    expect(microsoftOAuthConfig({ clientId: 'x', tenant: '' }).authorizationEndpoint).toContain('/common/');
  });

  it('runs the flow through an injected launchWebAuthFlow and redeems the code with the verifier', async () => {
    const launched: string[] = [];
    const tokens = await authorizeMailbox(
      google(),
      {
        getRedirectUrl: () => REDIRECT,
        launch: async (url) => {
          launched.push(url);
          return idp.consent(url);
        },
      },
      insecure,
    );
    expect(launched).toHaveLength(1);
    expect(tokens.accessToken).toMatch(/^ya29\./);
    expect(tokens.refreshToken).toMatch(/^1\/\/0g/);
    expect(tokens.expiresAt).toBeGreaterThan(Date.now() + 3_500_000);
    expect(tokens.scopes).toEqual(['https://www.googleapis.com/auth/gmail.readonly']);
    expect(idp.counters.codeGrants).toBe(1);

    const refreshed = await refreshTokens(google(), tokens.refreshToken!, insecure);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(refreshed.refreshToken).toBeNull();
  });

  it('rejects a redirect whose state does not match, and reports a denied consent', async () => {
    const pending = await buildAuthorizationUrl(google(), REDIRECT);
    const forged = new URL(idp.consent(pending.url));
    forged.searchParams.set('state', 'attacker');
    await expect(exchangeCode(google(), pending, forged.href, insecure)).rejects.toThrow();
    expect(idp.counters.codeGrants).toBe(0);

    const denied = await buildAuthorizationUrl(google(), REDIRECT);
    const error = await exchangeCode(google(), denied, idp.deny(denied.url), insecure).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OAuthGrantError);
    expect((error as OAuthGrantError).error).toBe('access_denied');
  });

  it('fails the exchange when the verifier does not match the challenge', async () => {
    const pending = await buildAuthorizationUrl(google(), REDIRECT);
    const callback = idp.consent(pending.url);
    const error = await exchangeCode(
      google(),
      { ...pending, codeVerifier: 'x'.repeat(43) },
      callback,
      insecure,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'OAuthGrantError', error: 'invalid_grant' });
  });
});
