/**
 * The two identity providers a mailbox can be connected through. Client ids and the tenant
 * are the admin's own app registrations (settings); scopes are the least the sync needs.
 */
export interface OAuthProviderConfig {
  /** The mailbox providers, and HubSpot's per-rep OAuth (lib/crm/vendors/hubspot/hubspotOAuth.ts). */
  provider: 'gmail' | 'outlook' | 'hubspot';
  /** Issuer identifier (only used by oauth4webapi to label the server; no ID tokens are requested). */
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  /**
   * Google's "Web application" clients require a secret at the token endpoint, at the code
   * exchange and at every refresh, even with PKCE
   * (developers.google.com/identity/protocols/oauth2/web-server#exchange-authorization-code).
   * Microsoft SPA registrations have none. Absent when a token-exchange server adds it.
   */
  clientSecret?: string;
  /**
   * How long a refresh token lives from the sign-in when the provider fixes it (Entra SPA:
   * 24 h, carried over by rotation; learn.microsoft.com/entra/identity-platform/refresh-tokens).
   * Null: until revoked.
   */
  refreshTokenLifetimeMs: number | null;
  /**
   * Whether a sign-in can be renewed without the user (`prompt=none` through
   * `launchWebAuthFlow({ interactive: false })`) while the provider's session lasts.
   */
  silentRenewal: boolean;
  scopes: string[];
  /** Provider-specific authorization parameters. */
  extraAuthorizationParams: Record<string, string>;
}

export const GMAIL_SCOPES = {
  /** Headers and labels only: no snippet, and Gmail refuses `q` on messages.list. */
  metadata: 'https://www.googleapis.com/auth/gmail.metadata',
  /** Adds snippets and search: the default, as activities carry the snippet. */
  readonly: 'https://www.googleapis.com/auth/gmail.readonly',
  /**
   * Read plus changing labels (and so archiving): what labelling logged mail needs. Google
   * lists it among its restricted scopes
   * (developers.google.com/workspace/gmail/api/auth/scopes), so a public app using it needs
   * Google's verification and security assessment.
   */
  modify: 'https://www.googleapis.com/auth/gmail.modify',
} as const;

/** Microsoft Graph's delegated permission to change mail (categories, moves) besides reading it. */
export const GRAPH_MAIL_WRITE_SCOPE = 'https://graph.microsoft.com/Mail.ReadWrite';

/**
 * Microsoft Graph's delegated permission to read mail in mailboxes shared with the user
 * (shared mailboxes such as sales@): `GET /users/{address}/mailFolders/SentItems/messages`
 * (https://learn.microsoft.com/en-us/graph/outlook-share-messages-folders). Asked for only
 * when the rep connects a shared mailbox.
 */
export const GRAPH_MAIL_READ_SHARED_SCOPE = 'https://graph.microsoft.com/Mail.Read.Shared';

/** Whether granted Graph scopes include reading shared mailboxes (Mail.Read.Shared or Mail.ReadWrite.Shared). */
export function hasSharedMailboxScope(scopes: readonly string[]): boolean {
  return scopes.some((s) => /(^|\/)Mail\.Read(Write)?\.Shared$/i.test(s));
}

/**
 * Whether granted scopes include writing to the mailbox. Microsoft answers Graph scopes with
 * or without the resource in front ("Mail.ReadWrite" or "https://graph.microsoft.com/Mail.ReadWrite").
 */
export function hasMailboxWriteScope(provider: 'gmail' | 'outlook', scopes: readonly string[]): boolean {
  if (provider === 'gmail')
    return scopes.includes(GMAIL_SCOPES.modify) || scopes.includes('https://mail.google.com/');
  return scopes.some((s) => /(^|\/)Mail\.ReadWrite$/i.test(s));
}

