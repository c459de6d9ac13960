import { describeError } from '../../lib/errors/describeError';
import type { ExtensionStatus, OutboxFailure } from '../../lib/messaging/messages';

export interface OutboxSummaryProps {
  outbox: ExtensionStatus['outbox'];
  failures: OutboxFailure[];
  retrying: boolean;
  onRetryAll: () => void;
}

/** What is still waiting to reach the CRM, and what could not, with one way to try again. */
export function OutboxSummary({ outbox, failures, retrying, onRetryAll }: OutboxSummaryProps) {
  return (
    <section aria-labelledby="outbox-heading">
      <h2 id="outbox-heading">Outbox</h2>
      {outbox.pending + outbox.failed + outbox.delivered === 0 ? (
        <p className="empty-state" data-testid="outbox-counts">
          Nothing logged yet. Emails you log wait here until the CRM has them.
        </p>
      ) : outbox.pending + outbox.failed === 0 ? (
        <p data-testid="outbox-counts">
          Nothing waiting: all{' '}
          {outbox.delivered === 1 ? '1 logged email has' : `${outbox.delivered} logged emails have`} reached
          the CRM.
        </p>
      ) : (
        <p data-testid="outbox-counts">
          {outbox.pending} waiting · {outbox.failed} failed · {outbox.delivered} delivered
        </p>
      )}
      {failures.length > 0 && (
        <>
          <ul className="outbox-failures" aria-label="Failed emails">
            {failures.map((failure) => (
              <li key={failure.id}>
                <span className="subject">{failure.subject || '(no subject)'}</span>
                <span className="error-text">
                  {describeError(failure.error, 'crm').text}
                  {failure.attempts > 1 ? ` (after ${failure.attempts} attempts)` : ''}
                </span>
              </li>
            ))}
          </ul>
          <button type="button" onClick={onRetryAll} disabled={retrying}>
            {retrying ? 'Retrying…' : 'Retry all'}
          </button>
        </>
      )}
    </section>
  );
}
