import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError, type ErrorContext } from '../../lib/errors/describeError';

export interface PolledBackgroundReadOptions<T> {
  /** Asks the background once. Keep it stable (useCallback): a new one reads again at once. */
  read: () => Promise<T>;
  /** While this holds for the last value read, the read is asked again after `pollIntervalMs`. */
  keepPolling: (value: T) => boolean;
  pollIntervalMs: number;
  /** How a failed read is worded for people (lib/errors/describeError). */
  errorContext: ErrorContext;
}

export interface PolledBackgroundRead<T> {
  /** The last value read; null until the first answer. A failed read leaves it as it was. */
  value: T | null;
  /** Set when the last read failed (worded for people); cleared by the next good one. */
  error: string | null;
  /** Reads again now. Never throws: a failure lands in `error`. */
  refresh: () => Promise<void>;
  /** For the caller's own actions, whose answers replace the value or fail. Ignored once unmounted. */
  setValue: (update: (current: T | null) => T | null) => void;
  /** False once the component is gone, so a late answer changes nothing. */
  isMounted: () => boolean;
}

/**
 * A background read as the popup and options page show it: read on mount, and asked again
 * every `pollIntervalMs` while `keepPolling` holds for the last value (a sync or an audit
 * under way), so progress moves while the page is open and nothing polls when nothing happens.
 */
export function usePolledBackgroundRead<T>({
  read,
  keepPolling,
  pollIntervalMs,
  errorContext,
}: PolledBackgroundReadOptions<T>): PolledBackgroundRead<T> {
  const [value, setValueState] = useState<T | null>(null);
  const [error, setErrorState] = useState<string | null>(null);
  // Bumped after every answer, failed ones included, so polling outlives a missed reply.
  const [answers, setAnswers] = useState(0);
  const mounted = useRef(true);

  const refresh = useCallback(async () => {
    try {
      const next = await read();
      if (!mounted.current) return;
      setValueState(next);
      setErrorState(null);
    } catch (e) {
      if (mounted.current) setErrorState(describeError(e, errorContext).text);
    } finally {
      if (mounted.current) setAnswers((n) => n + 1);
    }
  }, [read, errorContext]);

  useEffect(() => {
    mounted.current = true;
    void refresh();
    return () => {
      mounted.current = false;
    };
  }, [refresh]);

  // A timeout per answer rather than an interval: a slow background never gets a second
  // request before it answered the first.
  const polling = value !== null && keepPolling(value);
  useEffect(() => {
    if (!polling || answers === 0) return;
    const timer = setTimeout(() => void refresh(), pollIntervalMs);
    return () => clearTimeout(timer);
  }, [polling, answers, pollIntervalMs, refresh]);

  const setValue = useCallback((update: (current: T | null) => T | null) => {
    if (mounted.current) setValueState(update);
  }, []);
  const isMounted = useCallback(() => mounted.current, []);

  return { value, error, refresh, setValue, isMounted };
}
