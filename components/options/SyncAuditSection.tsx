import { useId, useState } from 'react';
import {
  AUDIT_WINDOW_DAYS,
  type AuditWindowDays,
  type SyncAuditReport,
} from '../../lib/audit/SyncAuditReport';
import type { MailboxStatus } from '../../lib/messaging/messages';
import { SyncAuditFigures } from '../shared/SyncAuditFigures';
import { type SyncAuditActionError, type SyncAuditsApi, useSyncAudits } from '../shared/useSyncAudits';

export interface SyncAuditSectionProps {
  api: SyncAuditsApi;
  mailboxes: readonly MailboxStatus[];
  pollIntervalMs: number;
  now: () => number;
}

/** How many missing emails are listed by name before "and N more". */
const LISTED = 10;

/**
 * The sync audit in the options page's Mailboxes section: per connected mailbox, a window
 * (7, 30 or 90 days), Run audit with its progress, the figures (logged, skipped by rule,
 * missing), the missing emails by subject, and Log missing, which sends them once.
 */
export function SyncAuditSection({ api, mailboxes, pollIntervalMs, now }: SyncAuditSectionProps) {
  const audits = useSyncAudits(api, pollIntervalMs);
  const connected = mailboxes.filter((m) => m.state !== 'disconnected');
  return (
    <section aria-labelledby="sync-audit-heading" className="sync-audit">
      <h3 id="sync-audit-heading">Sync audit</h3>
      <p className="hint">
        Compares the Message-IDs of a mailbox’s sent mail (and received mail, when that is logged) with what
        the CRM holds for them: what is logged, what the sync’s rules skip and why, and what the CRM is
        missing. It reads the mailbox within its API quota; nothing changes until you press Log missing.
      </p>
      {audits.reports === null && !audits.error && (
        <p role="status" aria-busy="true" className="loading">
          Loading the last audits…
        </p>
      )}
      {audits.error && (
        <div role="alert" className="error-box">
          <p>The audits could not be read: {audits.error}</p>
          <button type="button" onClick={() => void audits.refresh()}>
            Try again
          </button>
        </div>
      )}
      {connected.length === 0 ? (
        <p className="empty">Connect a mailbox to audit what the CRM holds for it.</p>
      ) : (
        <ul className="audit-list">
          {connected.map((mailbox) => (
            <MailboxAudit
              key={mailbox.id}
              mailbox={mailbox}
              report={audits.reports?.get(mailbox.id) ?? null}
              busy={audits.busy === mailbox.id}
              actionError={audits.actionError?.mailboxId === mailbox.id ? audits.actionError : null}
              now={now()}
              onStart={(days) => void audits.start(mailbox.id, days)}
              onLogMissing={() => void audits.logMissing(mailbox.id)}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

interface MailboxAuditProps {
  mailbox: MailboxStatus;
  report: SyncAuditReport | null;
  busy: boolean;
  actionError: SyncAuditActionError | null;
  now: number;
  onStart: (days: AuditWindowDays) => void;
  onLogMissing: () => void;
}

function MailboxAudit({ mailbox, report, busy, actionError, now, onStart, onLogMissing }: MailboxAuditProps) {
  const selectId = useId();
  const [days, setDays] = useState<AuditWindowDays>(report?.windowDays ?? 30);
  const running = report?.state === 'running' || report?.logMissing?.state === 'running';
  const canLogMissing =
    report?.state === 'done' && report.counts.missing > 0 && report.logMissing?.state !== 'done';
  const unlisted = report ? report.counts.missing - Math.min(report.missing.length, LISTED) : 0;
  return (
    <li className="mailbox-audit" aria-label={`Sync audit of ${mailbox.address}`}>
      <p className="mailbox-address">{mailbox.address}</p>
      <div className="inline">
        <label htmlFor={selectId}>Window</label>
        <select
          id={selectId}
          value={days}
          disabled={running}
          onChange={(e) => setDays(Number(e.target.value) as AuditWindowDays)}
        >
          {AUDIT_WINDOW_DAYS.map((d) => (
            <option key={d} value={d}>
              Last {d} days
            </option>
          ))}
        </select>
        <button
          type="button"
          disabled={running || busy || mailbox.state === 'needs_reauth'}
          onClick={() => onStart(days)}
        >
          {report?.state === 'running' ? 'Auditing…' : report ? 'Run the audit again' : 'Run audit'}
        </button>
      </div>
      {mailbox.state === 'needs_reauth' && <p className="hint">Reconnect this mailbox to audit it.</p>}
      {actionError && (
        <p role="alert" className="error-text">
          {actionError.action === 'start'
            ? 'The audit could not be started: '
            : 'The missing emails could not be sent to the CRM: '}
          {actionError.text}
        </p>
      )}
      {!report && (
        <p className="empty">
          <strong>No audit yet.</strong> Run audit compares the emails the sync would log from this mailbox
          with what the CRM holds, and offers to log what is missing.
        </p>
      )}
      {report && <SyncAuditFigures report={report} now={now} />}
      {report?.state === 'done' && report.counts.missing === 0 && !report.logMissing && (
        <p className="ok">Nothing is missing: the CRM holds every email the sync would log.</p>
      )}
      {canLogMissing && report && (
        <>
          <ul className="audit-missing" aria-label="Missing in the CRM">
            {report.missing.slice(0, LISTED).map((m) => (
              <li key={m.externalId}>
                <span className="subject">{m.subject || '(no subject)'}</span>
                {m.counterparties.length > 0 && (
                  <span className="hint"> to {m.counterparties.join(', ')}</span>
                )}
                {m.date && <span className="hint"> · {formatDay(m.date)}</span>}
              </li>
            ))}
          </ul>
          {unlisted > 0 && <p className="hint">…and {unlisted.toLocaleString('en')} more.</p>}
          <button type="button" disabled={busy || running} onClick={onLogMissing}>
            {report.logMissing?.state === 'running'
              ? 'Logging…'
              : `Log missing (${report.counts.missing.toLocaleString('en')})`}
          </button>
        </>
      )}
    </li>
  );
}

function formatDay(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? '' : new Date(at).toLocaleDateString('en', { day: 'numeric', month: 'short' });
}
