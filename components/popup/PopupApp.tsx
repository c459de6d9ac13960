import { useEffect, useState } from 'react';
import { describeError } from '../../lib/errors/describeError';
import type { BackgroundProblem, ExtensionStatus, MailboxStatus } from '../../lib/messaging/messages';
import type { Settings } from '../../lib/settings/Settings';
import { missingSetupSteps, type SetupStepId } from '../../lib/setup/setupSteps';
import { describeMailboxProvider } from '../shared/describeMailboxProvider';
import type { PopupApi } from '../shared/ExtensionApi';
import { formatRelativeTime } from '../shared/formatRelativeTime';
import { MailboxStateView } from '../shared/MailboxStateView';
import { ManagedByNotice } from '../shared/ManagedByNotice';
import { PageIntegrationNotices } from '../shared/PageIntegrationNotices';
import { usePolicyView } from '../shared/PolicyContext';
import { useExtensionStatus } from '../shared/useExtensionStatus';
import { AuditSummary } from './AuditSummary';
import { OutboxSummary } from './OutboxSummary';
import { SetupChecklist } from './SetupChecklist';

export interface PopupAppProps {
  api: PopupApi;
  /** How often status is asked again while a mailbox syncs. */
  pollIntervalMs?: number;
  now?: () => number;
}

export function PopupApp({ api, pollIntervalMs = 2000, now = Date.now }: PopupAppProps) {
  const { status, error, refresh } = useExtensionStatus(api, pollIntervalMs);
  const [actionMessage, setActionMessage] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  // Only the set-up checklist needs the settings; without them it is left out, not guessed.
  const [settings, setSettings] = useState<Settings | null>(null);
  const policy = usePolicyView(api);
  useEffect(() => {
    api.getSettings().then(setSettings, () => setSettings(null));
  }, [api]);

  async function run(key: string, action: () => Promise<string | null>) {
    setBusy(key);
    setActionMessage(null);
    setActionError(null);
    try {
      setActionMessage(await action());
    } catch (e) {
      setActionError(describeError(e, 'mailbox').text);
    } finally {
      setBusy(null);
      await refresh();
    }
  }

  const openOptions = () =>
    void run('options', async () => {
      await api.openOptions();
      return null;
    });
  const openStep = (step: SetupStepId) =>
    void run('options', async () => {
      await api.openOptions({ page: 'setup', step });
      return null;
    });

  return (
    <main className="popup">
      <header className="popup-header">
        <h1>CRM Sidebar</h1>
        {status && (
          <p className="version" data-testid="version">
            Version {status.version}
          </p>
        )}
      </header>
      <ManagedByNotice view={policy.view} failed={policy.failed} />
      {!status && !error && (
        <p aria-busy="true" role="status" className="loading">
          Reading the extension’s status…
        </p>
      )}
      {error && (
        <div role="alert" className="error-box">
          <p>{status ? `Could not refresh: ${error}` : `Could not read the extension’s status: ${error}`}</p>
          <button type="button" onClick={() => void refresh()}>
            Try again
          </button>
        </div>
      )}
      {status && (
        <>
          <CrmState status={status} onOpenSetup={() => openStep('connect')} />
          <PageIntegrationNotices status={status} sidePanelAvailable={api.openSidePanel !== undefined} />
          {api.openSidePanel && (
            <SidePanelButton
              opening={busy === 'sidepanel'}
              onOpen={() => {
                const open = api.openSidePanel;
                if (!open) return;
                // Straight from the click: the browser opens its side panel only in a user gesture.
                void run('sidepanel', async () => {
                  await open();
                  return null;
                });
              }}
            />
          )}
          <BackgroundProblems problems={status.problems} now={now()} onOpenOptions={openOptions} />
          {settings && (
            <SetupChecklist
              missing={missingSetupSteps({
                settings,
                mailboxCount: status.mailboxes.length,
                policySources: policy.view.sources,
              })}
              onOpenStep={openStep}
            />
          )}
          <section aria-labelledby="mailboxes-heading">
            <h2 id="mailboxes-heading">Mailboxes</h2>
            {status.mailboxes.length === 0 ? (
              <p className="empty-state">
                No mailbox connected, so only emails you log with a click reach the CRM.{' '}
                <button type="button" className="link-button" onClick={() => openStep('mailbox')}>
                  Connect a mailbox
                </button>
              </p>
            ) : (
              <ul className="mailbox-list">
                {status.mailboxes.map((mailbox) => (
                  <PopupMailbox
                    key={mailbox.id}
                    mailbox={mailbox}
                    now={now()}
                    reconnecting={busy === `reconnect:${mailbox.id}`}
                    onReconnect={() =>
                      void run(`reconnect:${mailbox.id}`, async () => {
                        const connected = await api.connectMailbox(mailbox.provider);
                        return `${connected.address} reconnected.`;
                      })
                    }
                  />
                ))}
              </ul>
            )}
            <button
              type="button"
              disabled={busy === 'sync' || status.mailboxes.length === 0}
              onClick={() =>
                void run('sync', async () => {
                  const started = await api.syncNow();
                  return started === 0
                    ? 'Nothing to sync.'
                    : `Sync started for ${plural(started, 'mailbox')}.`;
                })
              }
            >
              {busy === 'sync' ? 'Starting…' : 'Sync now'}
            </button>
          </section>
          <AuditSummary
            api={api}
            mailboxes={status.mailboxes}
            pollIntervalMs={pollIntervalMs}
            now={now()}
            onOpenOptions={openOptions}
          />
          <OutboxSummary
            outbox={status.outbox}
            failures={status.outboxFailures}
            retrying={busy === 'retry'}
            onRetryAll={() =>
              void run('retry', async () => `Retrying ${plural(await api.retryOutbox(), 'email')}.`)
            }
          />
          <p role="status" className="action-message">
            {actionMessage}
          </p>
          {actionError && (
            <p role="alert" className="error-text">
              {actionError}
            </p>
          )}
          <footer>
            <button type="button" className="link-button" onClick={openOptions}>
              Settings
            </button>
          </footer>
        </>
      )}
    </main>
  );
}