export function googleOAuthConfig(options: {
  clientId: string;
  clientSecret?: string;
  gmailScope?: keyof typeof GMAIL_SCOPES;
  /** Adds gmail.modify (labels, archiving) to the read scope, keeping grants made before. */
  write?: boolean;
}): OAuthProviderConfig {
  return {
    provider: 'gmail',
    issuer: 'https://accounts.google.com',
    authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenEndpoint: 'https://oauth2.googleapis.com/token',
    clientId: options.clientId,
    ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
    refreshTokenLifetimeMs: null,
    // Google refresh tokens do not expire on a schedule; a renewal would only add consent prompts.
    silentRenewal: false,
    // No openid/email: users.getProfile returns the address, so an ID token adds nothing.
    scopes: [GMAIL_SCOPES[options.gmailScope ?? 'readonly'], ...(options.write ? [GMAIL_SCOPES.modify] : [])],
    // Google issues a refresh token only with access_type=offline, and again on a re-consent
    // only with prompt=consent (a Reconnect must yield a fresh refresh token). Asking for more
    // later is incremental authorization: include_granted_scopes keeps what was granted
    // (developers.google.com/identity/protocols/oauth2/web-server#incrementalAuth).
    extraAuthorizationParams: {
      access_type: 'offline',
      prompt: 'consent',
      ...(options.write ? { include_granted_scopes: 'true' } : {}),
    },
  };
}

export function microsoftOAuthConfig(options: {
  clientId: string;
  tenant?: string;
  /** Adds Mail.ReadWrite (categories, moving to Archive); Microsoft asks for consent to it on that sign-in. */
  write?: boolean;
  /** Adds Mail.Read.Shared (a shared mailbox's Sent Items); Microsoft asks for consent to it on that sign-in. */
  shared?: boolean;
}): OAuthProviderConfig {
  const tenant = encodeURIComponent(options.tenant?.trim() || 'common');
  return {
    provider: 'outlook',
    issuer: `https://login.microsoftonline.com/${tenant}/v2.0`,
    authorizationEndpoint: `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/authorize`,
    tokenEndpoint: `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`,
    clientId: options.clientId,
    // An extension's token request carries an Origin header, which Entra accepts only for a
    // redirect URI registered as "Single-page application" (AADSTS9002326 otherwise;
    // MicrosoftDocs/azure-docs#62164). Those refresh tokens live 24 h, so the sign-in is
    // renewed silently before then.
    refreshTokenLifetimeMs: 24 * 60 * 60 * 1000,
    silentRenewal: true,
    // offline_access yields the refresh token; Mail.Read covers delta and headers; User.Read is /me.
    scopes: [
      'offline_access',
      'https://graph.microsoft.com/Mail.Read',
      'https://graph.microsoft.com/User.Read',
      ...(options.write ? [GRAPH_MAIL_WRITE_SCOPE] : []),
      ...(options.shared ? [GRAPH_MAIL_READ_SHARED_SCOPE] : []),
    ],
    extraAuthorizationParams: { prompt: 'select_account' },
  };
}

/** The token exchange's name for each provider (`server/oauth`, `POST /oauth/{name}/token`). */
const TOKEN_EXCHANGE_NAMES: Record<OAuthProviderConfig['provider'], string> = {
  gmail: 'google',
  outlook: 'microsoft',
  hubspot: 'hubspot',
};

/**
 * The token endpoint of a team's token-exchange server (`server/`): it adds the client secret
 * from its own environment, so the browser never holds one.
 */
export function tokenExchangeEndpoint(serverUrl: string, provider: OAuthProviderConfig['provider']): string {
  return `${serverUrl.replace(/\/+$/, '')}/oauth/${TOKEN_EXCHANGE_NAMES[provider]}/token`;
}

/** Points a provider config at other endpoints (tests, the e2e fake token server). */
export function withEndpoints(
  config: OAuthProviderConfig,
  endpoints: { authorizationEndpoint: string; tokenEndpoint: string },
): OAuthProviderConfig {
  return { ...config, ...endpoints };
}
