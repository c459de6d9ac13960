import * as oauth from 'oauth4webapi';
import { ErrorBody } from '../crm/contract';
import { type ErrorKind, ExtensionError } from '../errors/ErrorInfo';
import type { OAuthProviderConfig } from './OAuthProviders';
import { ProviderErrorResponse } from './tokenExchangeContract';

/** Tokens as the rest of the extension keeps them. */
export interface OAuthTokens {
  accessToken: string;
  /** Null when the provider did not rotate it (Google refreshes); keep the previous one then. */
  refreshToken: string | null;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms after which the refresh token is refused (Entra SPA: 24 h after sign-in); null: none known. */
  refreshTokenExpiresAt: number | null;
  scopes: string[];
}

/** What must be kept between opening the consent page and receiving the redirect. */
export interface PendingAuthorization {
  url: string;
  state: string;
  codeVerifier: string;
  redirectUri: string;
}

/**
 * The provider answered with an OAuth error (`invalid_grant`, `access_denied`, ...). The
 * message carries the error code and description only, never a token.
 */
export class OAuthGrantError extends Error {
  override readonly name = 'OAuthGrantError';
  constructor(
    readonly error: string,
    readonly description: string | undefined,
    /** Whose sign-in answered, so the refusal is worded for that mailbox (or the CRM's: HubSpot, Salesforce). */
    readonly provider?: OAuthProviderConfig['provider'] | 'salesforce',
    /** The redirect URI of the sign-in that was refused, for advice on the app registration. */
    readonly redirectUri?: string,
  ) {
    super(`OAuth error ${error}${description ? `: ${description}` : ''}`);
  }

  /**
   * Entra's AADSTS codes in the description, in order: it starts each error_description
   * with one (v2-oauth2-auth-code-flow, "Error response") and sometimes names a second, as
   * in "AADSTS70002: Error validating credentials. AADSTS50011: The reply address ..."
   * (PartnerCenterSamples/Reseller-Web-Application#73).
   */
  get aadstsCodes(): string[] {
    return this.description?.match(/AADSTS\d+/g) ?? [];
  }
}

export interface OAuthRequestOptions {
  fetch?: typeof fetch;
  /** Only for local fakes over plain HTTP; oauth4webapi otherwise insists on HTTPS. */
  allowInsecureRequests?: boolean;
  now?: () => number;
}

function server(config: OAuthProviderConfig): oauth.AuthorizationServer {
  return {
    issuer: config.issuer,
    authorization_endpoint: config.authorizationEndpoint,
    token_endpoint: config.tokenEndpoint,
  };
}

function clientAuth(config: OAuthProviderConfig): oauth.ClientAuth {
  return config.clientSecret ? oauth.ClientSecretPost(config.clientSecret) : oauth.None();
}

/**
 * A token exchange server on this machine (`http://localhost:8787`, which the settings
 * allow) is reached over plain HTTP; anything else must be HTTPS.
 */
function isLoopbackHttp(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    return (
      protocol === 'http:' && (hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]')
    );
  } catch {
    return false;
  }
}

function requestOptions(
  options: OAuthRequestOptions,
  config: OAuthProviderConfig,
): oauth.TokenEndpointRequestOptions {
  const insecure = options.allowInsecureRequests || isLoopbackHttp(config.tokenEndpoint);
  return {
    ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}),
    ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}),
  };
}

function toTokens(
  response: oauth.TokenEndpointResponse,
  now: number,
  config: OAuthProviderConfig,
  /** The refresh token's fixed expiry so far (a rotated SPA refresh token keeps it). */
  refreshTokenExpiresAt: number | null,
): OAuthTokens {
  const statedLifetime = response.refresh_token_expires_in;
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? null,
    // A response without expires_in is treated as short-lived rather than eternal.
    expiresAt: now + (response.expires_in ?? 300) * 1000,
    refreshTokenExpiresAt:
      typeof statedLifetime === 'number'
        ? now + statedLifetime * 1000
        : (refreshTokenExpiresAt ??
          (config.refreshTokenLifetimeMs === null ? null : now + config.refreshTokenLifetimeMs)),
    scopes: response.scope ? response.scope.split(' ') : config.scopes,
  };
}

/** What the token exchange's own refusals (server/README.md) mean for the extension. */
function exchangeErrorKind(status: number): ErrorKind {
  if (status === 404) return 'not_configured';
  if (status === 429) return 'rate_limited';
  if (status === 504) return 'network';
  if (status >= 500) return 'server';
  return 'invalid_request';
}

/**
 * A token endpoint answer that is not an RFC 6749 error body: the token exchange's own
 * `{error: {code, message}}` (not configured, rate limited, refused input), or HubSpot's
 * older `{status: "BAD_REFRESH_TOKEN", message}` without `error`. Null: something else.
 */
async function nonStandardRefusal(
  response: Response,
  providerName: OAuthProviderConfig['provider'],
): Promise<Error | null> {
  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    return null;
  }
  const exchange = ErrorBody.safeParse(body);
  if (exchange.success) {
    const kind = exchangeErrorKind(response.status);
    return new ExtensionError(
      kind,
      `The token exchange server refused the sign-in (${response.status} ${exchange.data.error.code}): ${exchange.data.error.message}`,
      {
        source: providerName === 'hubspot' ? 'crm' : providerName,
        // A server without this provider's secret: the setting to look at (describeError).
        ...(kind === 'not_configured'
          ? {
              code: 'token_exchange_refused' as const,
              issues: [{ path: 'oauth.tokenExchangeUrl', message: exchange.data.error.message }],
            }
          : {}),
      },
    );
  }
  const provider = ProviderErrorResponse.safeParse(body);
  if (provider.success && provider.data.status) {
    // HubSpot: a dead refresh token or code is a dead grant, whatever the spelling.
    const grantGone = /^BAD_(REFRESH_TOKEN|AUTH_CODE|HUB)$/.test(provider.data.status);
    return new OAuthGrantError(
      grantGone ? 'invalid_grant' : provider.data.status,
      provider.data.message,
      providerName,
    );
  }
  return null;
}

