import { RECIPIENTS_MAX } from '../../lib/crm/contract';
import { describeError } from '../../lib/errors/describeError';
import { describeSkipCount } from '../../lib/logging/describeSkip';
import type { MailboxStatus } from '../../lib/messaging/messages';
import { formatRelativeTime } from './formatRelativeTime';

export interface MailboxStateViewProps {
  mailbox: MailboxStatus;
  now: number;
  onReconnect: () => void;
  reconnecting: boolean;
}

const STATE_LABELS: Record<MailboxStatus['state'], string> = {
  connected: 'Connected',
  syncing: 'Syncing',
  needs_reauth: 'Needs re-authentication',
  disconnected: 'Disconnected',
  error: 'Sync stopped by an error',
};

/**
 * When the mailbox will need the user again: the sign-in renews itself before then while the
 * provider's session lasts (Microsoft SPA sign-ins run out after 24 h).
 */
export function describeSignInExpiry(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const when = new Date(at).toLocaleString('en', { weekday: 'short', hour: 'numeric', minute: '2-digit' });
  if (at <= now)
    return 'The sign-in has run out: the next sync will try to renew it, or ask you to reconnect.';
  const hours = Math.round((at - now) / 3_600_000);
  const left = hours >= 1 ? `in about ${hours} hour${hours === 1 ? '' : 's'}` : 'within the hour';
  return `Sign-in renews automatically; if it cannot, you will need to reconnect ${left} (${when}).`;
}

/**
 * The state of one mailbox as the popup and the options page both show it: the state,
 * sync progress with what was logged and skipped (and why), the last sync, and
 * Reconnect when the provider no longer accepts the saved sign-in.
 */
export function MailboxStateView({ mailbox, now, onReconnect, reconnecting }: MailboxStateViewProps) {
  const { state, progress, lastSyncAt, lastError } = mailbox;
  const reasons = Object.entries(mailbox.skippedReasons).filter(([, count]) => count > 0);
  return (
    <div className="mailbox-state">
      <p className={`state state-${state}`} data-testid="mailbox-state">
        {STATE_LABELS[state]}
      </p>
      {state === 'syncing' && progress && (
        <div className="sync-progress">
          {progress.total === null ? (
            // Indeterminate until the provider says how many messages there are.
            <progress aria-label={`Sync progress for ${mailbox.address}`} />
          ) : (
            <progress
              value={progress.scanned}
              max={Math.max(progress.total, 1)}
              aria-label={`Sync progress for ${mailbox.address}`}
            />
          )}
          <p>
            {progress.total === null
              ? `Scanned ${progress.scanned}`
              : `Scanned ${progress.scanned} of ${progress.total}`}
            {` · logged ${progress.logged} · skipped ${progress.skipped}`}
          </p>
        </div>
      )}
      {reasons.length > 0 && (
        <p className="skipped-reasons">
          Skipped: {reasons.map(([reason, count]) => `${describeSkipCount(reason)} ${count}`).join(', ')}
        </p>
      )}
      {mailbox.recipientsCut > 0 && (
        <p className="recipients-cut" data-testid="recipients-cut">
          {mailbox.recipientsCut === 1 ? '1 email was' : `${mailbox.recipientsCut} emails were`} logged with
          only the first {RECIPIENTS_MAX} recipients of a list (the CRM keeps at most {RECIPIENTS_MAX}); every
          contact among the others still has the email.
        </p>
      )}
      {state === 'needs_reauth' && (
        <div className="reauth">
          <p data-testid="reauth-reason">
            {
              describeError(
                lastError?.kind === 'auth'
                  ? lastError
                  : { kind: 'auth', message: '', source: mailbox.provider },
                'mailbox',
                { account: mailbox.address },
              ).text
            }
          </p>
          <button type="button" onClick={onReconnect} disabled={reconnecting}>
            {reconnecting ? 'Reconnecting…' : 'Reconnect'}
          </button>
        </div>
      )}
      {lastError && state !== 'needs_reauth' && state !== 'disconnected' && (
        <p className="error-text" data-testid="mailbox-error">
          Last sync failed: {describeError(lastError, 'mailbox').text}
        </p>
      )}
      {mailbox.signInExpiresAt && state !== 'needs_reauth' && state !== 'disconnected' && (
        <p className="sign-in-expiry" data-testid="sign-in-expiry">
          {describeSignInExpiry(mailbox.signInExpiresAt, now)}
        </p>
      )}
      <p className="last-sync">
        {lastSyncAt ? `Last sync ${formatRelativeTime(lastSyncAt, now)}` : 'Not synced yet'}
      </p>
    </div>
  );
}
