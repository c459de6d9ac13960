import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../../lib/errors/describeError';
import type { ExtensionStatus } from '../../lib/messaging/messages';
import type { ExtensionApi } from './ExtensionApi';

export interface ExtensionStatusState {
  status: ExtensionStatus | null;
  /** Set when the last request failed; the last good status stays shown beside it. */
  error: string | null;
  refresh: () => Promise<void>;
}

/**
 * Loads `status.get`, and asks again every `pollIntervalMs` while any mailbox is syncing,
 * so progress moves while the page is open and nothing polls when nothing happens.
 */
export function useExtensionStatus(
  api: Pick<ExtensionApi, 'getStatus'>,
  pollIntervalMs: number,
): ExtensionStatusState {
  const [status, setStatus] = useState<ExtensionStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Bumped after every answer, failed ones included, so polling outlives a missed reply.
  const [answers, setAnswers] = useState(0);
  const mounted = useRef(true);

  const refresh = useCallback(async () => {
    try {
      const next = await api.getStatus();
      if (!mounted.current) return;
      setStatus(next);
      setError(null);
    } catch (e) {
      if (mounted.current) setError(describeError(e, 'settings').text);
    } finally {
      if (mounted.current) setAnswers((n) => n + 1);
    }
  }, [api]);

  useEffect(() => {
    mounted.current = true;
    void refresh();
    return () => {
      mounted.current = false;
    };
  }, [refresh]);

  // A timeout per answer rather than an interval: a slow background never gets a second
  // request before it answered the first.
  const syncing = status?.mailboxes.some((m) => m.state === 'syncing') ?? false;
  useEffect(() => {
    if (!syncing || answers === 0) return;
    const timer = setTimeout(() => void refresh(), pollIntervalMs);
    return () => clearTimeout(timer);
  }, [syncing, answers, pollIntervalMs, refresh]);

  return { status, error, refresh };
}
