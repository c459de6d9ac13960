import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildAuthorizationUrl,
  exchangeCode,
  OAuthGrantError,
  refreshTokens,
} from '../../lib/auth/OAuthClient';
import {
  googleOAuthConfig,
  microsoftOAuthConfig,
  type OAuthProviderConfig,
  tokenExchangeEndpoint,
  withEndpoints,
} from '../../lib/auth/OAuthProviders';
import { ErrorBody } from '../../lib/crm/contract';
import { hubspotOAuthConfig } from '../../lib/crm/vendors/hubspot/hubspotOAuth';
import { ExtensionError } from '../../lib/errors/ErrorInfo';
import type { CrmRepository } from '../../server/CrmRepository';
import { createCrmApp } from '../../server/createCrmApp';
import { OAuthExchangeEnv, oauthExchangeConfigFromEnv } from '../../server/oauth/OAuthExchangeConfig';
import { type CrmServerHandle, startCrmServer } from '../../server/startCrmServer';
import { EXTENSION_ORIGIN, extensionFetch } from '../fakes/extensionFetch';
import { FakeOauthServer } from '../fakes/FakeOauthServer';
import { freshPgliteDataDir } from './freshPgliteDataDir';
import { checkEveryResponseAgainstOpenApi } from './openApiResponseCheck';

checkEveryResponseAgainstOpenApi();

/**
 * The token exchange (`POST /oauth/{provider}/token`) against the strict fake token
 * endpoints: Google's "Web application" client and Entra's "Web" registration refuse any
 * exchange or refresh without the secret, Entra refuses a "Web" redemption that carries an
 * Origin header, HubSpot needs the secret for both grants. The extension's own OAuth client
 * (lib/auth/OAuthClient) talks to the server exactly as it does in the browser.
 */
const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const GOOGLE = {
  clientId: 'web-client.apps.googleusercontent.com',
  clientSecret: 'GOCSPX-server0only0secret00',
};
const MICROSOFT = {
  clientId: '11111111-2222-3333-4444-555555555555',
  clientSecret: 'Qx8Q~server~only~secret~value00',
};
const HUBSPOT = { clientId: 'aaaa-bbbb-cccc', clientSecret: 'hubspot-server-only-secret-0000' };
const SECRETS = [GOOGLE.clientSecret, MICROSOFT.clientSecret, HUBSPOT.clientSecret];

