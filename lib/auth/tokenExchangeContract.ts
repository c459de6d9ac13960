import { z } from 'zod';

/**
 * What crosses the token exchange (`POST {server}/oauth/{provider}/token`, server/README.md):
 * an RFC 6749 §4.1.3 / §6 token request without client credentials (the server adds them),
 * and the provider's answer passed back. Shared by the server and the extension.
 */

/** RFC 7636 §4.1: 43-128 characters of [A-Z a-z 0-9 - . _ ~]. */
const CodeVerifier = z
  .string()
  .regex(/^[A-Za-z0-9\-._~]{43,128}$/, 'a PKCE code_verifier (RFC 7636 section 4.1)');

/** A client id the extension may send; the server checks it is the one it holds a secret for. */
const ClientId = z.string().min(1).max(256).optional();

export const TokenExchangeCodeRequest = z.object({
  grant_type: z.literal('authorization_code'),
  code: z.string().min(1).max(4096),
  code_verifier: CodeVerifier,
  redirect_uri: z.url({ protocol: /^https?$/ }).max(2048),
  client_id: ClientId,
  scope: z.string().max(2048).optional(),
});

export const TokenExchangeRefreshRequest = z.object({
  grant_type: z.literal('refresh_token'),
  refresh_token: z.string().min(1).max(8192),
  client_id: ClientId,
  scope: z.string().max(2048).optional(),
});

export const TokenExchangeRequest = z.discriminatedUnion('grant_type', [
  TokenExchangeCodeRequest,
  TokenExchangeRefreshRequest,
]);
export type TokenExchangeRequest = z.infer<typeof TokenExchangeRequest>;

/**
 * A successful token response, the fields the three providers document (unknown ones are
 * dropped): RFC 6749 §5.1; Google adds `refresh_token_expires_in` and `id_token`
 * (developers.google.com/identity/protocols/oauth2/web-server#exchange-authorization-code);
 * Microsoft `ext_expires_in` and `id_token` (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow,
 * "Successful response"); HubSpot `hub_id`, `user_id`, `scopes`, `token_use`
 * (developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/refresh-oauth-token).
 */
export const ProviderTokenResponse = z.object({
  access_token: z.string().min(1).max(16_384),
  token_type: z.string().min(1).max(64),
  expires_in: z.number().nonnegative().optional(),
  refresh_token: z.string().min(1).max(16_384).optional(),
  scope: z.string().max(8192).optional(),
  refresh_token_expires_in: z.number().nonnegative().optional(),
  ext_expires_in: z.number().nonnegative().optional(),
  id_token: z.string().max(16_384).optional(),
  hub_id: z.number().optional(),
  user_id: z.number().optional(),
  scopes: z.array(z.string().max(256)).max(500).optional(),
  token_use: z.string().max(64).optional(),
});
export type ProviderTokenResponse = z.infer<typeof ProviderTokenResponse>;

/**
 * A provider's refusal, the documented fields only: RFC 6749 §5.2 (`error`,
 * `error_description`, `error_uri`); Microsoft's `error_codes`, `timestamp`, `trace_id`,
 * `correlation_id` (v2-oauth2-auth-code-flow, "Error response"); HubSpot's `status`,
 * `message`, `correlationId`, `category` (its v3 spec's Error schema, and the older
 * `{"status":"BAD_REFRESH_TOKEN","message":...}` bodies quoted in
 * nango.dev/blog/hubspot-oauth-bad-refresh-token), which HubSpot has carried beside
 * `error` since its RFC 6749 change (developers.hubspot.com/changelog/new-oauth-v3-api-endpoints-and-standardized-error-responses).
 */
export const ProviderErrorResponse = z
  .object({
    error: z.string().min(1).max(256).optional(),
    error_description: z.string().max(8192).optional(),
    error_uri: z.string().max(2048).optional(),
    error_codes: z.array(z.number()).max(50).optional(),
    timestamp: z.string().max(64).optional(),
    trace_id: z.string().max(128).optional(),
    correlation_id: z.string().max(128).optional(),
    status: z.string().max(128).optional(),
    message: z.string().max(8192).optional(),
    correlationId: z.string().max(128).optional(),
    category: z.string().max(128).optional(),
  })
  .refine((body) => body.error !== undefined || body.status !== undefined, {
    message: 'an OAuth error body names `error` (or HubSpot `status`)',
  });
export type ProviderErrorResponse = z.infer<typeof ProviderErrorResponse>;
