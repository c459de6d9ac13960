import { retryWithDelays } from '../async/retryWithDelays';
import { CrmError } from './CrmError';

/**
 * Retries a CRM call that failed transiently (5xx, 429, network), Retry-After first, else
 * exponential backoff with jitter (half fixed, half random). Without it one 503 on a sync
 * page's lookup ended the whole pass and the page's provider fetches were repeated on the
 * next pass. The sync and the audit both use it.
 */
export function retryTransientCrmErrors<T>(
  work: () => Promise<T>,
  options: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number } = {},
): Promise<T> {
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 15_000;
  return retryWithDelays(work, {
    attempts: options.attempts ?? 5,
    delayBeforeRetry: (error, attemptNumber) => {
      if (!(error instanceof CrmError) || !error.retryable) return null;
      const backoff = Math.min(max, base * 2 ** (attemptNumber - 1));
      return Math.min(max, error.retryAfterMs ?? backoff / 2 + (Math.random() * backoff) / 2);
    },
  });
}
