import { useId } from 'react';
import type { MailboxStatus } from '../../lib/messaging/messages';
import { describeMailboxProvider } from '../shared/describeMailboxProvider';
import { MailboxStateView } from '../shared/MailboxStateView';
import { InlineConfirmation } from './InlineConfirmation';
import type { MailboxActions } from './useMailboxActions';

export interface MailboxItemProps {
  mailbox: MailboxStatus;
  now: number;
  radioGroupName: string;
  actions: MailboxActions;
}

/** One connected mailbox: its sync state, the primary choice and Disconnect (confirmed inline). */
export function MailboxItem({ mailbox, now, radioGroupName, actions }: MailboxItemProps) {
  const radioId = useId();
  const confirming = actions.confirmingId === mailbox.id;
  return (
    <li className="mailbox" aria-label={mailbox.address}>
      <p className="mailbox-address">
        {mailbox.address} <span className="provider">{describeMailboxProvider(mailbox.provider)}</span>
      </p>
      <MailboxStateView
        mailbox={mailbox}
        now={now}
        reconnecting={actions.running(`reconnect:${mailbox.id}`)}
        onReconnect={() => actions.reconnect(mailbox)}
      />
      <div className="inline">
        <div className="radio">
          <input
            id={radioId}
            type="radio"
            name={radioGroupName}
            checked={mailbox.primary}
            onChange={() => actions.makePrimary(mailbox)}
          />
          <label htmlFor={radioId}>
            Primary<span className="visually-hidden"> mailbox: {mailbox.address}</span>
          </label>
        </div>
        {mailbox.state !== 'disconnected' && (
          <button
            type="button"
            className="danger"
            aria-label={`Disconnect ${mailbox.address}`}
            aria-expanded={confirming}
            onClick={() => actions.askToDisconnect(mailbox)}
          >
            Disconnect
          </button>
        )}
      </div>
      {confirming && (
        <InlineConfirmation
          title={`Disconnect ${mailbox.address}?`}
          description="Syncing stops and the saved sign-in is removed. Emails already logged from this mailbox stay in the CRM."
          confirmLabel="Disconnect mailbox"
          onConfirm={() => actions.disconnect(mailbox)}
          onCancel={() => actions.askToDisconnect(null)}
        />
      )}
    </li>
  );
}
