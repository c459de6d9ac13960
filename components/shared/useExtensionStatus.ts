import { useCallback } from 'react';
import type { ExtensionStatus } from '../../lib/messaging/messages';
import type { ExtensionApi } from './ExtensionApi';
import { usePolledBackgroundRead } from './usePolledBackgroundRead';

export interface ExtensionStatusState {
  status: ExtensionStatus | null;
  /** Set when the last request failed; the last good status stays shown beside it. */
  error: string | null;
  refresh: () => Promise<void>;
}

const anySyncing = (status: ExtensionStatus) => status.mailboxes.some((m) => m.state === 'syncing');

/**
 * Loads `status.get`, and asks again every `pollIntervalMs` while any mailbox is syncing,
 * so progress moves while the page is open and nothing polls when nothing happens.
 */
export function useExtensionStatus(
  api: Pick<ExtensionApi, 'getStatus'>,
  pollIntervalMs: number,
): ExtensionStatusState {
  const read = useCallback(() => api.getStatus(), [api]);
  const { value, error, refresh } = usePolledBackgroundRead({
    read,
    keepPolling: anySyncing,
    pollIntervalMs,
    errorContext: 'settings',
  });
  return { status: value, error, refresh };
}
