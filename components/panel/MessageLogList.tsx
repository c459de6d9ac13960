import { type ReactNode, useId } from 'react';
import { describeSkip } from '../../lib/logging/describeSkip';
import type { SkipReason } from '../../lib/logging/SkipReason';
import type { MessageLogStatus } from '../../lib/panel/ThreadView';
import { describeSharing } from '../../lib/settings/privacyLevels';
import type { PrivacyLevel } from '../../lib/settings/Settings';
import { formatAbsoluteTime, formatRelativeTime } from '../shared/formatRelativeTime';
import { whenTrusted } from './whenTrusted';

export interface MessageLogListProps {
  messages: MessageLogStatus[];
  /** What logging shares, said before the thread's first log; null when unknown. */
  privacyLevel?: PrivacyLevel | null;
  onChangePrivacy?(): void;
  /** Messages with a log or retry call in flight. */
  inFlight: ReadonlySet<string>;
  onLog(providerMessageIds: string[]): void;
  onRetry(message: MessageLogStatus): void;
  /** Undo, Move and Redact on a receipt (ReceiptActions); kept mounted while the receipt changes. */
  renderActions?(message: MessageLogStatus): ReactNode;
  now?: number;
}

/** "Log thread" logs what a user would otherwise click one by one: loggable and not logged yet. */
export function loggableMessageIds(messages: MessageLogStatus[], inFlight: ReadonlySet<string>): string[] {
  return messages
    .filter((message) => message.state === 'not_logged' && !inFlight.has(message.providerMessageId))
    .map((message) => message.providerMessageId);
}

/** Nothing of the thread has reached (or is on its way to) the CRM yet, and something could. */
function beforeFirstLog(messages: MessageLogStatus[]): boolean {
  return (
    messages.some((message) => message.state === 'not_logged') &&
    messages.every((message) => message.state === 'not_logged' || message.state === 'not_loggable')
  );
}

export function MessageLogList({
  messages,
  privacyLevel,
  onChangePrivacy,
  inFlight,
  onLog,
  onRetry,
  renderActions,
  now,
}: MessageLogListProps) {
  if (messages.length === 0) return null;
  const pendingIds = loggableMessageIds(messages, inFlight);
  return (
    <section className="crm-section crm-log" aria-label="Log emails">
      <div className="crm-section-head">
        <h3 className="crm-heading">
          Emails in this thread
          {messages.some((m) => m.state === 'logged') && (
            // The same mark Gmail's thread list shows on logged conversations (GmailThreadRowMarker).
            <>
              {' '}
              <span
                className="crm-badge crm-in-crm"
                data-testid="crm-in-crm"
                title="This conversation has emails in the CRM"
              >
                In CRM
              </span>
            </>
          )}
        </h3>
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
      {privacyLevel && beforeFirstLog(messages) && (
        <p className="crm-muted crm-sharing" data-testid="crm-sharing">
          {describeSharing(privacyLevel)}{' '}
          {onChangePrivacy && (
            <button type="button" className="crm-link-button" onClick={whenTrusted(onChangePrivacy)}>
              Change what is shared
            </button>
          )}
        </p>
      )}
      <ul className="crm-log-list">
        {messages.map((message) => (
          <MessageLogRow
            key={message.providerMessageId}
            message={message}
            busy={inFlight.has(message.providerMessageId)}
            onLog={() => onLog([message.providerMessageId])}
            onRetry={() => onRetry(message)}
            actions={renderActions?.(message)}
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
  actions?: ReactNode;
  now?: number;
}

function MessageLogRow({ message, busy, onLog, onRetry, actions, now }: MessageLogRowProps) {
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
        {actions}
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
          {message.skip ? (
            <ReceiptLine tone="muted" title="Not logged by the sync" skip={message.skip} />
          ) : message.reason ? (
            <span className="crm-muted">{message.reason}</span>
          ) : null}
          <button
            type="button"
            className="crm-button"
            onClick={whenTrusted(onLog)}
            aria-label={`Log email “${subject}”`}
          >
            Log email
          </button>
          {message.contacts.length > 0 && (
            <span className="crm-muted crm-receipt-detail">Logs to {namesOf(message)}</span>
          )}
        </>
      );
    case 'logged':
      return (
        <span className="crm-receipt">
          <span className="crm-logged">
            <span aria-hidden="true">✓ </span>
            {loggedText(message, now)}
          </span>
          <ReceiptTargets message={message} />
        </span>
      );
    case 'queued':
      return (
        <span className="crm-receipt">
          <span className="crm-queued">Queued — will be sent when the CRM is reachable</span>
          <ReceiptTargets message={message} />
        </span>
      );
    case 'failed':
      return (
        <>
          <span className="crm-receipt">
            <span className="crm-error">{message.error ?? 'Logging failed.'}</span>
            <span className="crm-muted crm-receipt-detail">Nothing is lost: Retry sends it again, once.</span>
          </span>
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
      return message.skip ? (
        <ReceiptLine tone="skipped" title="Skipped" skip={message.skip} />
      ) : (
        <span className="crm-muted">{message.reason ?? 'This email cannot be logged.'}</span>
      );
  }
}

/** "Skipped: automated mail (a newsletter)" and, under it, the evidence ("List-Unsubscribe ..."). */
function ReceiptLine({ title, skip, tone }: { title: string; skip: SkipReason; tone: 'skipped' | 'muted' }) {
  const words = describeSkip(skip);
  return (
    <span className={`crm-receipt crm-receipt-${tone}`} data-skip-rule={skip.rule}>
      <span className="crm-receipt-rule">
        {title}: {words.rule}
      </span>
      {words.detail && <span className="crm-muted crm-receipt-detail">{words.detail}</span>}
    </span>
  );
}

function namesOf(message: MessageLogStatus): string {
  return message.contacts.map((contact) => contact.name).join(', ');
}

/** "to Jane Doe, Sam Lee · deal: Acme renewal" (or "no deal"); the deal only when it is known. */
function ReceiptTargets({ message }: { message: MessageLogStatus }) {
  if (message.contacts.length === 0 && message.deal === null) return null;
  const deal =
    message.deal === null
      ? null
      : message.deal.id === null
        ? 'no deal'
        : `deal: ${message.deal.name ?? 'a deal'}`;
  return (
    <span className="crm-muted crm-receipt-detail">
      {message.contacts.length > 0 && `to ${namesOf(message)}`}
      {message.contacts.length > 0 && deal && ' · '}
      {deal}
    </span>
  );
}

export function loggedText(message: MessageLogStatus, now?: number): string {
  const when = message.loggedAt ? formatRelativeTime(message.loggedAt, now) : '';
  const colleagues = message.loggedBy
    .filter((user) => !user.self)
    .map((user) => user.name)
    .filter(Boolean);
  if (message.loggedBy.some((user) => user.self)) {
    const also = colleagues.length > 0 ? ` (also by ${colleagues.join(', ')})` : '';
    return `${when ? `Logged ${when} by You` : 'Logged by You'}${also}`;
  }
  if (colleagues.length > 0) return `Already logged by ${colleagues.join(', ')}${when ? ` ${when}` : ''}`;
  return when ? `Logged ${when}` : 'Logged';
}
