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
import { describeError } from '../../../lib/errors/describeError';
import { ExtensionError } from '../../../lib/errors/ErrorInfo';
import { toErrorInfo } from '../../../lib/errors/toErrorInfo';
import { extensionFetch } from '../../fakes/extensionFetch';
import { FakeOauthServer } from '../../fakes/FakeOauthServer';

const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const GOOGLE_CLIENT = 'client-123.apps.googleusercontent.com';
// The shape of a Google client secret ("GOCSPX-" prefix), made up.
const GOOGLE_SECRET = 'GOCSPX-fake0secret0for0tests00';

describe('OAuth authorization code + PKCE', () => {
  let idp: FakeOauthServer;
  const insecure = { allowInsecureRequests: true };

  beforeEach(async () => {
    idp = new FakeOauthServer({
      provider: 'google',
      clients: [{ clientId: GOOGLE_CLIENT, clientSecret: GOOGLE_SECRET, redirectUris: [REDIRECT] }],
    });
    await idp.start();
  });
  afterEach(() => idp.stop());

  const google = (clientSecret: string | undefined = GOOGLE_SECRET) =>
    withEndpoints(googleOAuthConfig({ clientId: GOOGLE_CLIENT, ...(clientSecret ? { clientSecret } : {}) }), {
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

  it('Google: a Web application client is refused without its secret, at the exchange and at refresh', async () => {
    const flow = idp.webAuthFlow(REDIRECT, 'sam@seller.example');
    const withoutSecret = await authorizeMailbox(google(''), flow, insecure).catch((e: unknown) => e);
    expect(withoutSecret).toMatchObject({
      name: 'OAuthGrantError',
      error: 'invalid_request',
      description: 'client_secret is missing.',
    });
    const wrongSecret = await authorizeMailbox(google('GOCSPX-wrong'), flow, insecure).catch(
      (e: unknown) => e,
    );
    expect(wrongSecret).toMatchObject({ name: 'OAuthGrantError', error: 'invalid_client' });

    const tokens = await authorizeMailbox(google(), flow, insecure);
    expect(tokens.refreshToken).toMatch(/^1\/\/0g/);
    expect(tokens.refreshTokenExpiresAt).toBeNull();
    await expect(refreshTokens(google(''), tokens.refreshToken!, insecure)).rejects.toMatchObject({
      error: 'invalid_request',
    });
    await expect(refreshTokens(google(), tokens.refreshToken!, insecure)).resolves.toMatchObject({
      refreshToken: null,
    });
    expect(idp.tokenErrors).toEqual(['invalid_request', 'invalid_client', 'invalid_request']);
  });

  it('Google: a wrong secret, an unknown client id and a redirect URI changed before the exchange are worded as the OAuth client to fix', async () => {
    const flow = idp.webAuthFlow(REDIRECT, 'sam@seller.example');
    const wrongSecret = await authorizeMailbox(google('GOCSPX-wrong'), flow, insecure).catch(
      (e: unknown) => e,
    );
    expect(toErrorInfo(wrongSecret)).toMatchObject({
      kind: 'not_configured',
      source: 'gmail',
      providerCode: 'invalid_client',
      redirectUri: REDIRECT,
    });
    expect(describeError(toErrorInfo(wrongSecret), 'mailbox').title).toBe('Google refused the OAuth client');
    const unknownClient = await refreshTokens(
      { ...google(), clientId: 'other.apps.googleusercontent.com' },
      '1//0g-none',
      insecure,
    ).catch((e: unknown) => e);
    expect(unknownClient).toMatchObject({
      error: 'invalid_client',
      description: 'The OAuth client was not found.',
    });
    expect(toErrorInfo(unknownClient)).toMatchObject({
      kind: 'not_configured',
      providerCode: 'invalid_client',
    });

    const pending = await buildAuthorizationUrl(google(), REDIRECT);
    const callback = idp.consent(pending.url, 'sam@seller.example');
    const other = 'https://zyxwvutsrqponmlkzyxwvutsrqponmlk.chromiumapp.org/';
    const mismatch = await exchangeCode(
      google(),
      { ...pending, redirectUri: other },
      callback,
      insecure,
    ).catch((e: unknown) => e);
    expect(mismatch).toMatchObject({ error: 'redirect_uri_mismatch' });
    expect(toErrorInfo(mismatch)).toMatchObject({
      kind: 'not_configured',
      providerCode: 'redirect_uri_mismatch',
      redirectUri: other,
    });
    expect(describeError(toErrorInfo(mismatch), 'mailbox').text).toContain(
      `add ${other} under “Authorized redirect URIs”`,
    );
  });

  it('a declined consent (access_denied) and a closed window are cancellations that name the redirect URI', async () => {
    const denied = await buildAuthorizationUrl(google(), REDIRECT);
    const error = await exchangeCode(google(), denied, idp.deny(denied.url), insecure).catch(
      (e: unknown) => e,
    );
    expect(toErrorInfo(error)).toMatchObject({ kind: 'cancelled', source: 'gmail', redirectUri: REDIRECT });
    // What the background's launchWebAuthFlow wrapper throws for a window the user closed.
    const closed = await authorizeMailbox(
      google(),
      {
        getRedirectUrl: () => REDIRECT,
        launch: async () => {
          throw new ExtensionError('cancelled', 'The sign-in window was closed before it finished.');
        },
      },
      insecure,
    ).catch((e: unknown) => e);
    expect(toErrorInfo(closed)).toEqual({
      kind: 'cancelled',
      message: 'The sign-in window was closed before it finished.',
      source: 'gmail',
      redirectUri: REDIRECT,
    });
    expect(describeError(toErrorInfo(closed), 'mailbox').text).toContain(
      `must list ${REDIRECT} as a redirect URI`,
    );
  });

  it('Google: the redirect URI must be one registered for the client', async () => {
    const flow = idp.webAuthFlow('https://other.chromiumapp.org/', 'sam@seller.example');
    await expect(authorizeMailbox(google(), flow, insecure)).rejects.toThrow(/redirect_uri_mismatch/);
    expect(idp.counters.codeGrants).toBe(0);
  });
});

describe('OAuth against the Microsoft identity platform rules', () => {
  const APP = '00000000-0000-0000-0000-0000000000aa';
  const NATIVE_APP = '00000000-0000-0000-0000-0000000000bb';
  let idp: FakeOauthServer;
  let clock: number;
  const insecure = { allowInsecureRequests: true, now: () => clock };

  beforeEach(async () => {
    clock = Date.parse('2026-03-02T09:00:00Z');
    idp = new FakeOauthServer({
      provider: 'microsoft',
      now: () => clock,
      apps: [
        { clientId: APP, platform: 'spa', redirectUris: [REDIRECT] },
        { clientId: NATIVE_APP, platform: 'mobileDesktop', redirectUris: [REDIRECT] },
      ],
    });
    await idp.start();
  });
  afterEach(() => idp.stop());

  const microsoft = (clientId = APP) =>
    withEndpoints(microsoftOAuthConfig({ clientId }), {
      authorizationEndpoint: idp.authorizationEndpoint,
      tokenEndpoint: idp.tokenEndpoint,
    });

  it('refuses an extension (Origin header) redeeming for a "Mobile and desktop" registration: AADSTS9002326', async () => {
    const error = await authorizeMailbox(
      microsoft(NATIVE_APP),
      idp.webAuthFlow(REDIRECT, 'sam@contoso.example'),
      {
        ...insecure,
        fetch: extensionFetch,
      },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'OAuthGrantError', error: 'invalid_request' });
    expect((error as Error).message).toContain('AADSTS9002326');
    // The person connecting reads what to change in the app registration, as Microsoft's.
    expect(toErrorInfo(error)).toMatchObject({
      kind: 'not_configured',
      source: 'outlook',
      providerCode: 'AADSTS9002326',
    });
    const wording = describeError(toErrorInfo(error), 'mailbox');
    expect(wording.text).toContain(`add ${REDIRECT} under “Single-page application”`);
    expect(toErrorInfo(error)).toMatchObject({ redirectUri: REDIRECT });
    expect(wording.text).toContain('redirect URI');
    expect(wording.text).not.toMatch(/CRM|token/i);
  });

  it('an unknown application (AADSTS700016) and a changed redirect URI (AADSTS50011) are worded as the registration to fix', async () => {
    const unknown = await refreshTokens(microsoft('00000000-0000-0000-0000-0000000000cc'), '0.AQ-none', {
      ...insecure,
      fetch: extensionFetch,
    }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ error: 'unauthorized_client' });
    expect(toErrorInfo(unknown)).toMatchObject({
      kind: 'not_configured',
      source: 'outlook',
      providerCode: 'AADSTS700016',
    });
    expect(describeError(toErrorInfo(unknown), 'mailbox').title).toBe(
      'Microsoft does not know this application',
    );

    const pending = await buildAuthorizationUrl(microsoft(), REDIRECT);
    const callback = idp.consent(pending.url, 'sam@contoso.example');
    const other = 'https://zyxwvutsrqponmlkzyxwvutsrqponmlk.chromiumapp.org/';
    const mismatch = await exchangeCode(microsoft(), { ...pending, redirectUri: other }, callback, {
      ...insecure,
      fetch: extensionFetch,
    }).catch((e: unknown) => e);
    // Entra names AADSTS70002 first and the redirect mismatch second; the advice is keyed by the second.
    expect((mismatch as OAuthGrantError).aadstsCodes).toEqual(['AADSTS70002', 'AADSTS50011']);
    expect(toErrorInfo(mismatch)).toMatchObject({
      kind: 'not_configured',
      providerCode: 'AADSTS50011',
      redirectUri: other,
    });
    expect(describeError(toErrorInfo(mismatch), 'mailbox').text).toContain(`add ${other} exactly`);
  });

  it('an SPA registration signs in from the extension; its refresh token runs out 24 h after sign-in', async () => {
    const options = { ...insecure, fetch: extensionFetch };
    const tokens = await authorizeMailbox(
      microsoft(),
      idp.webAuthFlow(REDIRECT, 'sam@contoso.example'),
      options,
    );
    expect(tokens.refreshTokenExpiresAt).toBe(clock + 24 * 3600_000);
    const signedInAt = clock;
    clock += 20 * 3600_000;
    const rotated = await refreshTokens(microsoft(), tokens.refreshToken!, {
      ...options,
      refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
    });
    // Rotation carries the original expiry over.
    expect(rotated.refreshToken).not.toBe(tokens.refreshToken);
    expect(rotated.refreshTokenExpiresAt).toBe(signedInAt + 24 * 3600_000);
    clock = signedInAt + 24 * 3600_000 + 1;
    const expired = await refreshTokens(microsoft(), rotated.refreshToken!, options).catch((e: unknown) => e);
    expect(expired).toMatchObject({ name: 'OAuthGrantError', error: 'invalid_grant' });
    expect((expired as Error).message).toContain('AADSTS700084');
  });

  it('renews silently with prompt=none while the session lasts, and says login_required after it', async () => {
    const flow = idp.webAuthFlow(REDIRECT, 'sam@contoso.example');
    const options = { ...insecure, fetch: extensionFetch };
    await authorizeMailbox(microsoft(), flow, options);
    const renewed = await authorizeMailbox(microsoft(), flow, {
      ...options,
      silent: true,
      loginHint: 'sam@contoso.example',
    });
    expect(renewed.accessToken).toBeTruthy();
    expect(flow.launches.at(-1)).toMatchObject({ interactive: false });
    expect(new URL(flow.launches.at(-1)!.url).searchParams.get('prompt')).toBe('none');
    idp.signOut();
    const error = await authorizeMailbox(microsoft(), flow, { ...options, silent: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'OAuthGrantError', error: 'login_required' });
  });
});
