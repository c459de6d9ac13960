import type { MailboxStatus } from '../../lib/messaging/messages';
import type { PopupApi } from '../shared/ExtensionApi';
import { SyncAuditFigures } from '../shared/SyncAuditFigures';
import { useSyncAudits } from '../shared/useSyncAudits';

export interface AuditSummaryProps {
  api: Pick<PopupApi, 'getAudits'>;
  mailboxes: readonly MailboxStatus[];
  pollIntervalMs: number;
  now: number;
  onOpenOptions: () => void;
}

/** The popup's copy of the last sync audit of each mailbox; audits run from the options page. */
export function AuditSummary({ api, mailboxes, pollIntervalMs, now, onOpenOptions }: AuditSummaryProps) {
  const audits = useSyncAudits(api, pollIntervalMs);
  if (mailboxes.length === 0) return null;
  const reports = [...(audits.reports?.values() ?? [])].filter((r) =>
    mailboxes.some((m) => m.id === r.mailboxId),
  );
  return (
    <section aria-labelledby="audit-heading" className="audit-summary">
      <h2 id="audit-heading">Sync audit</h2>
      {audits.error && (
        <p role="alert" className="error-text">
          The audit figures could not be read: {audits.error}
        </p>
      )}
      {audits.reports !== null && reports.length === 0 && (
        <p>
          No audit yet.{' '}
          <button type="button" className="link-button" onClick={onOpenOptions}>
            Check what the CRM is missing
          </button>
        </p>
      )}
      {reports.map((report) => (
        <div key={report.mailboxId} className="audit-summary-item">
          <p className="mailbox-address">{report.address}</p>
          <SyncAuditFigures report={report} now={now} />
          {report.state === 'done' && report.counts.missing > 0 && report.logMissing?.state !== 'done' && (
            <button type="button" className="link-button" onClick={onOpenOptions}>
              Review and log the missing emails in settings
            </button>
          )}
        </div>
      ))}
    </section>
  );
}
