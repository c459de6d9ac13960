import type { z } from 'zod';
import type { AccessTokenProvider } from '../../auth/AccessTokenProvider';
import { MailboxAuthError } from '../../auth/MailboxAuthError';
import type { MailProvider } from '../MailMessage';
import {
  DEFAULT_RETRY_POLICY,
  fetchWithTimeout,
  ProviderRequestError,
  type RetryEnvironment,
  type RetryPolicy,
  realRetryEnvironment,
  withRetries,
} from './ProviderRequestError';

/** How a provider client talks HTTP: fetch, per-request timeout and retry policy. */
export interface ProviderHttpSettings {
  fetchImpl: typeof fetch;
  timeoutMs: number;
  retryPolicy: RetryPolicy;
  retryEnvironment: RetryEnvironment;
}

/** The client options' transport settings with their defaults (30 s timeout, default retries). */
export function providerHttpSettings(options: {
  fetch?: typeof fetch | undefined;
  timeoutMs?: number | undefined;
  retryPolicy?: RetryPolicy | undefined;
  retryEnvironment?: RetryEnvironment | undefined;
}): ProviderHttpSettings {
  return {
    fetchImpl: options.fetch ?? ((input, init) => fetch(input, init)),
    timeoutMs: options.timeoutMs ?? 30_000,
    retryPolicy: options.retryPolicy ?? DEFAULT_RETRY_POLICY,
    retryEnvironment: options.retryEnvironment ?? realRetryEnvironment,
  };
}

export interface AuthorizedJsonRequest<T> {
  provider: MailProvider;
  url: string;
  /** Sent besides authorization and accept. */
  headers?: Record<string, string>;
  /** A JSON body, sent as a POST (Graph actions such as translateExchangeIds); default a GET. */
  jsonBody?: unknown;
  /** The method for a JSON body when it is not a POST (Graph's PATCH of a message). */
  method?: 'POST' | 'PATCH';
  schema: z.ZodType<T>;
  getAccessToken: AccessTokenProvider;
  http: ProviderHttpSettings;
  /** The provider's reading of a failed response. */
  toError: (response: Response) => Promise<Error>;
  /** Code and message of the retryable error a first 401 turns into. */
  rejectedToken: { code: string; message: string };
  /** Runs the fetch inside, e.g. a quota limiter's acquire/release. */
  around?: (send: () => Promise<Response>) => Promise<Response>;
  /** Sees every failure before it is thrown (except the first 401, which is retried). */
  onFailure?: (error: Error) => void;
}

/**
 * A GET (or a POST of `jsonBody`) with a bearer token, parsed with `schema`: retried by `withRetries` (throttling, 5xx,
 * timeouts); a 401 is retried once with a refreshed token, then surfaces as the provider's
 * `MailboxAuthError`.
 */
export function authorizedJsonRequest<T>(request: AuthorizedJsonRequest<T>): Promise<T> {
  const { http } = request;
  let forceRefresh = false;
  let refreshedAfter401 = false;
  return withRetries(
    async () => {
      const token = await request.getAccessToken({ forceRefresh });
      forceRefresh = false;
      const send = () =>
        fetchWithTimeout(
          request.provider,
          http.fetchImpl,
          request.url,
          request.jsonBody === undefined
            ? {
                headers: { ...request.headers, authorization: `Bearer ${token}`, accept: 'application/json' },
              }
            : {
                method: request.method ?? 'POST',
                body: JSON.stringify(request.jsonBody),
                headers: {
                  ...request.headers,
                  authorization: `Bearer ${token}`,
                  accept: 'application/json',
                  'content-type': 'application/json',
                },
              },
          http.timeoutMs,
        );
      const response = await (request.around ? request.around(send) : send());
      if (response.ok) {
        // Some writes answer 204 or an empty body (Gmail's messages.batchModify): parsed as undefined.
        const text = await response.text();
        return request.schema.parse(text === '' ? undefined : JSON.parse(text));
      }
      const error = await request.toError(response);
      if (error instanceof MailboxAuthError && error.reason === 'unauthorized' && !refreshedAfter401) {
        // An access token can die before its stated expiry (revocation, clock skew): one
        // retry with a refreshed token tells that apart from a mailbox that needs sign-in.
        refreshedAfter401 = true;
        forceRefresh = true;
        throw new ProviderRequestError(
          request.provider,
          401,
          request.rejectedToken.code,
          request.rejectedToken.message,
          true,
          0,
        );
      }
      request.onFailure?.(error);
      throw error;
    },
    http.retryPolicy,
    http.retryEnvironment,
  );
}
