import type { SyncAuditReport } from '../../lib/audit/SyncAuditReport';
import { describeError } from '../../lib/errors/describeError';
import { describeSkipCount } from '../../lib/logging/describeSkip';
import { formatRelativeTime } from './formatRelativeTime';

export interface SyncAuditFiguresProps {
  report: SyncAuditReport;
  now: number;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * One audit's figures, the same in the popup and the options page: progress while it runs,
 * then logged / skipped (by rule) / missing, when it ran, and what "Log missing" did.
 */
export function SyncAuditFigures({ report, now }: SyncAuditFiguresProps) {
  const { counts, progress } = report;
  const label = `Audit progress for ${report.address}`;
  return (
    <div className="sync-audit-figures">
      {report.state === 'running' && (
        <div className="sync-progress" role="status">
          {progress.total === null ? (
            <progress aria-label={label} />
          ) : (
            <progress aria-label={label} value={progress.scanned} max={Math.max(progress.total, 1)} />
          )}
          <span>
            Checking the last {report.windowDays} days: {plural(progress.scanned, 'message')}
            {progress.total !== null ? ` of about ${progress.total.toLocaleString('en')}` : ''} so far
          </span>
        </div>
      )}
      {report.state === 'failed' && report.error && (
        <p role="alert" className="error-text">
          The audit did not finish: {describeError(report.error, 'mailbox').text}
        </p>
      )}
      {report.state !== 'running' && (
        <p className="audit-when">
          Last {report.windowDays} days, checked{' '}
          {formatRelativeTime(report.finishedAt ?? report.startedAt, now)}
        </p>
      )}
      <dl className="audit-counts">
        <div>
          <dt>Logged</dt>
          <dd data-testid="audit-logged">{counts.logged.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>Skipped by rule</dt>
          <dd data-testid="audit-skipped">{counts.skipped.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>Missing in the CRM</dt>
          <dd data-testid="audit-missing">{counts.missing.toLocaleString('en')}</dd>
        </div>
      </dl>
      {report.skippedByRule.length > 0 && (
        <ul className="audit-rules" aria-label="Skipped by rule">
          {report.skippedByRule.map((r) => (
            <li key={r.rule}>
              {describeSkipCount(r.rule)}: {r.count.toLocaleString('en')}
              {r.example ? <span className="hint"> (e.g. {r.example})</span> : null}
            </li>
          ))}
        </ul>
      )}
      {report.logMissing?.state === 'done' && (
        <p role="status">
          Log missing: {plural(report.logMissing.queued, 'email')} sent to the CRM
          {report.logMissing.alreadyLogged > 0 ? `, ${report.logMissing.alreadyLogged} already there` : ''}.
        </p>
      )}
      {report.logMissing?.state === 'running' && <p role="status">Sending the missing emails to the CRM…</p>}
      {report.logMissing?.state === 'failed' && report.logMissing.error && (
        <p role="alert" className="error-text">
          Log missing failed: {describeError(report.logMissing.error, 'mailbox').text}
        </p>
      )}
    </div>
  );
}
