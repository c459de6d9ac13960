import { z } from 'zod';

/**
 * The providers the token exchange can redeem codes for, and where their token endpoints
 * are. The secret each needs comes from the server's environment, never from the browser.
 */
export const OAUTH_EXCHANGE_PROVIDERS = ['google', 'microsoft', 'hubspot'] as const;
export type OAuthExchangeProvider = (typeof OAUTH_EXCHANGE_PROVIDERS)[number];

export interface OAuthExchangeClient {
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
}

export interface OAuthExchangeConfig {
  clients: Partial<Record<OAuthExchangeProvider, OAuthExchangeClient>>;
  /** Token requests per client address and provider per minute (default 60). */
  requestsPerMinute?: number;
  /** How long to wait for the provider (default 15 s). */
  upstreamTimeoutMs?: number;
}

/**
 * The published token endpoints:
 * - Google: https://developers.google.com/identity/protocols/oauth2/web-server#exchange-authorization-code
 * - Microsoft identity platform: https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#redeem-a-code-for-an-access-token
 * - HubSpot (v3; v1 is deprecated on 2027-02-16):
 *   https://developers.hubspot.com/docs/api-reference/auth-oauth-v3/guide and the spec in
 *   HubSpot/HubSpot-public-api-spec-collection PublicApiSpecs/Auth/Oauth/Rollouts/279897/v3/oauth.json
 */
export function defaultTokenUrl(provider: OAuthExchangeProvider, microsoftTenant = 'common'): string {
  switch (provider) {
    case 'google':
      return 'https://oauth2.googleapis.com/token';
    case 'microsoft':
      return `https://login.microsoftonline.com/${encodeURIComponent(microsoftTenant)}/oauth2/v2.0/token`;
    case 'hubspot':
      return 'https://api.hubapi.com/oauth/v3/token';
  }
}

const optional = z.string().trim().min(1).optional();

/** The environment variables `npm run crm` reads for the exchange (server/README.md). */
export const OAuthExchangeEnv = z.object({
  GOOGLE_CLIENT_ID: optional,
  GOOGLE_CLIENT_SECRET: optional,
  GOOGLE_TOKEN_URL: z.url().optional(),
  MICROSOFT_CLIENT_ID: optional,
  MICROSOFT_CLIENT_SECRET: optional,
  MICROSOFT_TENANT: z.string().trim().min(1).default('common'),
  MICROSOFT_TOKEN_URL: z.url().optional(),
  HUBSPOT_CLIENT_ID: optional,
  HUBSPOT_CLIENT_SECRET: optional,
  HUBSPOT_TOKEN_URL: z.url().optional(),
  OAUTH_EXCHANGE_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(60),
});
export type OAuthExchangeEnv = z.infer<typeof OAuthExchangeEnv>;

/**
 * The exchange's configuration from the environment: a provider is on when its secret is
 * set, and then needs its client id too. Null when no secret is set: the routes answer 404.
 * @throws Error naming the variable that is missing (never its value).
 */
export function oauthExchangeConfigFromEnv(env: OAuthExchangeEnv): OAuthExchangeConfig | null {
  const entries: [OAuthExchangeProvider, string | undefined, string | undefined, string | undefined][] = [
    ['google', env.GOOGLE_CLIENT_ID, env.GOOGLE_CLIENT_SECRET, env.GOOGLE_TOKEN_URL],
    ['microsoft', env.MICROSOFT_CLIENT_ID, env.MICROSOFT_CLIENT_SECRET, env.MICROSOFT_TOKEN_URL],
    ['hubspot', env.HUBSPOT_CLIENT_ID, env.HUBSPOT_CLIENT_SECRET, env.HUBSPOT_TOKEN_URL],
  ];
  const clients: OAuthExchangeConfig['clients'] = {};
  for (const [provider, clientId, clientSecret, tokenUrl] of entries) {
    if (!clientSecret) continue;
    const name = provider.toUpperCase();
    if (!clientId) throw new Error(`${name}_CLIENT_SECRET is set but ${name}_CLIENT_ID is not`);
    clients[provider] = {
      clientId,
      clientSecret,
      tokenUrl: tokenUrl ?? defaultTokenUrl(provider, env.MICROSOFT_TENANT),
    };
  }
  if (Object.keys(clients).length === 0) return null;
  return { clients, requestsPerMinute: env.OAUTH_EXCHANGE_RATE_LIMIT };
}
