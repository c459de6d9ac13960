import { retryWithDelays } from '../../async/retryWithDelays';
import type { MailProvider } from '../MailMessage';

/**
 * A provider API request that failed in a way the caller may act on. `retryable` covers
 * throttling (429, Gmail 403 rate limits), server errors (5xx), timeouts and network
 * failures; `retryAfterMs` is the server's Retry-After when it sent one.
 */
export class ProviderRequestError extends Error {
  override readonly name = 'ProviderRequestError';
  constructor(
    readonly provider: MailProvider,
    /** HTTP status, or 0 when no response arrived (timeout, network). */
    readonly status: number,
    /** Provider error code/reason, e.g. `rateLimitExceeded`, `SyncStateNotFound`, `timeout`. */
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP-date. Null when absent/unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | null {
  if (header == null) return null;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 60_000 };

export interface RetryEnvironment {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const realRetryEnvironment: RetryEnvironment = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/**
 * Runs `attempt` until it succeeds, fails with something not retryable, or the policy's
 * attempts are used up. A server's Retry-After wins over our own backoff (it knows its
 * window); otherwise exponential backoff with full jitter, so many mailboxes backing off
 * together do not come back in lockstep.
 */
export function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  env: RetryEnvironment = realRetryEnvironment,
): Promise<T> {
  return retryWithDelays(attempt, {
    attempts: policy.maxAttempts,
    sleep: env.sleep,
    delayBeforeRetry: (error, n) => {
      if (!(error instanceof ProviderRequestError) || !error.retryable) return null;
      // A server that asks for longer than we would ever wait is not asked again early: the
      // error (with its Retry-After) goes up, and the next pass is scheduled after it.
      if (error.retryAfterMs !== null && error.retryAfterMs > policy.maxDelayMs) return null;
      return (
        error.retryAfterMs ?? env.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1))
      );
    },
  });
}

/**
 * fetch with a timeout. Network failures and timeouts become retryable
 * `ProviderRequestError`s with status 0, so callers handle one error type.
 */
export async function fetchWithTimeout(
  provider: MailProvider,
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<Response> {
  try {
    return await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const isTimeout =
      error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    // The URL is safe to show (no credentials in it); the request headers are never included.
    return Promise.reject(
      new ProviderRequestError(
        provider,
        0,
        isTimeout ? 'timeout' : 'network',
        `${provider} request ${isTimeout ? `timed out after ${timeoutMs} ms` : 'failed'}: ${new URL(url).pathname}`,
        true,
      ),
    );
  }
}