/** The browser's side panel: the CRM beside the email, read through the mailbox, not the page. */
function SidePanelButton({ opening, onOpen }: { opening: boolean; onOpen: () => void }) {
  return (
    <section aria-labelledby="side-panel-heading" className="side-panel-entry">
      <h2 id="side-panel-heading">Side panel</h2>
      <p className="hint">
        The CRM beside the open email in the browser’s side panel, read through your connected mailbox.
        Default shortcut: Alt+Shift+K.
      </p>
      <button type="button" disabled={opening} onClick={onOpen}>
        Open side panel
      </button>
    </section>
  );
}

function CrmState({ status, onOpenSetup }: { status: ExtensionStatus; onOpenSetup: () => void }) {
  if (!status.crmConfigured) {
    return (
      <p className="crm-state empty-state" data-testid="crm-state">
        No CRM connected yet, so the sidebar has nothing to show.{' '}
        <button type="button" className="link-button" onClick={onOpenSetup}>
          Connect your CRM
        </button>
      </p>
    );
  }
  return (
    <p className="crm-state" data-testid="crm-state">
      {status.crmUser ? `CRM connected as ${status.crmUser.name}` : `CRM: ${status.crmBaseUrl}`}
    </p>
  );
}

function PopupMailbox({
  mailbox,
  now,
  reconnecting,
  onReconnect,
}: {
  mailbox: MailboxStatus;
  now: number;
  reconnecting: boolean;
  onReconnect: () => void;
}) {
  return (
    <li className="mailbox" aria-label={mailbox.address}>
      <p className="mailbox-address">
        <span>{mailbox.address}</span>{' '}
        <span className="provider">{describeMailboxProvider(mailbox.provider)}</span>
        {mailbox.primary && <span className="badge">Primary</span>}
      </p>
      <MailboxStateView mailbox={mailbox} now={now} reconnecting={reconnecting} onReconnect={onReconnect} />
    </li>
  );
}

/**
 * Failures of work nobody was watching (scheduled syncs, outbox deliveries, start-up), each
 * until something in the same area succeeds again.
 */
function BackgroundProblems({
  problems,
  now,
  onOpenOptions,
}: {
  problems: BackgroundProblem[];
  now: number;
  onOpenOptions: () => void;
}) {
  if (problems.length === 0) return null;
  return (
    <section aria-labelledby="problems-heading" className="problems">
      <h2 id="problems-heading">Problems</h2>
      <ul className="problem-list">
        {problems.map((problem) => {
          const context =
            problem.error.source === 'gmail' || problem.error.source === 'outlook' ? 'mailbox' : 'crm';
          const wording = describeError(problem.error, context);
          return (
            <li key={problem.id} className="problem" data-kind={problem.error.kind}>
              <p className="problem-title">
                {problem.activity} failed{' '}
                <span className="problem-time">{formatRelativeTime(problem.at, now)}</span>
              </p>
              <p className="error-text">{wording.text}</p>
              {wording.action === 'open_settings' && (
                <button type="button" className="link-button" onClick={onOpenOptions}>
                  Open settings
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function plural(count: number, noun: string): string {
  if (count === 1) return `1 ${noun}`;
  return `${count} ${noun.endsWith('x') ? `${noun}es` : `${noun}s`}`;
}
