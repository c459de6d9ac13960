import { useCallback, useState } from 'react';
import type { AuditWindowDays, SyncAuditReport } from '../../lib/audit/SyncAuditReport';
import { describeError } from '../../lib/errors/describeError';
import type { ExtensionApi } from './ExtensionApi';
import { usePolledBackgroundRead } from './usePolledBackgroundRead';

export type SyncAuditsApi = Pick<ExtensionApi, 'getAudits'> &
  Partial<Pick<ExtensionApi, 'startAudit' | 'logMissing'>>;

export interface SyncAuditsState {
  /** The last report per mailbox id; null until the first answer. */
  reports: Map<string, SyncAuditReport> | null;
  /** Reading the reports, or the last action, failed (worded for people). */
  error: string | null;
  /** The mailbox whose action (start or Log missing) is on its way. */
  busy: string | null;
  refresh: () => Promise<void>;
  start: (mailboxId: string, days: AuditWindowDays) => Promise<void>;
  logMissing: (mailboxId: string) => Promise<void>;
}

const anyRunning = (reports: Map<string, SyncAuditReport>) =>
  [...reports.values()].some((r) => r.state === 'running' || r.logMissing?.state === 'running');

/**
 * The sync audits as the popup and options page show them: the reports, asked again every
 * `pollIntervalMs` while one runs (progress), and the two actions.
 */
export function useSyncAudits(api: SyncAuditsApi, pollIntervalMs: number): SyncAuditsState {
  const read = useCallback(
    async () => new Map((await api.getAudits()).map((r) => [r.mailboxId, r] as const)),
    [api],
  );
  const {
    value: reports,
    error,
    refresh,
    setValue: setReports,
    setError,
    isMounted,
  } = usePolledBackgroundRead({ read, keepPolling: anyRunning, pollIntervalMs, errorContext: 'mailbox' });
  const [busy, setBusy] = useState<string | null>(null);

  const act = useCallback(
    async (mailboxId: string, work: () => Promise<SyncAuditReport>) => {
      setBusy(mailboxId);
      setError(null);
      try {
        const report = await work();
        setReports((current) => new Map(current ?? []).set(mailboxId, report));
      } catch (e) {
        setError(describeError(e, 'mailbox').text);
      } finally {
        if (isMounted()) setBusy(null);
        await refresh();
      }
    },
    [refresh, setReports, setError, isMounted],
  );

  const start = useCallback(
    (mailboxId: string, days: AuditWindowDays) =>
      act(mailboxId, () => {
        if (!api.startAudit) throw new Error('Audits are started from the options page.');
        return api.startAudit(mailboxId, days);
      }),
    [act, api],
  );
  const logMissing = useCallback(
    (mailboxId: string) =>
      act(mailboxId, () => {
        if (!api.logMissing) throw new Error('Missing mail is logged from the options page.');
        return api.logMissing(mailboxId);
      }),
    [act, api],
  );

  return { reports, error, busy, refresh, start, logMissing };
}
