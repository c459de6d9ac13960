import { type OAuthProviderConfig, tokenExchangeEndpoint } from '../../../auth/OAuthProviders';

/**
 * The scopes the HubSpot connector's calls need (README "HubSpot"; names from
 * https://developers.hubspot.com/docs/api/scopes). Emails are engagements: the contacts
 * scope covers them and `sales-email-read` their content
 * (developers.hubspot.com/changelog/announcement-new-scope-required-to-get-the-content-of-email-engagements).
 */
export const HUBSPOT_OAUTH_SCOPES = [
  'oauth',
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.companies.read',
  'crm.objects.deals.read',
  'crm.objects.owners.read',
  'sales-email-read',
];
/**
 * Asked as `optional_scope` (granted where the portal's tier has it): lets the first log
 * create the connector's own properties; without it an admin creates them by hand.
 */
export const HUBSPOT_OPTIONAL_SCOPES = ['crm.schemas.custom.write'];

export const HUBSPOT_AUTHORIZATION_ENDPOINT = 'https://app.hubspot.com/oauth/authorize';

/**
 * Per-rep OAuth with a HubSpot app: the rep signs in through
 * `launchWebAuthFlow` at app.hubspot.com/oauth/authorize (client_id, scope, redirect_uri,
 * state; PKCE is accepted, the v3 token endpoint takes `code_verifier`:
 * https://developers.hubspot.com/docs/api-reference/auth-oauth-v3/guide). HubSpot's token
 * endpoint needs the app's client secret at the exchange and at every refresh, so the code
 * always goes through the team's token exchange (`server/`, `POST /oauth/hubspot/token`).
 * Access tokens live 30 minutes; refresh tokens do not expire until the app is uninstalled.
 */
export function hubspotOAuthConfig(options: {
  clientId: string;
  tokenExchangeUrl: string;
}): OAuthProviderConfig {
  return {
    provider: 'hubspot',
    issuer: 'https://app.hubspot.com',
    authorizationEndpoint: HUBSPOT_AUTHORIZATION_ENDPOINT,
    tokenEndpoint: tokenExchangeEndpoint(options.tokenExchangeUrl, 'hubspot'),
    clientId: options.clientId,
    refreshTokenLifetimeMs: null,
    silentRenewal: false,
    scopes: HUBSPOT_OAUTH_SCOPES,
    extraAuthorizationParams: { optional_scope: HUBSPOT_OPTIONAL_SCOPES.join(' ') },
  };
}