describe('token exchange on the reference server', () => {
  let now = Date.UTC(2026, 11, 2, 9);
  const clock = () => now;
  const google = new FakeOauthServer({
    provider: 'google',
    clients: [{ ...GOOGLE, redirectUris: [REDIRECT] }],
    autoConsentSubject: 'sam@seller.example',
  });
  const entra = new FakeOauthServer({
    provider: 'microsoft',
    apps: [{ ...MICROSOFT, platform: 'web', redirectUris: [REDIRECT] }],
    autoConsentSubject: 'sam@seller.example',
    now: clock,
  });
  const hubspot = new FakeOauthServer({
    provider: 'hubspot',
    apps: [{ ...HUBSPOT, redirectUris: [REDIRECT], hubId: 7_777 }],
    autoConsentSubject: 'sam@seller.example',
  });
  const logs: string[] = [];
  let crm: CrmServerHandle;
  let dataDir: string;

  beforeAll(async () => {
    await Promise.all([google.start(), entra.start(), hubspot.start()]);
    dataDir = await freshPgliteDataDir('crm-oauth');
    // The same path `npm run crm` takes: the environment, parsed.
    const config = oauthExchangeConfigFromEnv(
      OAuthExchangeEnv.parse({
        GOOGLE_CLIENT_ID: GOOGLE.clientId,
        GOOGLE_CLIENT_SECRET: GOOGLE.clientSecret,
        GOOGLE_TOKEN_URL: google.tokenEndpoint,
        MICROSOFT_CLIENT_ID: MICROSOFT.clientId,
        MICROSOFT_CLIENT_SECRET: MICROSOFT.clientSecret,
        MICROSOFT_TOKEN_URL: entra.tokenEndpoint,
        HUBSPOT_CLIENT_ID: HUBSPOT.clientId,
        HUBSPOT_CLIENT_SECRET: HUBSPOT.clientSecret,
        HUBSPOT_TOKEN_URL: hubspot.tokenEndpoint,
      }),
    );
    crm = await startCrmServer({ dataDir, port: 0, oauthExchange: config, log: (line) => logs.push(line) });
  });
  afterAll(async () => {
    await crm?.close();
    await Promise.all([google.stop(), entra.stop(), hubspot.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A provider config as the extension builds it with a token exchange URL set. */
  const throughServer = (config: OAuthProviderConfig, idp: FakeOauthServer): OAuthProviderConfig => ({
    ...withEndpoints(config, {
      authorizationEndpoint: idp.authorizationEndpoint,
      tokenEndpoint: tokenExchangeEndpoint(crm.url, config.provider),
    }),
  });
  const signIn = async (config: OAuthProviderConfig, idp: FakeOauthServer) => {
    const pending = await buildAuthorizationUrl(config, REDIRECT);
    const callback = idp.consent(pending.url);
    return exchangeCode(config, pending, callback, {
      fetch: extensionFetch,
      allowInsecureRequests: true,
      now: clock,
    });
  };

  it('Google: the exchange and every refresh carry the secret the browser never had', async () => {
    const config = throughServer(googleOAuthConfig({ clientId: GOOGLE.clientId }), google);
    expect(config.clientSecret).toBeUndefined();
    const tokens = await signIn(config, google);
    expect(tokens.accessToken).toMatch(/^ya29\./);
    expect(tokens.refreshToken).toMatch(/^1\/\/0g/);
    const refreshed = await refreshTokens(config, tokens.refreshToken!, {
      fetch: extensionFetch,
      allowInsecureRequests: true,
    });
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(google.counters).toMatchObject({ codeGrants: 1, refreshGrants: 1, errors: 0 });
    for (const { form } of google.tokenRequests) expect(form.get('client_secret')).toBe(GOOGLE.clientSecret);
  });

  it('Google: the same request sent to Google without the server is refused (invalid_request)', async () => {
    const config = withEndpoints(googleOAuthConfig({ clientId: GOOGLE.clientId }), {
      authorizationEndpoint: google.authorizationEndpoint,
      tokenEndpoint: google.tokenEndpoint,
    });
    const error = await signIn(config, google).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthGrantError);
    expect(error).toMatchObject({ error: 'invalid_request', description: 'client_secret is missing.' });
  });

  it("Google's refusal passes through with its status and documented body", async () => {
    const res = await fetch(tokenExchangeEndpoint(crm.url, 'gmail'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: EXTENSION_ORIGIN },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: '1//0gnot-a-real-one' }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('access-control-allow-origin')).toBe(EXTENSION_ORIGIN);
    expect(await res.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Token has been expired or revoked.',
    });
  });

  it('Microsoft: a confidential "Web" registration redeems from the server (no Origin) and is not held to 24 h', async () => {
    const config = throughServer(microsoftOAuthConfig({ clientId: MICROSOFT.clientId }), entra);
    const tokens = await signIn(config, entra);
    // Server-side requests carry no Origin header, as Entra requires for a non-SPA client.
    expect(entra.tokenRequests.at(-1)?.origin).toBeUndefined();
    expect(entra.tokenRequests.at(-1)?.form.get('client_secret')).toBe(MICROSOFT.clientSecret);
    // Two days later (an SPA refresh token would have died after 24 h: AADSTS700084).
    now += 48 * 60 * 60_000;
    const refreshed = await refreshTokens({ ...config, refreshTokenLifetimeMs: null }, tokens.refreshToken!, {
      fetch: extensionFetch,
      allowInsecureRequests: true,
      now: clock,
    });
    expect(refreshed.accessToken).toBeTruthy();
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    expect(entra.counters.errors).toBe(0);
  });

  it('Microsoft: the browser cannot redeem a "Web" code itself (AADSTS9002326, then AADSTS7000218)', async () => {
    const direct = withEndpoints(microsoftOAuthConfig({ clientId: MICROSOFT.clientId }), {
      authorizationEndpoint: entra.authorizationEndpoint,
      tokenEndpoint: entra.tokenEndpoint,
    });
    const crossOrigin = await signIn(direct, entra).catch((e: unknown) => e);
    expect(crossOrigin).toMatchObject({ error: 'invalid_request' });
    expect((crossOrigin as OAuthGrantError).description).toContain('AADSTS9002326');
    // Without an Origin (a native client) the secret is still missing.
    const pending = await buildAuthorizationUrl(direct, REDIRECT);
    const noSecret = await exchangeCode(direct, pending, entra.consent(pending.url), {
      allowInsecureRequests: true,
    }).catch((e: unknown) => e);
    expect(noSecret).toMatchObject({ error: 'invalid_client' });
    expect((noSecret as OAuthGrantError).description).toContain('AADSTS7000218');
  });

  it('HubSpot: per-rep sign-in and refresh through the server; a dead refresh token is invalid_grant', async () => {
    const config = throughServer(
      hubspotOAuthConfig({ clientId: HUBSPOT.clientId, tokenExchangeUrl: crm.url }),
      hubspot,
    );
    const tokens = await signIn(config, hubspot);
    expect(tokens.expiresAt - now).toBe(1_800_000);
    expect(tokens.scopes).toContain('crm.objects.contacts.read');
    const refreshed = await refreshTokens(config, tokens.refreshToken!, {
      fetch: extensionFetch,
      allowInsecureRequests: true,
    });
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    // Not rotated: the extension keeps the one it has.
    expect(refreshed.refreshToken).toBe(tokens.refreshToken);
    const dead = await refreshTokens(config, 'na1-revoked', {
      fetch: extensionFetch,
      allowInsecureRequests: true,
    }).catch((e: unknown) => e);
    expect(dead).toBeInstanceOf(OAuthGrantError);
    expect(dead).toMatchObject({
      error: 'invalid_grant',
      description: 'refresh token is invalid, expired or revoked',
    });
    for (const { form } of hubspot.tokenRequests)
      expect(form.get('client_secret')).toBe(HUBSPOT.clientSecret);
  });

  it('a server on this machine is reached over http://127.0.0.1; any other host must be https', async () => {
    const config = throughServer(googleOAuthConfig({ clientId: GOOGLE.clientId }), google);
    expect(config.tokenEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:/);
    const pending = await buildAuthorizationUrl(config, REDIRECT);
    // No allowInsecureRequests: what the extension does in production.
    const tokens = await exchangeCode(config, pending, google.consent(pending.url), {
      fetch: extensionFetch,
    });
    expect(tokens.accessToken).toMatch(/^ya29\./);
    const remote = { ...config, tokenEndpoint: 'http://exchange.example/oauth/google/token' };
    await expect(refreshTokens(remote, tokens.refreshToken!, { fetch: extensionFetch })).rejects.toThrow(
      'only requests to HTTPS are allowed',
    );
  });

  it('refuses a client id other than the one it holds the secret for', async () => {
    const config = throughServer(
      googleOAuthConfig({ clientId: 'someone-else.apps.googleusercontent.com' }),
      google,
    );
    google.registerRedirectUri(GOOGLE.clientId, REDIRECT);
    const res = await fetch(tokenExchangeEndpoint(crm.url, 'gmail'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: 'x',
        client_id: config.clientId,
      }),
    });
    expect(res.status).toBe(400);
    expect(ErrorBody.parse(await res.json()).error).toMatchObject({
      code: 'client_mismatch',
      details: { expectedClientId: GOOGLE.clientId },
    });
  });

  it('never writes a secret, code, verifier or token to its log or its answers', async () => {
    const config = throughServer(googleOAuthConfig({ clientId: GOOGLE.clientId }), google);
    const tokens = await signIn(config, google);
    const seen = [...logs].join('\n');
    for (const secret of SECRETS) expect(seen).not.toContain(secret);
    expect(seen).not.toContain(tokens.accessToken);
    expect(seen).not.toContain(tokens.refreshToken!);
    expect(seen).not.toMatch(/code_verifier|refresh_token|4\/0A/);
    expect(logs.some((line) => line.includes('"path":"/oauth/google/token"'))).toBe(true);
  });
});

