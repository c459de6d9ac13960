import { useId, useState } from 'react';
import { describeError } from '../../lib/errors/describeError';
import type { MailboxStatus } from '../../lib/messaging/messages';
import type { Settings } from '../../lib/settings/Settings';
import { describeMailboxProvider } from '../shared/describeMailboxProvider';
import type { ExtensionApi, MailProvider } from '../shared/ExtensionApi';
import { MailboxStateView } from '../shared/MailboxStateView';
import { useExtensionStatus } from '../shared/useExtensionStatus';
import { DisconnectConfirmation } from './DisconnectConfirmation';
import { SaveStatusMessage } from './SaveStatusMessage';
import { SelectOptions } from './SelectOptions';
import { useSaveStatus } from './useSaveStatus';
import type { SaveSettings } from './useSettings';

export interface MailboxesSectionProps {
  api: Pick<
    ExtensionApi,
    'getStatus' | 'connectMailbox' | 'disconnectMailbox' | 'setPrimaryMailbox' | 'syncNow'
  >;
  settings: Settings;
  save: SaveSettings;
  pollIntervalMs: number;
  now: () => number;
}

const HISTORY_OPTIONS: ReadonlyArray<[Settings['historicalImportDays'], string]> = [
  [0, 'None: only new mail'],
  [30, 'Last 30 days'],
  [60, 'Last 60 days'],
  [90, 'Last 90 days'],
];
const FREQUENCY_OPTIONS: ReadonlyArray<[Settings['syncFrequencyMinutes'], string]> = [
  [5, 'Every 5 minutes'],
  [15, 'Every 15 minutes'],
  [60, 'Every hour'],
];

type Action = { key: string; state: 'running' } | { key: string; state: 'done'; message: string };

