import { useId } from 'react';
import type { Settings } from '../../lib/settings/Settings';
import type { ExtensionApi } from '../shared/ExtensionApi';
import { PageIntegrationNotices } from '../shared/PageIntegrationNotices';
import { useExtensionStatus } from '../shared/useExtensionStatus';
import type { SyncAuditsApi } from '../shared/useSyncAudits';
import { MailboxConnectActions } from './MailboxConnectActions';
import { MailboxItem } from './MailboxItem';
import { SharedMailboxes } from './SharedMailboxes';
import { SyncAuditSection } from './SyncAuditSection';
import { SyncSettingsFieldset } from './SyncSettingsFieldset';
import { type MailboxActionsApi, useMailboxActions } from './useMailboxActions';
import type { SaveSettings } from './useSettings';

export interface MailboxesSectionProps {
  api: Pick<ExtensionApi, 'getStatus' | 'openSidePanel'> & MailboxActionsApi & SyncAuditsApi;
  settings: Settings;
  save: SaveSettings;
  pollIntervalMs: number;
  now: () => number;
}

export function MailboxesSection({ api, settings, save, pollIntervalMs, now }: MailboxesSectionProps) {
  const { status, error, refresh } = useExtensionStatus(api, pollIntervalMs);
  const actions = useMailboxActions(api, refresh);
  const primaryGroup = useId();
  const mailboxes = status?.mailboxes ?? [];

  return (
    <section aria-labelledby="mailboxes-heading" className="card">
      <h2 id="mailboxes-heading">Mailboxes</h2>
      <p className="hint">
        Connected mailboxes are read through the Gmail API or Microsoft Graph, so what you send from webmail
        is logged without a click. Several mailboxes can be connected, personal and shared.
      </p>
      <details className="hint" data-testid="gmail-modes">
        <summary>Gmail without connecting a mailbox</summary>
        <p>
          Without a connected mailbox, Gmail still works in the browser: the panel on every open thread, “Log”
          on a thread, and the “Log to CRM” switch in each compose window, each logged with the exact
          Message-ID read from Gmail’s own page. Nothing else is needed. What you do not get: the background
          sync (mail sent from your phone or another computer, the history import, received mail).
        </p>
        <p>
          Connecting a Gmail mailbox adds that sync. It needs your own Google OAuth client and the Gmail read
          scope (gmail.readonly), which Google classes as restricted: an app for the public needs Google’s
          verification with a security assessment, and until then at most 100 users can sign in, past an
          “unverified app” warning. An app marked Internal in a Google Workspace organisation needs neither.
        </p>
      </details>
      {status && (
        <PageIntegrationNotices status={status} sidePanelAvailable={api.openSidePanel !== undefined} />
      )}
      {!status && !error && (
        <p role="status" aria-busy="true" className="loading">
          Loading mailboxes…
        </p>
      )}
      {error && (
        <div role="alert" className="error-box">
          <p>The mailboxes could not be read: {error}</p>
          <button type="button" onClick={() => void refresh()}>
            Try again
          </button>
        </div>
      )}
      {status && mailboxes.length === 0 && (
        <p className="empty">
          <strong>No mailbox connected yet.</strong> The sidebar works without one, from what the page shows;
          connect Gmail or Outlook to log the mail you send without a click, with exact Message-IDs.
        </p>
      )}
      {mailboxes.length > 0 && (
        <fieldset>
          <legend id={primaryGroup}>Connected mailboxes</legend>
          <ul className="mailbox-list">
            {mailboxes.map((mailbox) => (
              <MailboxItem
                key={mailbox.id}
                mailbox={mailbox}
                now={now()}
                radioGroupName={primaryGroup}
                actions={actions}
              />
            ))}
          </ul>
        </fieldset>
      )}
      <MailboxConnectActions oauth={settings.oauth} hasMailboxes={mailboxes.length > 0} actions={actions} />
      <SharedMailboxes allowed={settings.sharedMailboxes} mailboxes={mailboxes} actions={actions} />
      <p role="status" className="save-status">
        {actions.message}
      </p>
      {actions.error && (
        <p role="alert" className="error-text">
          {actions.error}
        </p>
      )}
      <SyncAuditSection api={api} mailboxes={mailboxes} pollIntervalMs={pollIntervalMs} now={now} />
      <SyncSettingsFieldset settings={settings} save={save} />
    </section>
  );
}
