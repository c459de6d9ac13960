import { useCallback, useEffect, useRef, useState } from 'react';
import type { AuditWindowDays, SyncAuditReport } from '../../lib/audit/SyncAuditReport';
import { describeError } from '../../lib/errors/describeError';
import type { ExtensionApi } from './ExtensionApi';

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

/**
 * The sync audits as the popup and options page show them: the reports, asked again every
 * `pollIntervalMs` while one runs (progress), and the two actions.
 */
export function useSyncAudits(api: SyncAuditsApi, pollIntervalMs: number): SyncAuditsState {
  const [reports, setReports] = useState<Map<string, SyncAuditReport> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [answers, setAnswers] = useState(0);
  const mounted = useRef(true);

  const refresh = useCallback(async () => {
    try {
      const list = await api.getAudits();
      if (!mounted.current) return;
      setReports(new Map(list.map((r) => [r.mailboxId, r])));
      setError(null);
    } catch (e) {
      if (mounted.current) setError(describeError(e, 'mailbox').text);
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

  const running = [...(reports?.values() ?? [])].some(
    (r) => r.state === 'running' || r.logMissing?.state === 'running',
  );
  useEffect(() => {
    if (!running || answers === 0) return;
    const timer = setTimeout(() => void refresh(), pollIntervalMs);
    return () => clearTimeout(timer);
  }, [running, answers, pollIntervalMs, refresh]);

  const act = useCallback(
    async (mailboxId: string, work: () => Promise<SyncAuditReport>) => {
      setBusy(mailboxId);
      setError(null);
      try {
        const report = await work();
        if (mounted.current) setReports((current) => new Map(current ?? []).set(mailboxId, report));
      } catch (e) {
        if (mounted.current) setError(describeError(e, 'mailbox').text);
      } finally {
        if (mounted.current) setBusy(null);
        await refresh();
      }
    },
    [refresh],
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
