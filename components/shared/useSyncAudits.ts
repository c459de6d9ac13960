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
  /** Reading the reports failed (worded for people). */
  error: string | null;
  /** The last action failed (worded for people); kept until the next action or Try again. */
  actionError: SyncAuditActionError | null;
  /** The mailbox whose action (start or Log missing) is on its way. */
  busy: string | null;
  refresh: () => Promise<void>;
  start: (mailboxId: string, days: AuditWindowDays) => Promise<void>;
  logMissing: (mailboxId: string) => Promise<void>;
}

export interface SyncAuditActionError {
  mailboxId: string;
  action: 'start' | 'logMissing';
  text: string;
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
    error: readError,
    refresh: readAgain,
    setValue: setReports,
    isMounted,
  } = usePolledBackgroundRead({ read, keepPolling: anyRunning, pollIntervalMs, errorContext: 'mailbox' });
  const [busy, setBusy] = useState<string | null>(null);
  // Kept apart from the read's error: the refresh after a failed action answers fine and
  // would otherwise clear the sentence before anyone could read it. The next action clears it.
  const [actionError, setActionError] = useState<SyncAuditActionError | null>(null);

  const act = useCallback(
    async (
      mailboxId: string,
      action: SyncAuditActionError['action'],
      work: () => Promise<SyncAuditReport>,
    ) => {
      setBusy(mailboxId);
      setActionError(null);
      try {
        const report = await work();
        setReports((current) => new Map(current ?? []).set(mailboxId, report));
      } catch (e) {
        if (isMounted()) setActionError({ mailboxId, action, text: describeError(e, 'mailbox').text });
      } finally {
        if (isMounted()) setBusy(null);
        await readAgain();
      }
    },
    [readAgain, setReports, isMounted],
  );
  /** Try again: reads afresh and forgets the last action's failure. */
  const refresh = useCallback(async () => {
    setActionError(null);
    await readAgain();
  }, [readAgain]);

  const start = useCallback(
    (mailboxId: string, days: AuditWindowDays) =>
      act(mailboxId, 'start', () => {
        if (!api.startAudit) throw new Error('Audits are started from the options page.');
        return api.startAudit(mailboxId, days);
      }),
    [act, api],
  );
  const logMissing = useCallback(
    (mailboxId: string) =>
      act(mailboxId, 'logMissing', () => {
        if (!api.logMissing) throw new Error('Missing mail is logged from the options page.');
        return api.logMissing(mailboxId);
      }),
    [act, api],
  );

  return { reports, error: readError, actionError, busy, refresh, start, logMissing };
}
