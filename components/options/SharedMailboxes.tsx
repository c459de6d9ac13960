import type { MailboxStatus } from '../../lib/messaging/messages';
import type { MailboxActions } from './useMailboxActions';

export interface SharedMailboxesProps {
  /** The shared mailboxes the organisation's policy allows (`sharedMailboxes`). */
  allowed: readonly string[];
  mailboxes: readonly MailboxStatus[];
  actions: MailboxActions;
}

const STATE_WORDS: Record<MailboxStatus['state'], string> = {
  connected: 'Connected',
  syncing: 'Syncing…',
  needs_reauth: 'Needs you to sign in again',
  disconnected: 'Not connected',
  error: 'Sync failed',
};

/**
 * The organisation's shared mailboxes (Microsoft 365), each with Connect: read with the rep's
 * own Outlook sign-in and the Mail.Read.Shared permission, asked for on that Connect. Shown
 * only when the policy lists any. Failures are worded by describeError (the section's alert).
 */
export function SharedMailboxes({ allowed, mailboxes, actions }: SharedMailboxesProps) {
  if (allowed.length === 0) return null;
  const ownOutlook = mailboxes.some(
    (m) => m.provider === 'outlook' && !m.shared && m.state !== 'disconnected',
  );
  return (
    <fieldset data-testid="shared-mailboxes">
      <legend>Shared mailboxes</legend>
      <p className="hint">
        Your organisation lets you log the mail you send from these Microsoft 365 shared mailboxes. Connecting
        one asks Microsoft, with your own sign-in, for permission to read mailboxes shared with you; mail a
        colleague sent from it stays theirs to log.
        {!ownOutlook && ' Connect your own Outlook mailbox first.'}
      </p>
      <ul className="mailbox-list">
        {allowed.map((address) => {
          const row = mailboxes.find((m) => m.shared && m.address === address);
          const key = `shared:${address}`;
          const running = actions.running(key);
          const connected = row !== undefined && row.state !== 'disconnected';
          return (
            <li key={address} data-testid={`shared-mailbox-${address}`}>
              <span>{address}</span>{' '}
              <span className="hint" role="status">
                {running ? 'Connecting…' : STATE_WORDS[row?.state ?? 'disconnected']}
              </span>{' '}
              {!connected && (
                <button
                  type="button"
                  disabled={!ownOutlook || running}
                  aria-busy={running}
                  onClick={() => actions.connectShared(address, key)}
                >
                  Connect {address}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