describe('token exchange: off, hostile input, limits', () => {
  const idp = new FakeOauthServer({ provider: 'google', clients: [{ ...GOOGLE, redirectUris: [REDIRECT] }] });
  beforeAll(() => idp.start().then(() => undefined));
  afterAll(() => idp.stop());
  // The routes never touch the CRM's storage.
  const repository = {} as CrmRepository;
  const app = (requestsPerMinute = 1_000, fetchProvider?: typeof fetch) =>
    createCrmApp({
      repository,
      oauthExchange: {
        config: { clients: { google: { ...GOOGLE, tokenUrl: idp.tokenEndpoint } }, requestsPerMinute },
        fetch: fetchProvider,
      },
    });
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const refresh = form({ grant_type: 'refresh_token', refresh_token: '1//0gsomething' });

  it('is off without a provider secret: 404 in the error shape, naming what to set', async () => {
    expect(oauthExchangeConfigFromEnv(OAuthExchangeEnv.parse({ GOOGLE_CLIENT_ID: 'only-an-id' }))).toBeNull();
    const off = createCrmApp({ repository });
    const res = await off.request('/oauth/google/token', refresh);
    expect(res.status).toBe(404);
    expect(ErrorBody.parse(await res.json()).error).toEqual({
      code: 'not_found',
      message:
        'this server does not exchange google codes: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET in its environment',
    });
    const unknown = await app().request('/oauth/github/token', refresh);
    expect(unknown.status).toBe(404);
    // Only configured providers answer.
    expect((await app().request('/oauth/hubspot/token', refresh)).status).toBe(404);
  });

  it('a secret without its client id is a configuration error naming the variable, not the value', () => {
    expect(() =>
      oauthExchangeConfigFromEnv(OAuthExchangeEnv.parse({ HUBSPOT_CLIENT_SECRET: HUBSPOT.clientSecret })),
    ).toThrow('HUBSPOT_CLIENT_SECRET is set but HUBSPOT_CLIENT_ID is not');
  });

  it('refuses what is not an RFC 6749 token request', async () => {
    const exchange = app();
    const status = async (init: RequestInit) => {
      const res = await exchange.request('/oauth/google/token', init);
      return { status: res.status, code: ErrorBody.parse(await res.json()).error.code };
    };
    expect(
      await status({
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"grant_type":"refresh_token"}',
      }),
    ).toEqual({ status: 415, code: 'unsupported_media_type' });
    expect(await status(form({ grant_type: 'password', username: 'a', password: 'b' }))).toEqual({
      status: 400,
      code: 'invalid_request',
    });
    // A verifier that is not RFC 7636 (too short), a redirect URI that is not a URL.
    expect(
      await status(
        form({ grant_type: 'authorization_code', code: 'c', code_verifier: 'short', redirect_uri: REDIRECT }),
      ),
    ).toEqual({ status: 400, code: 'invalid_request' });
    expect(
      await status(
        form({
          grant_type: 'authorization_code',
          code: 'c',
          code_verifier: 'v'.repeat(43),
          redirect_uri: 'javascript:x',
        }),
      ),
    ).toEqual({ status: 400, code: 'invalid_request' });
    expect(
      await status({
        ...refresh,
        body: 'grant_type=refresh_token&refresh_token=a&refresh_token=b',
      }),
    ).toEqual({ status: 400, code: 'invalid_request' });
    expect(
      await status({ ...refresh, body: `grant_type=refresh_token&refresh_token=${'a'.repeat(17_000)}` }),
    ).toEqual({
      status: 413,
      code: 'payload_too_large',
    });
    expect(idp.counters.refreshGrants + idp.counters.errors).toBe(0);
  });

  it('limits requests per address and provider, with Retry-After', async () => {
    const limited = app(3);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await limited.request('/oauth/google/token', refresh)).status);
    expect(statuses).toEqual([400, 400, 400, 429]);
    const res = await limited.request('/oauth/google/token', refresh);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(ErrorBody.parse(await res.json()).error.code).toBe('rate_limited');
  });

  it('a provider that does not answer, or answers nonsense, is 504 / 502 without the secret', async () => {
    const down = app(1_000, async () => {
      throw new TypeError(`fetch failed for client_secret=${GOOGLE.clientSecret}`);
    });
    const res = await down.request('/oauth/google/token', refresh);
    expect(res.status).toBe(504);
    const body = await res.text();
    expect(body).not.toContain(GOOGLE.clientSecret);
    const html = app(1_000, async () => new Response('<html>502 Bad Gateway</html>', { status: 502 }));
    const bad = await html.request('/oauth/google/token', refresh);
    expect(bad.status).toBe(502);
    expect(ErrorBody.parse(await bad.json()).error).toMatchObject({
      code: 'bad_gateway',
      details: { providerStatus: 502 },
    });
    const noToken = app(1_000, async () => Response.json({ token_type: 'Bearer' }));
    expect((await noToken.request('/oauth/google/token', refresh)).status).toBe(502);
  });

  it('the extension reads the exchange’s own refusals as one of its error kinds', async () => {
    const off = createCrmApp({ repository, allowedHosts: ['exchange.test'] });
    const config = withEndpoints(googleOAuthConfig({ clientId: GOOGLE.clientId }), {
      authorizationEndpoint: idp.authorizationEndpoint,
      tokenEndpoint: 'http://exchange.test/oauth/google/token',
    });
    const error = await refreshTokens(config, '1//0gx', {
      fetch: (input, init) => Promise.resolve(off.request(String(input), init as RequestInit)),
      allowInsecureRequests: true,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtensionError);
    expect(error).toMatchObject({ kind: 'not_configured' });
    expect((error as Error).message).toContain('GOOGLE_CLIENT_SECRET');
  });

  it('answers CORS only to extension origins', async () => {
    const preflight = (origin: string) =>
      app().request('/oauth/google/token', {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
      });
    expect((await preflight(EXTENSION_ORIGIN)).headers.get('access-control-allow-origin')).toBe(
      EXTENSION_ORIGIN,
    );
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
