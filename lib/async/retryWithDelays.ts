import pRetry from 'p-retry';

export interface RetryWithDelaysOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /**
   * The wait before the next attempt after `error` ended attempt `attemptNumber` (from 1), or
   * null when the error is not worth another attempt (it is thrown as it is).
   */
  delayBeforeRetry: (error: Error, attemptNumber: number) => number | null;
  /** Waits `ms`; tests pass one that records the waits instead. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` until it succeeds, its error is not worth retrying, or the attempts are used
 * up; the last error is thrown unchanged. p-retry (https://github.com/sindresorhus/p-retry)
 * runs the loop and keeps the count; the wait is the caller's, because a server's
 * Retry-After must replace the exponential backoff, which p-retry's own timeouts (one curve
 * for every error) cannot say, so p-retry's timeouts are zero and the wait happens in
 * `shouldRetry`, which p-retry calls only while attempts are left.
 */
export function retryWithDelays<T>(
  work: (attemptNumber: number) => Promise<T>,
  options: RetryWithDelaysOptions,
): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  return pRetry(work, {
    retries: Math.max(0, options.attempts - 1),
    minTimeout: 0,
    maxTimeout: 0,
    shouldRetry: async ({ error, attemptNumber }) => {
      const delay = options.delayBeforeRetry(error, attemptNumber);
      if (delay === null) return false;
      await sleep(delay);
      return true;
    },
  });
}
