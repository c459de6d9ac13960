import type { Env, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  ProviderErrorResponse,
  ProviderTokenResponse,
  TokenExchangeRequest,
} from '../../lib/auth/tokenExchangeContract';
import { HttpError, limitBodies } from '../HttpError';
import { clientAddress } from '../http/clientAddress';
import { FixedWindowRateLimiter } from './FixedWindowRateLimiter';
import {
  OAUTH_EXCHANGE_PROVIDERS,
  type OAuthExchangeConfig,
  type OAuthExchangeProvider,
} from './OAuthExchangeConfig';

/** A token request is a few hundred bytes; a refresh token is at most a few kB. */
export const MAX_TOKEN_REQUEST_BYTES = 16 * 1024;
/** Provider answers beyond this are not token responses. */
const MAX_PROVIDER_ANSWER_BYTES = 64 * 1024;

export interface OAuthExchangeOptions {
  config: OAuthExchangeConfig | null;
  /** For tests: the provider calls. */
  fetch?: typeof fetch;
  now?: () => number;
}

/** RFC 6749 §5.1: token responses must not be cached. */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

function isProvider(value: string): value is OAuthExchangeProvider {
  return (OAUTH_EXCHANGE_PROVIDERS as readonly string[]).includes(value);
}

/**
 * `POST /oauth/{provider}/token`: the team's token exchange. The extension sends an RFC 6749
 * token request without client credentials (the code, its PKCE verifier and redirect URI,
 * or a refresh token); the server adds the client id and secret from its environment,
 * calls the provider's token endpoint from here (so no browser Origin header, as a
 * confidential "Web" client must), and answers what the provider answered: its tokens, or
 * its documented error body with its status. Errors of the exchange itself are the
 * server's `{error: {code, message}}`. Nothing of a request or answer is logged.
 */
export function registerOAuthExchange<E extends Env>(app: Hono<E>, options: OAuthExchangeOptions): void {
  const { config } = options;
  const fetchProvider = options.fetch ?? fetch;
  const limiter = new FixedWindowRateLimiter(config?.requestsPerMinute ?? 60, 60_000, options.now);
  const timeoutMs = config?.upstreamTimeoutMs ?? 15_000;

  app.use('/oauth/*', limitBodies(MAX_TOKEN_REQUEST_BYTES, 'token requests'));

  app.post('/oauth/:provider/token', async (c) => {
    const provider = c.req.param('provider');
    const client = isProvider(provider) ? config?.clients[provider] : undefined;
    if (!client) {
      throw new HttpError(
        404,
        'not_found',
        isProvider(provider)
          ? `this server does not exchange ${provider} codes: set ${provider.toUpperCase()}_CLIENT_ID and ${provider.toUpperCase()}_CLIENT_SECRET in its environment`
          : `no token exchange for "${provider}"; providers: ${OAUTH_EXCHANGE_PROVIDERS.join(', ')}`,
      );
    }
    const waitMs = limiter.take(`${provider}|${clientAddress(c)}`);
    if (waitMs !== null) {
      c.header('Retry-After', String(Math.ceil(waitMs / 1000)));
      throw new HttpError(429, 'rate_limited', 'too many token requests from this address; try again later');
    }
    const contentType = (c.req.header('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/x-www-form-urlencoded') {
      throw new HttpError(
        415,
        'unsupported_media_type',
        'send the token request as application/x-www-form-urlencoded (RFC 6749 section 4.1.3)',
      );
    }
    const form = new URLSearchParams(await c.req.text());
    const fields: Record<string, string> = {};
    for (const [key, value] of form) {
      // RFC 6749 §3.2: a parameter must not appear twice.
      if (key in fields) throw new HttpError(400, 'invalid_request', `the parameter ${key} appears twice`);
      fields[key] = value;
    }
    const parsed = TokenExchangeRequest.safeParse(fields);
    if (!parsed.success) {
      throw new HttpError(
        400,
        'invalid_request',
        'the token request does not match the exchange',
        parsed.error.issues.map((issue) => ({
          code: issue.code,
          path: issue.path.map(String),
          message: issue.message,
        })),
      );
    }
    const request = parsed.data;
    if (request.client_id !== undefined && request.client_id !== client.clientId) {
      throw new HttpError(
        400,
        'client_mismatch',
        `this server holds the secret of another ${provider} client; set the extension's client id to the server's`,
        { expectedClientId: client.clientId },
      );
    }

    const upstream = new URLSearchParams();
    for (const [key, value] of Object.entries(request)) if (value !== undefined) upstream.set(key, value);
    upstream.set('client_id', client.clientId);
    upstream.set('client_secret', client.clientSecret);
    let answer: Response;
    let text: string;
    try {
      answer = await fetchProvider(client.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: upstream,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await answer.text();
    } catch {
      throw new HttpError(504, 'upstream_unavailable', `${provider}'s token endpoint did not answer`);
    }
    const json = parseJson(text.length <= MAX_PROVIDER_ANSWER_BYTES ? text : '');
    if (answer.ok) {
      const tokens = ProviderTokenResponse.safeParse(json);
      if (!tokens.success) {
        throw new HttpError(
          502,
          'bad_gateway',
          `${provider} answered ${answer.status} without a token response`,
        );
      }
      return c.json(tokens.data, 200, NO_STORE);
    }
    const refusal = ProviderErrorResponse.safeParse(json);
    if (refusal.success && answer.status >= 400 && answer.status < 500) {
      const retryAfter = answer.headers.get('Retry-After');
      if (retryAfter && /^\d{1,6}$/.test(retryAfter)) c.header('Retry-After', retryAfter);
      return c.json(refusal.data, answer.status as ContentfulStatusCode, NO_STORE);
    }
    throw new HttpError(502, 'bad_gateway', `${provider}'s token endpoint answered HTTP ${answer.status}`, {
      providerStatus: answer.status,
    });
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
