import { useState } from 'react';
import { describeError } from '../../lib/errors/describeError';
import type { MailboxStatus } from '../../lib/messaging/messages';
import type { ExtensionApi, MailProvider } from '../shared/ExtensionApi';

export type MailboxActionsApi = Pick<
  ExtensionApi,
  'connectMailbox' | 'connectSharedMailbox' | 'disconnectMailbox' | 'setPrimaryMailbox' | 'syncNow'
>;

type Action = { key: string; state: 'running' } | { key: string; state: 'done'; message: string };

/**
 * What the rep does to mailboxes (connect, reconnect, make primary, disconnect, sync now):
 * one action at a time is reported, in words, and the list is read again after each, so
 * what is shown is the background's answer and never a guess.
 */
export function useMailboxActions(api: MailboxActionsApi, refresh: () => Promise<void>) {
  const [action, setAction] = useState<Action | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmingId, setConfirmingId] = useState<string | null>(null);

  async function run(key: string, work: () => Promise<string>) {
    setAction({ key, state: 'running' });
    setError(null);
    try {
      setAction({ key, state: 'done', message: await work() });
    } catch (e) {
      setAction(null);
      setError(describeError(e, 'mailbox').text);
    } finally {
      await refresh();
    }
  }

  const connect = (provider: MailProvider, key = `connect:${provider}`) =>
    void run(key, async () => {
      const mailbox = await api.connectMailbox(provider);
      return `Connected ${mailbox.address}.`;
    });

  return {
    /** The last finished action's outcome, for a polite live region. */
    message: action?.state === 'done' ? action.message : '',
    error,
    confirmingId,
    running: (key: string) => action?.key === key && action.state === 'running',
    connect,
    /** A shared mailbox the organisation allows (policy `sharedMailboxes`). */
    connectShared: (address: string, key = `shared:${address}`) =>
      void run(key, async () => {
        const mailbox = await api.connectSharedMailbox(address);
        return `Connected the shared mailbox ${mailbox.address}.`;
      }),
    reconnect: (mailbox: MailboxStatus) =>
      mailbox.shared
        ? void run(`reconnect:${mailbox.id}`, async () => {
            const connected = await api.connectSharedMailbox(mailbox.address);
            return `Connected the shared mailbox ${connected.address}.`;
          })
        : connect(mailbox.provider, `reconnect:${mailbox.id}`),
    makePrimary: (mailbox: MailboxStatus) =>
      void run(`primary:${mailbox.id}`, async () => {
        await api.setPrimaryMailbox(mailbox.id);
        return `${mailbox.address} is now the primary mailbox.`;
      }),
    askToDisconnect: (mailbox: MailboxStatus | null) => setConfirmingId(mailbox?.id ?? null),
    disconnect: (mailbox: MailboxStatus) => {
      setConfirmingId(null);
      void run(`disconnect:${mailbox.id}`, async () => {
        await api.disconnectMailbox(mailbox.id);
        return `${mailbox.address} disconnected. Emails logged from it stay in the CRM.`;
      });
    },
    syncNow: () =>
      void run('sync', async () => {
        const started = await api.syncNow();
        return started === 1 ? 'Sync started for 1 mailbox.' : `Sync started for ${started} mailboxes.`;
      }),
  };
}

export type MailboxActions = ReturnType<typeof useMailboxActions>;
