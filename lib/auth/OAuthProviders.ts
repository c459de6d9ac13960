/**
 * The two identity providers a mailbox can be connected through. Client ids and the tenant
 * are the admin's own app registrations (settings); scopes are the least the sync needs.
 */
export interface OAuthProviderConfig {
  provider: 'gmail' | 'outlook';
  /** Issuer identifier (only used by oauth4webapi to label the server; no ID tokens are requested). */
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  /**
   * Google's "Web application" clients require a secret at the token endpoint even with PKCE;
   * it is not a secret in an extension, but Google insists. Microsoft public clients have none.
   */
  clientSecret?: string;
  scopes: string[];
  /** Provider-specific authorization parameters. */
  extraAuthorizationParams: Record<string, string>;
}

export const GMAIL_SCOPES = {
  /** Headers and labels only: no snippet, and Gmail refuses `q` on messages.list. */
  metadata: 'https://www.googleapis.com/auth/gmail.metadata',
  /** Adds snippets and search: the default, as activities carry the snippet. */
  readonly: 'https://www.googleapis.com/auth/gmail.readonly',
} as const;

export function googleOAuthConfig(options: {
  clientId: string;
  clientSecret?: string;
  gmailScope?: keyof typeof GMAIL_SCOPES;
}): OAuthProviderConfig {
  return {
    provider: 'gmail',
    issuer: 'https://accounts.google.com',
    authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenEndpoint: 'https://oauth2.googleapis.com/token',
    clientId: options.clientId,
    ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
    // No openid/email: users.getProfile returns the address, so an ID token adds nothing.
    scopes: [GMAIL_SCOPES[options.gmailScope ?? 'readonly']],
    // Google issues a refresh token only with access_type=offline, and again on a re-consent
    // only with prompt=consent (a Reconnect must yield a fresh refresh token).
    extraAuthorizationParams: { access_type: 'offline', prompt: 'consent' },
  };
}

export function microsoftOAuthConfig(options: { clientId: string; tenant?: string }): OAuthProviderConfig {
  const tenant = encodeURIComponent(options.tenant?.trim() || 'common');
  return {
    provider: 'outlook',
    issuer: `https://login.microsoftonline.com/${tenant}/v2.0`,
    authorizationEndpoint: `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/authorize`,
    tokenEndpoint: `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`,
    clientId: options.clientId,
    // offline_access yields the refresh token; Mail.Read covers delta and headers; User.Read is /me.
    scopes: [
      'offline_access',
      'https://graph.microsoft.com/Mail.Read',
      'https://graph.microsoft.com/User.Read',
    ],
    extraAuthorizationParams: { prompt: 'select_account' },
  };
}

/** Points a provider config at other endpoints (tests, the e2e fake token server). */
export function withEndpoints(
  config: OAuthProviderConfig,
  endpoints: { authorizationEndpoint: string; tokenEndpoint: string },
): OAuthProviderConfig {
  return { ...config, ...endpoints };
}
