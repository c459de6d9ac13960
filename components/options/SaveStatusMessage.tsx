import type { SaveStatus } from './useSaveStatus';

/**
 * "Saving…" / "Saved" in a polite live region, failures in an alert, so a keyboard or
 * screen-reader user hears the outcome without hunting for it.
 */
export function SaveStatusMessage({ status }: { status: SaveStatus }) {
  return (
    <>
      <p role="status" className="save-status">
        {status.state === 'saving' ? 'Saving…' : status.state === 'saved' ? 'Saved' : ''}
      </p>
      {status.state === 'failed' && (
        <p role="alert" className="error-text">
          {status.message}
        </p>
      )}
    </>
  );
}
