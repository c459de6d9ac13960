import { useId } from 'react';
import type { Settings } from '../../lib/settings/Settings';
import { describeMailboxProvider } from '../shared/describeMailboxProvider';
import type { MailProvider } from '../shared/ExtensionApi';
import type { MailboxActions } from './useMailboxActions';

const PROVIDERS = ['gmail', 'outlook'] as const satisfies readonly MailProvider[];
const OAUTH_VENDOR: Record<MailProvider, string> = { gmail: 'Google', outlook: 'Microsoft' };

export interface MailboxConnectActionsProps {
  oauth: Pick<Settings['oauth'], 'googleClientId' | 'microsoftClientId'>;
  hasMailboxes: boolean;
  actions: MailboxActions;
}

/**
 * Connect a Gmail / Outlook mailbox and Sync now. A provider without an OAuth client id
 * cannot be connected; its button is disabled and says, beside it, what is missing.
 */
export function MailboxConnectActions({ oauth, hasMailboxes, actions }: MailboxConnectActionsProps) {
  const noClientId = useId();
  const clientIds: Record<MailProvider, string> = {
    gmail: oauth.googleClientId,
    outlook: oauth.microsoftClientId,
  };
  const hintId = (provider: MailProvider) => `${noClientId}-${provider}`;
  return (
    <>
      <div className="actions">
        {PROVIDERS.map((provider) => (
          <button
            key={provider}
            type="button"
            disabled={clientIds[provider] === '' || actions.running(`connect:${provider}`)}
            aria-describedby={clientIds[provider] === '' ? hintId(provider) : undefined}
            onClick={() => actions.connect(provider)}
          >
            {actions.running(`connect:${provider}`)
              ? `Waiting for ${describeMailboxProvider(provider)} sign-in…`
              : `Connect ${describeMailboxProvider(provider)} mailbox`}
          </button>
        ))}
        <button type="button" disabled={!hasMailboxes || actions.running('sync')} onClick={actions.syncNow}>
          {actions.running('sync') ? 'Starting…' : 'Sync now'}
        </button>
      </div>
      {PROVIDERS.filter((provider) => clientIds[provider] === '').map((provider) => (
        <p key={provider} id={hintId(provider)} className="hint">
          {describeMailboxProvider(provider)} mailboxes need the {OAUTH_VENDOR[provider]} OAuth client id
          under “Mail provider apps” below.
        </p>
      ))}
    </>
  );
}
