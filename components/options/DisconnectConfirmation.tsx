import { useEffect, useId, useRef } from 'react';

export interface DisconnectConfirmationProps {
  address: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * An inline confirmation rather than window.confirm: it can say what happens to what was
 * already logged, it is reachable by keyboard (focus starts on the safe choice, Escape
 * cancels), and it renders in tests.
 */
export function DisconnectConfirmation({ address, onConfirm, onCancel }: DisconnectConfirmationProps) {
  const titleId = useId();
  const descriptionId = useId();
  const cancelButton = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelButton.current?.focus(), []);
  return (
    <div
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={descriptionId}
      className="confirm"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
    >
      <p id={titleId}>
        <strong>Disconnect {address}?</strong>
      </p>
      <p id={descriptionId}>
        Syncing stops and the saved sign-in is removed. Emails already logged from this mailbox stay in the
        CRM.
      </p>
      <div className="actions">
        <button type="button" className="danger" onClick={onConfirm}>
          Disconnect mailbox
        </button>
        <button type="button" ref={cancelButton} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
