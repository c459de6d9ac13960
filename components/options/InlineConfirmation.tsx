import { type ReactNode, useEffect, useId, useRef } from 'react';

export interface InlineConfirmationProps {
  /** The question, such as "Disconnect rep@acme.test?". */
  title: string;
  /** What happens, and what stays, when the rep confirms. */
  description: ReactNode;
  /** The destructive button's words, such as "Disconnect mailbox". */
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * The options page's confirmation of a destructive action (disconnecting a mailbox, signing
 * out of a CRM). Inline rather than window.confirm: it can say what happens to what was
 * already logged, it is reachable by keyboard (focus starts on the safe choice, Escape
 * cancels), and it renders in tests.
 */
export function InlineConfirmation({
  title,
  description,
  confirmLabel,
  onConfirm,
  onCancel,
}: InlineConfirmationProps) {
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
        <strong>{title}</strong>
      </p>
      <p id={descriptionId}>{description}</p>
      <div className="actions">
        <button type="button" className="danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button type="button" ref={cancelButton} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
