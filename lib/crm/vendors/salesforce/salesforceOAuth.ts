import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import { OAuthGrantError } from '../../../auth/OAuthClient';
import { CrmError } from '../../CrmError';

/**
 * Salesforce's OAuth 2.0 web-server flow with PKCE
 * (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm):
 * /services/oauth2/authorize and /services/oauth2/token on login.salesforce.com,
 * test.salesforce.com or the org's My Domain. The token answer names the org's
 * `instance_url`, where every API call then goes. A connected app with "Require Secret for
 * Web Server Flow" off needs no client secret.
 */
export interface SalesforceOAuthConfig {
  /** https://login.salesforce.com, https://test.salesforce.com or https://yourorg.my.salesforce.com */
  loginUrl: string;
  consumerKey: string;
  fetch?: typeof fetch;
  /** Only for local fakes over plain HTTP. */
  allowInsecureRequests?: boolean;
}

export interface SalesforceTokens {
  accessToken: string;
  refreshToken: string | null;
  instanceUrl: string;
}

export interface PendingSalesforceSignIn {
  url: string;
  state: string;
  codeVerifier: string;
  redirectUri: string;
}

const TokenExtras = z.object({ instance_url: z.url({ protocol: /^https?$/ }) });

function server(config: SalesforceOAuthConfig): oauth.AuthorizationServer {
  const base = config.loginUrl.replace(/\/+$/, '');
  return {
    issuer: base,
    authorization_endpoint: `${base}/services/oauth2/authorize`,
    token_endpoint: `${base}/services/oauth2/token`,
  };
}

function requestOptions(config: SalesforceOAuthConfig): oauth.TokenEndpointRequestOptions {
  return {
    ...(config.fetch ? { [oauth.customFetch]: config.fetch } : {}),
    ...(config.allowInsecureRequests ? { [oauth.allowInsecureRequests]: true } : {}),
  };
}

function tokens(response: oauth.TokenEndpointResponse, previousRefresh: string | null): SalesforceTokens {
  const extras = TokenExtras.safeParse(response);
  if (!extras.success)
    throw new CrmError(
      'invalid_response',
      'Salesforce did not say which instance the org is on (no instance_url).',
      {
        code: 'salesforce_instance_missing',
      },
    );
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? previousRefresh,
    instanceUrl: extras.data.instance_url.replace(/\/+$/, ''),
  };
}

export async function salesforceSignInUrl(
  config: SalesforceOAuthConfig,
  redirectUri: string,
): Promise<PendingSalesforceSignIn> {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(server(config).authorization_endpoint!);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', config.consumerKey);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', 'api refresh_token');
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  return { url: url.href, state, codeVerifier, redirectUri };
}

/** Checks the redirect (state, error) and redeems the code with the PKCE verifier. */
export async function exchangeSalesforceCode(
  config: SalesforceOAuthConfig,
  pending: PendingSalesforceSignIn,
  callbackUrl: string,
): Promise<SalesforceTokens> {
  const as = server(config);
  const client: oauth.Client = { client_id: config.consumerKey };
  return asGrantError(pending.redirectUri, async () => {
    const params = oauth.validateAuthResponse(as, client, new URL(callbackUrl), pending.state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      params,
      pending.redirectUri,
      pending.codeVerifier,
      requestOptions(config),
    );
    return tokens(await oauth.processAuthorizationCodeResponse(as, client, response), null);
  });
}

/** A fresh access token; `invalid_grant` (revoked, expired) means the rep must sign in again. */
export async function refreshSalesforceToken(
  config: SalesforceOAuthConfig,
  refreshToken: string,
): Promise<SalesforceTokens> {
  const as = server(config);
  const client: oauth.Client = { client_id: config.consumerKey };
  return asGrantError(undefined, async () => {
    const response = await oauth.refreshTokenGrantRequest(
      as,
      client,
      oauth.None(),
      refreshToken,
      requestOptions(config),
    );
    return tokens(await oauth.processRefreshTokenResponse(as, client, response), refreshToken);
  });
}

/**
 * Salesforce's OAuth refusals (a declined consent at the redirect, `invalid_grant` at the
 * token endpoint) as OAuthGrantError, so they are worded as a cancelled or refused sign-in
 * and not as a bug.
 */
async function asGrantError<T>(redirectUri: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError || error instanceof oauth.AuthorizationResponseError)
      throw new OAuthGrantError(error.error, error.error_description, 'salesforce', redirectUri);
    throw error;
  }
}
