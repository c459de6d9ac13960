import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../../lib/errors/describeError';
import type { SidePanelThread } from '../../lib/panel/SidePanelThread';
import type { PanelApi } from './PanelApi';
import { PanelRoot } from './PanelRoot';

export interface SidePanelHost {
  /** The thread of the window's active tab, read through the mailbox API (`sidepanel.thread`). */
  thread(): Promise<SidePanelThread>;
  /** Calls back when the active tab or its address changes; returns the unsubscribe. */
  onActiveTabChange(listener: () => void): () => void;
  /** Opens the options page at a view (`#mailboxes`). */
  openOptions(route?: string): Promise<void>;
}

const WEBMAIL = { gmail: 'Gmail', outlook: 'Outlook' } as const;

const sideStyles = `
html, body { margin: 0; padding: 0; }
.crm-side-root { font: 13px/1.45 system-ui, sans-serif; color: #1f2328; background: #fff; min-height: 100vh; }
.crm-side-state { margin: 12px; padding: 12px; border-radius: 8px; border: 1px solid #d0d7de; background: #f6f8fa; }
.crm-side-state h1 { font-size: 14px; margin: 0 0 6px; }
.crm-side-state p { margin: 0 0 8px; }
.crm-side-state button { font: inherit; padding: 4px 10px; border-radius: 6px; border: 1px solid #8c959f; background: #fff; color: inherit; cursor: pointer; }
.crm-side-state button:focus-visible { outline: 2px solid #0969da; outline-offset: 2px; }
.crm-side-source { margin: 8px 12px 0; color: #59636e; font-size: 12px; }
.crm-side-state .crm-side-source { margin: 0 0 8px; }
.crm-side-people { margin: 0 0 8px; padding-left: 18px; word-break: break-all; }
.crm-side-person-name { font-weight: 600; }
@media (prefers-color-scheme: dark) {
  .crm-side-root { color: #e6edf3; background: #0d1117; }
  .crm-side-state { border-color: #30363d; background: #161b22; }
  .crm-side-state button { background: #21262d; border-color: #484f58; }
  .crm-side-source { color: #9198a1; }
}
`;

type Loaded = { thread: SidePanelThread } | { error: string } | null;

/**
 * The browser's side panel: the same panel as in the page, for the thread open in the active
 * tab, read through the connected mailbox's API rather than the page, so it keeps working
 * when Gmail's or Outlook's markup changes. It follows the active tab.
 */
export function SidePanelApp({ api, host }: { api: PanelApi; host: SidePanelHost }) {
  const [loaded, setLoaded] = useState<Loaded>(null);
  // No click guard here (components/panel/PanelClickGuard): the side panel is the browser's own
  // surface or an extension tab, which no web page can draw over, so a click in it is the rep's.

  const read = useCallback(async () => {
    try {
      setLoaded({ thread: await host.thread() });
    } catch (error) {
      setLoaded({ error: describeError(error, 'mailbox').text });
    }
  }, [host]);
  useEffect(() => {
    void read();
    return host.onActiveTabChange(() => void read());
  }, [host, read]);

  const thread = loaded && 'thread' in loaded ? loaded.thread : null;
  return (
    <div className="crm-side-root">
      <style>{sideStyles}</style>
      {loaded === null && (
        <p className="crm-side-state" role="status" aria-busy="true">
          Reading the open email…
        </p>
      )}
      {loaded && 'error' in loaded && (
        <div className="crm-side-state" role="alert">
          <h1>The open email could not be read</h1>
          <p>{loaded.error}</p>
          <button type="button" onClick={() => void read()}>
            Try again
          </button>
        </div>
      )}
      {thread?.state === 'thread' && (
        <>
          <p className="crm-side-source">
            Read through your {WEBMAIL[thread.snapshot.provider]} mailbox, not the page.
          </p>
          <PanelRoot snapshot={thread.snapshot} pageError={null} api={api} userAddresses={[]} />
        </>
      )}
      {thread && thread.state !== 'thread' && (
        <SidePanelState thread={thread} onOpenOptions={() => void host.openOptions('#setup/mailbox')} />
      )}
    </div>
  );
}

function SidePanelState({
  thread,
  onOpenOptions,
}: {
  thread: Exclude<SidePanelThread, { state: 'thread' }>;
  onOpenOptions: () => void;
}) {
  switch (thread.state) {
    case 'no_thread':
      return (
        <div className="crm-side-state" role="status">
          <h1>No email open</h1>
          <p>
            {thread.provider
              ? `Open an email in ${WEBMAIL[thread.provider]} and its people appear here.`
              : 'Open an email in Gmail or Outlook on the web in this window, and its people appear here.'}
          </p>
        </div>
      );
    case 'needs_mailbox':
      return (
        <div className="crm-side-state" role="status">
          <h1>Connect your {WEBMAIL[thread.provider]} mailbox</h1>
          <p>
            The side panel reads the open email through your mailbox, not the page, so it needs the{' '}
            {WEBMAIL[thread.provider]} mailbox connected. The panel inside {WEBMAIL[thread.provider]} works
            without it.
          </p>
          <button type="button" onClick={onOpenOptions}>
            Connect a mailbox
          </button>
        </div>
      );
    case 'page_people':
      return (
        <div className="crm-side-state" role="status">
          <h1>People on this email</h1>
          <p className="crm-side-source">
            Read from the page: the addresses {WEBMAIL[thread.provider]} shows, nothing more.
          </p>
          <ul className="crm-side-people" aria-label="People on this email, read from the page">
            {thread.people.map((person) => (
              <li key={person.address}>
                {person.name && person.name !== person.address ? (
                  <>
                    <span className="crm-side-person-name">{person.name}</span> {person.address}
                  </>
                ) : (
                  person.address
                )}
              </li>
            ))}
          </ul>
          <p>
            Their CRM records and logging need your {WEBMAIL[thread.provider]} mailbox connected: the page
            does not show the exact message identity, so nothing is logged from here.
          </p>
          <button type="button" onClick={onOpenOptions}>
            Connect a mailbox
          </button>
        </div>
      );
    case 'not_found':
      return (
        <div className="crm-side-state" role="status">
          <h1>This email is not in {thread.mailbox}</h1>
          <p>
            The mailbox has nothing under this address: the email may have been deleted, or it belongs to
            another account.
          </p>
        </div>
      );
    case 'unreadable_url':
      return (
        <div className="crm-side-state" role="status">
          <h1>Gmail’s link cannot be read here</h1>
          <p>
            Gmail’s address for this email is a code only Gmail’s own page understands; the Gmail API cannot
            open it. The panel inside Gmail shows this email.
          </p>
        </div>
      );
  }
}
