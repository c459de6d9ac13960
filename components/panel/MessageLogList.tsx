import { useId } from 'react';
import type { MessageLogStatus } from '../../lib/panel/ThreadView';
import { formatAbsoluteTime, formatRelativeTime } from '../shared/formatRelativeTime';
import { whenTrusted } from './whenTrusted';

export interface MessageLogListProps {
  messages: MessageLogStatus[];
  /** Messages with a log or retry call in flight. */
  inFlight: ReadonlySet<string>;
  onLog(providerMessageIds: string[]): void;
  onRetry(message: MessageLogStatus): void;
  now?: number;
}

/** "Log thread" logs what a user would otherwise click one by one: loggable and not logged yet. */
export function loggableMessageIds(messages: MessageLogStatus[], inFlight: ReadonlySet<string>): string[] {
  return messages
    .filter((message) => message.state === 'not_logged' && !inFlight.has(message.providerMessageId))
    .map((message) => message.providerMessageId);
}

export function MessageLogList({ messages, inFlight, onLog, onRetry, now }: MessageLogListProps) {
  if (messages.length === 0) return null;
  const pendingIds = loggableMessageIds(messages, inFlight);
  return (
    <section className="crm-section crm-log" aria-label="Log emails">
      <div className="crm-section-head">
        <h3 className="crm-heading">Emails in this thread</h3>
        {messages.length > 1 && (
          <button
            type="button"
            className="crm-button"
            disabled={pendingIds.length === 0}
            onClick={whenTrusted(() => onLog(pendingIds))}
          >
            Log thread
          </button>
        )}
      </div>
      <ul className="crm-log-list">
        {messages.map((message) => (
          <MessageLogRow
            key={message.providerMessageId}
            message={message}
            busy={inFlight.has(message.providerMessageId)}
            onLog={() => onLog([message.providerMessageId])}
            onRetry={() => onRetry(message)}
            now={now}
          />
        ))}
      </ul>
    </section>
  );
}

interface MessageLogRowProps {
  message: MessageLogStatus;
  busy: boolean;
  onLog(): void;
  onRetry(): void;
  now?: number;
}

function MessageLogRow({ message, busy, onLog, onRetry, now }: MessageLogRowProps) {
  const approximateId = useId();
  const subject = message.subject || '(no subject)';
  return (
    <li className={`crm-log-row crm-log-${busy ? 'logging' : message.state}`} aria-busy={busy || undefined}>
      <div className="crm-log-what">
        <span className="crm-log-subject">
          {message.direction && (
            <span
              role="img"
              className={`crm-direction crm-direction-${message.direction}`}
              aria-label={message.direction === 'incoming' ? 'Incoming' : 'Outgoing'}
            >
              {message.direction === 'incoming' ? '↓' : '↑'}
            </span>
          )}
          {subject}
        </span>
        <span className="crm-muted">
          {message.fromName}
          {message.fromName && ' · '}
          {message.date ? (
            <time dateTime={message.date} title={formatAbsoluteTime(message.date)}>
              {formatRelativeTime(message.date, now)}
            </time>
          ) : (
            <span>date not shown</span>
          )}
        </span>
        {message.approximateKey && (
          <span className="crm-approximate">
            <span
              className="crm-badge"
              title="No exact Message-ID was available"
              aria-describedby={approximateId}
            >
              approximate
            </span>
            <span id={approximateId} className="crm-visually-hidden">
              No exact Message-ID was available for this email, so it is logged under a key derived from the
              mail provider's own id. Logging it again from another mailbox may not be recognised as the same
              email.
            </span>
          </span>
        )}
      </div>
      <div className="crm-log-state">
        <MessageLogState
          message={message}
          busy={busy}
          subject={subject}
          onLog={onLog}
          onRetry={onRetry}
          now={now}
        />
      </div>
    </li>
  );
}

function MessageLogState({
  message,
  busy,
  subject,
  onLog,
  onRetry,
  now,
}: MessageLogRowProps & { subject: string }) {
  if (busy) {
    return (
      <button type="button" className="crm-button" disabled aria-label={`Logging “${subject}”`}>
        <span className="crm-spinner" aria-hidden="true" />
        Logging…
      </button>
    );
  }
  switch (message.state) {
    case 'not_logged':
      return (
        <>
          {message.reason ? <span className="crm-muted">{message.reason}</span> : null}
          <button
            type="button"
            className="crm-button"
            onClick={whenTrusted(onLog)}
            aria-label={`Log email “${subject}”`}
          >
            Log email
          </button>
        </>
      );
    case 'logged':
      return <span className="crm-logged">{loggedText(message, now)}</span>;
    case 'queued':
      return <span className="crm-queued">Queued — will be sent when the CRM is reachable</span>;
    case 'failed':
      return (
        <>
          <span className="crm-error">{message.error ?? 'Logging failed.'}</span>
          <button
            type="button"
            className="crm-button"
            onClick={whenTrusted(onRetry)}
            aria-label={`Retry logging “${subject}”`}
          >
            Retry
          </button>
        </>
      );
    case 'not_loggable':
      return <span className="crm-muted">{message.reason ?? 'This email cannot be logged.'}</span>;
  }
}

export function loggedText(message: MessageLogStatus, now?: number): string {
  const when = message.loggedAt ? formatRelativeTime(message.loggedAt, now) : '';
  if (message.loggedBy.some((user) => user.self)) return when ? `Logged ${when} by You` : 'Logged by You';
  const colleagues = message.loggedBy.map((user) => user.name).filter(Boolean);
  if (colleagues.length > 0) return `Already logged by ${colleagues.join(', ')}`;
  return when ? `Logged ${when}` : 'Logged';
}