export function MailboxesSection({ api, settings, save, pollIntervalMs, now }: MailboxesSectionProps) {
  const { status, error, refresh } = useExtensionStatus(api, pollIntervalMs);
  const [action, setAction] = useState<Action | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [confirmingId, setConfirmingId] = useState<string | null>(null);
  const syncSettings = useSaveStatus(save);
  const ids = { history: useId(), frequency: useId(), primaryGroup: useId(), noClientId: useId() };

  async function run(key: string, work: () => Promise<string>) {
    setAction({ key, state: 'running' });
    setActionError(null);
    try {
      setAction({ key, state: 'done', message: await work() });
    } catch (e) {
      setAction(null);
      setActionError(describeError(e, 'mailbox').text);
    } finally {
      await refresh();
    }
  }

  const running = (key: string) => action?.key === key && action.state === 'running';

  const connect = (provider: MailProvider, key = `connect:${provider}`) =>
    void run(key, async () => {
      const mailbox = await api.connectMailbox(provider);
      return `Connected ${mailbox.address}.`;
    });

  const clientIds: Record<MailProvider, string> = {
    gmail: settings.oauth.googleClientId,
    outlook: settings.oauth.microsoftClientId,
  };
  const mailboxes = status?.mailboxes ?? [];

  return (
    <section aria-labelledby="mailboxes-heading" className="card">
      <h2 id="mailboxes-heading">Mailboxes</h2>
      <p className="hint">
        Connected mailboxes are read through the Gmail API or Microsoft Graph, so what you send from webmail
        is logged without a click. Several mailboxes can be connected, personal and shared.
      </p>
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
      {status && mailboxes.length === 0 && <p className="empty">No mailbox connected yet.</p>}
      {mailboxes.length > 0 && (
        <fieldset>
          <legend id={ids.primaryGroup}>Connected mailboxes</legend>
          <ul className="mailbox-list">
            {mailboxes.map((mailbox) => (
              <MailboxItem
                key={mailbox.id}
                mailbox={mailbox}
                now={now()}
                radioGroupName={ids.primaryGroup}
                reconnecting={running(`reconnect:${mailbox.id}`)}
                onReconnect={() => connect(mailbox.provider, `reconnect:${mailbox.id}`)}
                onMakePrimary={() =>
                  void run(`primary:${mailbox.id}`, async () => {
                    await api.setPrimaryMailbox(mailbox.id);
                    return `${mailbox.address} is now the primary mailbox.`;
                  })
                }
                confirming={confirmingId === mailbox.id}
                onDisconnectRequested={() => setConfirmingId(mailbox.id)}
                onDisconnectCancelled={() => setConfirmingId(null)}
                onDisconnectConfirmed={() => {
                  setConfirmingId(null);
                  void run(`disconnect:${mailbox.id}`, async () => {
                    await api.disconnectMailbox(mailbox.id);
                    return `${mailbox.address} disconnected. Emails logged from it stay in the CRM.`;
                  });
                }}
              />
            ))}
          </ul>
        </fieldset>
      )}
      <div className="actions">
        {(['gmail', 'outlook'] as const).map((provider) => (
          <button
            key={provider}
            type="button"
            disabled={clientIds[provider] === '' || running(`connect:${provider}`)}
            aria-describedby={clientIds[provider] === '' ? `${ids.noClientId}-${provider}` : undefined}
            onClick={() => connect(provider)}
          >
            {running(`connect:${provider}`)
              ? `Waiting for ${describeMailboxProvider(provider)} sign-in…`
              : `Connect ${describeMailboxProvider(provider)} mailbox`}
          </button>
        ))}
        <button
          type="button"
          disabled={mailboxes.length === 0 || running('sync')}
          onClick={() =>
            void run('sync', async () => {
              const started = await api.syncNow();
              return started === 1 ? 'Sync started for 1 mailbox.' : `Sync started for ${started} mailboxes.`;
            })
          }
        >
          {running('sync') ? 'Starting…' : 'Sync now'}
        </button>
      </div>
      {(['gmail', 'outlook'] as const)
        .filter((provider) => clientIds[provider] === '')
        .map((provider) => (
          <p key={provider} id={`${ids.noClientId}-${provider}`} className="hint">
            {describeMailboxProvider(provider)} mailboxes need the{' '}
            {provider === 'gmail' ? 'Google' : 'Microsoft'} OAuth client id under “Mail provider apps” below.
          </p>
        ))}
      <p role="status" className="save-status">
        {action?.state === 'done' ? action.message : ''}
      </p>
      {actionError && (
        <p role="alert" className="error-text">
          {actionError}
        </p>
      )}
      <fieldset>
        <legend>Sync</legend>
        <div className="field">
          <label htmlFor={ids.history}>Import history when a mailbox is connected</label>
          <select
            id={ids.history}
            value={settings.historicalImportDays}
            onChange={(e) =>
              void syncSettings.save({
                historicalImportDays: Number(e.target.value) as Settings['historicalImportDays'],
              })
            }
          >
            <SelectOptions options={HISTORY_OPTIONS} />
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.frequency}>Check for new mail</label>
          <select
            id={ids.frequency}
            value={settings.syncFrequencyMinutes}
            onChange={(e) =>
              void syncSettings.save({
                syncFrequencyMinutes: Number(e.target.value) as Settings['syncFrequencyMinutes'],
              })
            }
          >
            <SelectOptions options={FREQUENCY_OPTIONS} />
          </select>
        </div>
        <SaveStatusMessage status={syncSettings.status} />
      </fieldset>
    </section>
  );
}

interface MailboxItemProps {
  mailbox: MailboxStatus;
  now: number;
  radioGroupName: string;
  reconnecting: boolean;
  onReconnect: () => void;
  onMakePrimary: () => void;
  confirming: boolean;
  onDisconnectRequested: () => void;
  onDisconnectCancelled: () => void;
  onDisconnectConfirmed: () => void;
}

function MailboxItem(props: MailboxItemProps) {
  const { mailbox } = props;
  const radioId = useId();
  return (
    <li className="mailbox" aria-label={mailbox.address}>
      <p className="mailbox-address">
        {mailbox.address} <span className="provider">{describeMailboxProvider(mailbox.provider)}</span>
      </p>
      <MailboxStateView
        mailbox={mailbox}
        now={props.now}
        reconnecting={props.reconnecting}
        onReconnect={props.onReconnect}
      />
      <div className="inline">
        <div className="radio">
          <input
            id={radioId}
            type="radio"
            name={props.radioGroupName}
            checked={mailbox.primary}
            onChange={props.onMakePrimary}
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
            aria-expanded={props.confirming}
            onClick={props.onDisconnectRequested}
          >
            Disconnect
          </button>
        )}
      </div>
      {props.confirming && (
        <DisconnectConfirmation
          address={mailbox.address}
          onConfirm={props.onDisconnectConfirmed}
          onCancel={props.onDisconnectCancelled}
        />
      )}
    </li>
  );
}