async function asGrantError<T>(
  config: OAuthProviderConfig,
  work: () => Promise<T>,
  redirectUri?: string,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError)
      throw new OAuthGrantError(error.error, error.error_description, config.provider, redirectUri);
    if (error instanceof oauth.AuthorizationResponseError) {
      throw new OAuthGrantError(error.error, error.error_description, config.provider, redirectUri);
    }
    if (
      error instanceof oauth.OperationProcessingError &&
      error.code === oauth.RESPONSE_IS_NOT_CONFORM &&
      error.cause instanceof Response
    ) {
      throw (await nonStandardRefusal(error.cause, config.provider)) ?? error;
    }
    throw error;
  }
}

export interface AuthorizationOptions {
  /** The account to sign in as (a Reconnect or a renewal of a known mailbox). */
  loginHint?: string;
  /** `prompt=none`: renew from the provider's session without showing anything. */
  silent?: boolean;
}

/** Authorization URL with PKCE (S256) and a random state; keep the result until the redirect. */
export async function buildAuthorizationUrl(
  config: OAuthProviderConfig,
  redirectUri: string,
  options: AuthorizationOptions = {},
): Promise<PendingAuthorization> {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(config.authorizationEndpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', config.scopes.join(' '));
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  for (const [key, value] of Object.entries(config.extraAuthorizationParams))
    url.searchParams.set(key, value);
  if (options.loginHint) url.searchParams.set('login_hint', options.loginHint);
  // A silent renewal must never show a page: the provider answers login_required instead.
  if (options.silent) url.searchParams.set('prompt', 'none');
  return { url: url.href, state, codeVerifier, redirectUri };
}

/** Checks the redirect (state, error) and redeems the code with the PKCE verifier. */
export function exchangeCode(
  config: OAuthProviderConfig,
  pending: PendingAuthorization,
  callbackUrl: string,
  options: OAuthRequestOptions = {},
): Promise<OAuthTokens> {
  return asGrantError(
    config,
    async () => {
      const as = server(config);
      const client: oauth.Client = { client_id: config.clientId };
      const params = oauth.validateAuthResponse(as, client, new URL(callbackUrl), pending.state);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth(config),
        params,
        pending.redirectUri,
        pending.codeVerifier,
        requestOptions(options, config),
      );
      const result = await oauth.processAuthorizationCodeResponse(as, client, response);
      return toTokens(result, (options.now ?? Date.now)(), config, null);
    },
    pending.redirectUri,
  );
}

/** Redeems a refresh token. `invalid_grant` (expired, revoked) surfaces as OAuthGrantError. */
export function refreshTokens(
  config: OAuthProviderConfig,
  refreshToken: string,
  options: OAuthRequestOptions & { refreshTokenExpiresAt?: number | null } = {},
): Promise<OAuthTokens> {
  return asGrantError(config, async () => {
    const as = server(config);
    const client: oauth.Client = { client_id: config.clientId };
    const response = await oauth.refreshTokenGrantRequest(
      as,
      client,
      clientAuth(config),
      refreshToken,
      requestOptions(options, config),
    );
    const result = await oauth.processRefreshTokenResponse(as, client, response);
    return toTokens(result, (options.now ?? Date.now)(), config, options.refreshTokenExpiresAt ?? null);
  });
}

/** The browser side, injected: `browser.identity` in the extension, a fake in tests. */
export interface WebAuthFlow {
  /** e.g. `browser.identity.getRedirectURL()`. */
  getRedirectUrl: () => string;
  /**
   * e.g. `browser.identity.launchWebAuthFlow({ url, interactive })`; resolves to the redirect
   * URL. Not interactive: no window is shown, and the flow fails if the page would need one.
   */
  launch: (url: string, options?: { interactive: boolean }) => Promise<string>;
}

/** Runs the whole interactive flow: consent page, redirect, code exchange. */
export async function authorizeMailbox(
  config: OAuthProviderConfig,
  flow: WebAuthFlow,
  options: OAuthRequestOptions & AuthorizationOptions = {},
): Promise<OAuthTokens> {
  const pending = await buildAuthorizationUrl(config, flow.getRedirectUrl(), {
    ...(options.loginHint ? { loginHint: options.loginHint } : {}),
    ...(options.silent ? { silent: true } : {}),
  });
  const callbackUrl = await flow.launch(pending.url, { interactive: !options.silent }).catch((error) => {
    // A closed window is all the extension learns when the provider showed an error page
    // there instead of redirecting (an unknown client id, an unregistered redirect URI), so
    // the cancellation names the provider and the redirect URI for the advice.
    if (error instanceof ExtensionError && error.kind === 'cancelled' && !error.details.source)
      throw new ExtensionError('cancelled', error.message, {
        source: config.provider === 'hubspot' ? 'crm' : config.provider,
        redirectUri: pending.redirectUri,
      });
    throw error;
  });
  return exchangeCode(config, pending, callbackUrl, options);
}
