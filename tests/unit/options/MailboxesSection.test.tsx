// @vitest-environment happy-dom
import { cleanup, fireEvent, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { MailboxStatus } from '../../../lib/messaging/messages';
import { RemoteError } from '../../../lib/messaging/protocol';
import { FAKE_REDIRECT_URI, mailboxFixture, statusFixture } from './FakeBackground';
import { findRegion, renderOptions, type Scope } from './renderOptions';

afterEach(cleanup);

const OAUTH = {
  googleClientId: '1234-abc.apps.googleusercontent.com',
  microsoftClientId: '',
  microsoftTenant: 'common',
};

function mailboxesSection(): Promise<Scope> {
  return findRegion('Mailboxes');
}

/** A background whose mailbox list changes as the page acts on it. */
function mailboxBackend(initial: MailboxStatus[]) {
  let mailboxes = initial;
  return {
    mailboxes: () => mailboxes,
    handlers: {
      'status.get': () => statusFixture({ mailboxes }),
      'mailbox.disconnect': ({ id }: { id: string }) => {
        mailboxes = mailboxes.filter((m) => m.id !== id);
        return {};
      },
      'mailbox.setPrimary': ({ id }: { id: string }) => {
        mailboxes = mailboxes.map((m) => ({ ...m, primary: m.id === id }));
        return {};
      },
      'mailbox.connect': ({ provider }: { provider: 'gmail' | 'outlook' }) => {
        const existing = mailboxes.find((m) => m.provider === provider);
        const connected = existing
          ? { ...existing, state: 'connected' as const }
          : mailboxFixture({ id: `new-${provider}`, provider, address: 'new@acme.test', primary: false });
        mailboxes = [...mailboxes.filter((m) => m.id !== connected.id), connected];
        return connected;
      },
    },
  };
}

describe('mailboxes', () => {
  it('shows Reconnect for a mailbox that needs re-authentication, and reconnects it', async () => {
    const backend = mailboxBackend([
      mailboxFixture({ id: 'm1', address: 'rep@acme.test', state: 'connected' }),
      mailboxFixture({
        id: 'm2',
        provider: 'outlook',
        address: 'shared@acme.test',
        primary: false,
        state: 'needs_reauth',
        lastError: {
          kind: 'auth',
          source: 'outlook',
          message: 'outlook mailbox m2 needs re-authentication (refresh_rejected: invalid_grant)',
          providerCode: 'AADSTS700084',
        },
      }),
    ]);
    const { background } = renderOptions({ settings: { oauth: OAUTH }, handlers: backend.handlers });
    const section = await mailboxesSection();
    const shared = within(await section.findByRole('listitem', { name: 'shared@acme.test' }));
    const personal = within(section.getByRole('listitem', { name: 'rep@acme.test' }));
    expect(shared.getByTestId('mailbox-state').textContent).toBe('Needs re-authentication');
    expect(shared.getByTestId('reauth-reason').textContent).toBe(
      'Microsoft ends the extension’s sign-in after 24 hours, and it could not be renewed without you (AADSTS700084), so syncing is paused. Sign in to Microsoft again as shared@acme.test to resume syncing; it continues where it stopped.',
    );
    expect(personal.queryByRole('button', { name: 'Reconnect' })).toBeNull();

    fireEvent.click(shared.getByRole('button', { name: 'Reconnect' }));
    await section.findByText('Connected shared@acme.test.');
    expect(background.callsOf('mailbox.connect')).toEqual([{ provider: 'outlook' }]);
    await waitFor(() =>
      expect(
        within(section.getByRole('listitem', { name: 'shared@acme.test' })).getByTestId('mailbox-state')
          .textContent,
      ).toBe('Connected'),
    );
  });

  it('asks before disconnecting, says logged emails stay in the CRM, and can be cancelled', async () => {
    const backend = mailboxBackend([mailboxFixture({ id: 'm1', address: 'rep@acme.test' })]);
    const { background } = renderOptions({ handlers: backend.handlers });
    const section = await mailboxesSection();
    await section.findByRole('listitem', { name: 'rep@acme.test' });

    fireEvent.click(section.getByRole('button', { name: 'Disconnect rep@acme.test' }));
    const dialog = section.getByRole('alertdialog', { name: 'Disconnect rep@acme.test?' });
    expect(dialog.textContent).toContain('Emails already logged from this mailbox stay in the CRM.');
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(section.queryByRole('alertdialog')).toBeNull();
    expect(background.callsOf('mailbox.disconnect')).toEqual([]);

    fireEvent.click(section.getByRole('button', { name: 'Disconnect rep@acme.test' }));
    fireEvent.click(section.getByRole('button', { name: 'Disconnect mailbox' }));
    await section.findByText('rep@acme.test disconnected. Emails logged from it stay in the CRM.');
    expect(background.callsOf('mailbox.disconnect')).toEqual([{ id: 'm1' }]);
    await section.findByText('No mailbox connected yet.');
  });

  it('marks another mailbox primary', async () => {
    const backend = mailboxBackend([
      mailboxFixture({ id: 'm1', address: 'rep@acme.test', primary: true }),
      mailboxFixture({ id: 'm2', address: 'sales@acme.test', primary: false }),
    ]);
    const { background } = renderOptions({ handlers: backend.handlers });
    const section = await mailboxesSection();
    const salesPrimary = (await section.findByLabelText(
      'Primary mailbox: sales@acme.test',
    )) as HTMLInputElement;
    expect(salesPrimary.checked).toBe(false);
    fireEvent.click(salesPrimary);
    await section.findByText('sales@acme.test is now the primary mailbox.');
    expect(background.callsOf('mailbox.setPrimary')).toEqual([{ id: 'm2' }]);
    await waitFor(() => expect(salesPrimary.checked).toBe(true));
    expect((section.getByLabelText('Primary mailbox: rep@acme.test') as HTMLInputElement).checked).toBe(
      false,
    );
  });

  it('disables Connect for a provider without a client id, and says why', async () => {
    const backend = mailboxBackend([]);
    const { background } = renderOptions({ settings: { oauth: OAUTH }, handlers: backend.handlers });
    const section = await mailboxesSection();
    const microsoft = section.getByRole('button', { name: 'Connect Microsoft mailbox' }) as HTMLButtonElement;
    expect(microsoft.disabled).toBe(true);
    const why = document.getElementById(microsoft.getAttribute('aria-describedby')!);
    expect(why?.textContent).toContain('Microsoft OAuth client id under “Mail provider apps”');

    const google = section.getByRole('button', { name: 'Connect Google mailbox' }) as HTMLButtonElement;
    expect(google.disabled).toBe(false);
    fireEvent.click(google);
    await section.findByText('Connected new@acme.test.');
    expect(background.callsOf('mailbox.connect')).toEqual([{ provider: 'gmail' }]);
    await section.findByRole('listitem', { name: 'new@acme.test' });
  });

  it('shows why a connection failed', async () => {
    renderOptions({
      settings: { oauth: OAUTH },
      handlers: {
        'status.get': () => statusFixture(),
        'mailbox.connect': () => {
          throw new RemoteError({
            kind: 'cancelled',
            source: 'gmail',
            message: 'The sign-in window was closed before it finished.',
            redirectUri: FAKE_REDIRECT_URI,
          });
        },
      },
    });
    const section = await mailboxesSection();
    fireEvent.click(section.getByRole('button', { name: 'Connect Google mailbox' }));
    expect((await section.findByRole('alert')).textContent).toBe(
      `The sign-in to Gmail was cancelled before it finished. Nothing was changed. If the sign-in window showed an error (such as “Error 400: redirect_uri_mismatch” or “Error 401: invalid_client”), the app registration must list ${FAKE_REDIRECT_URI} as a redirect URI, and the client id under Mail provider apps must be the registration’s.`,
    );
  });

  it('shows what to change in the app registration, with the real redirect URI', async () => {
    renderOptions({
      settings: { oauth: { ...OAUTH, microsoftClientId: '00000000-0000-0000-0000-0000000000aa' } },
      handlers: {
        'status.get': () => statusFixture(),
        'mailbox.connect': () => {
          throw new RemoteError({
            kind: 'not_configured',
            source: 'outlook',
            message: 'OAuth error invalid_request: AADSTS9002326: …',
            providerCode: 'AADSTS9002326',
            redirectUri: FAKE_REDIRECT_URI,
          });
        },
      },
    });
    const section = await mailboxesSection();
    fireEvent.click(section.getByRole('button', { name: 'Connect Microsoft mailbox' }));
    const alert = await section.findByRole('alert');
    expect(alert.textContent).toContain(`add ${FAKE_REDIRECT_URI} under “Single-page application”`);
    expect(alert.textContent).not.toContain('<extension id>');
  });

  it('shows sync progress and polls until it finishes', async () => {
    let polls = 0;
    const { background } = renderOptions({
      pollIntervalMs: 10,
      handlers: {
        'status.get': () => {
          polls += 1;
          return statusFixture({
            mailboxes: [
              polls < 3
                ? mailboxFixture({
                    state: 'syncing',
                    progress: { scanned: polls * 50, logged: polls * 30, skipped: polls * 20, total: 150 },
                  })
                : mailboxFixture({ state: 'connected', lastSyncAt: new Date().toISOString() }),
            ],
          });
        },
      },
    });
    const section = await mailboxesSection();
    const progress = await section.findByRole('progressbar');
    expect(progress.getAttribute('max')).toBe('150');
    await waitFor(() => expect(section.getByTestId('mailbox-state').textContent).toBe('Connected'));
    expect(section.getByText('Last sync just now')).toBeTruthy();
    expect(background.callsOf('status.get').length).toBe(3);
  });

  it('starts a sync of every mailbox with Sync now', async () => {
    const { background } = renderOptions({
      handlers: {
        'status.get': () => statusFixture({ mailboxes: [mailboxFixture()] }),
        'mailbox.syncNow': () => ({ started: 1 }),
      },
    });
    const section = await mailboxesSection();
    await section.findByRole('listitem', { name: 'rep@acme.test' });
    fireEvent.click(section.getByRole('button', { name: 'Sync now' }));
    await section.findByText('Sync started for 1 mailbox.');
    expect(background.callsOf('mailbox.syncNow')).toEqual([{}]);
  });

  it('saves the history import window and the sync frequency', async () => {
    const { store } = renderOptions();
    const section = await mailboxesSection();
    const history = section.getByLabelText('Import history when a mailbox is connected') as HTMLSelectElement;
    expect(history.value).toBe('30');
    fireEvent.change(history, { target: { value: '90' } });
    await section.findByText('Saved');
    fireEvent.change(section.getByLabelText('Check for new mail'), { target: { value: '5' } });
    await waitFor(() => expect(store.current().syncFrequencyMinutes).toBe(5));
    expect(store.current().historicalImportDays).toBe(90);
  });
});

describe('mail provider apps', () => {
  it('checks client id formats before saving, then saves them and enables Connect', async () => {
    const { store } = renderOptions({ handlers: { 'status.get': () => statusFixture() } });
    const apps = await findRegion('Mail provider apps');
    const mailboxes = await mailboxesSection();
    expect(
      (mailboxes.getByRole('button', { name: 'Connect Microsoft mailbox' }) as HTMLButtonElement).disabled,
    ).toBe(true);

    fireEvent.change(apps.getByLabelText('Microsoft application (client) id'), {
      target: { value: 'my-app' },
    });
    fireEvent.change(apps.getByLabelText('Microsoft tenant'), { target: { value: '' } });
    fireEvent.click(apps.getByRole('button', { name: 'Save' }));
    expect(
      await apps.findByText(
        'A Microsoft application (client) id looks like 00000000-0000-0000-0000-000000000000.',
      ),
    ).toBeTruthy();
    expect(
      apps.getByText('Enter common, organizations, consumers, a tenant id, or a tenant domain.'),
    ).toBeTruthy();
    expect(store.current().oauth.microsoftClientId).toBe('');

    fireEvent.change(apps.getByLabelText('Microsoft application (client) id'), {
      target: { value: ' 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 ' },
    });
    fireEvent.change(apps.getByLabelText('Microsoft tenant'), {
      target: { value: 'contoso.onmicrosoft.com' },
    });
    fireEvent.change(apps.getByLabelText('InboxSDK app id (optional)'), {
      target: { value: 'sdk_acme_123' },
    });
    fireEvent.click(apps.getByRole('button', { name: 'Save' }));
    await apps.findByText('Saved');
    expect(store.current().oauth).toEqual({
      googleClientId: '',
      microsoftClientId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      microsoftTenant: 'contoso.onmicrosoft.com',
      tokenExchangeUrl: '',
    });
    expect(store.current().inboxSdkAppId).toBe('sdk_acme_123');
    expect(
      (mailboxes.getByRole('button', { name: 'Connect Microsoft mailbox' }) as HTMLButtonElement).disabled,
    ).toBe(false);
  });

  it('stores the Google client secret write-only: the page never reads it back', async () => {
    const { background } = renderOptions();
    const apps = await findRegion('Mail provider apps');
    expect(await apps.findByText('No client secret stored.')).toBeTruthy();
    const secret = apps.getByLabelText('Google client secret') as HTMLInputElement;
    expect(secret.type).toBe('password');
    fireEvent.change(secret, { target: { value: 'GOCSPX-abc123' } });
    fireEvent.click(apps.getByRole('button', { name: 'Store secret' }));
    expect(await apps.findByText('Client secret stored.')).toBeTruthy();
    expect(secret.value).toBe('');
    expect(background.callsOf('oauth.clientSecret.set')).toEqual([
      { provider: 'gmail', secret: 'GOCSPX-abc123' },
    ]);
    // Never in the settings object that pages and content scripts can read.
    expect(JSON.stringify(background.callsOf('settings.update'))).not.toContain('GOCSPX');
    fireEvent.click(apps.getByRole('button', { name: 'Remove secret' }));
    expect(await apps.findByText('Client secret removed.')).toBeTruthy();
  });

  it('asks for host permission on the token exchange server before saving it', async () => {
    const { store, permissionRequests } = renderOptions();
    const apps = await findRegion('Mail provider apps');
    fireEvent.change(apps.getByLabelText('Token exchange server (optional)'), {
      target: { value: 'http://example.com' },
    });
    fireEvent.click(apps.getByRole('button', { name: 'Save' }));
    expect(
      await apps.findByText('Enter the server’s https:// address (http:// only for localhost).'),
    ).toBeTruthy();
    fireEvent.change(apps.getByLabelText('Token exchange server (optional)'), {
      target: { value: 'https://crm.acme.example' },
    });
    fireEvent.click(apps.getByRole('button', { name: 'Save' }));
    await apps.findByText('Saved');
    expect(permissionRequests).toContain('https://crm.acme.example');
    expect(store.current().oauth.tokenExchangeUrl).toBe('https://crm.acme.example');
  });
});

describe('shared mailboxes the organisation allows', () => {
  const OUTLOOK_OAUTH = { ...OAUTH, microsoftClientId: '00000000-0000-0000-0000-0000000000aa' };
  const own = mailboxFixture({ id: 'outlook:rep@acme.test', provider: 'outlook', address: 'rep@acme.test' });

  it('is not shown when the policy lists none', async () => {
    renderOptions({ handlers: { 'status.get': () => statusFixture({ mailboxes: [own] }) } });
    const section = await mailboxesSection();
    await section.findByRole('listitem', { name: 'rep@acme.test' });
    expect(section.queryByTestId('shared-mailboxes')).toBeNull();
  });

  it('lists them with Connect each, connects one, and shows it connected', async () => {
    let mailboxes = [own];
    const { background } = renderOptions({
      settings: { oauth: OUTLOOK_OAUTH, sharedMailboxes: ['sales@acme.test', 'support@acme.test'] },
      handlers: {
        'status.get': () => statusFixture({ mailboxes }),
        'mailbox.connectShared': ({ address }: { address: string }) => {
          const row = mailboxFixture({
            id: `outlook:${address}`,
            provider: 'outlook',
            address,
            primary: false,
            shared: true,
          });
          mailboxes = [...mailboxes, row];
          return row;
        },
      },
    });
    const section = await mailboxesSection();
    const shared = within(await section.findByTestId('shared-mailboxes'));
    expect(shared.getByTestId('shared-mailbox-sales@acme.test').textContent).toContain('Not connected');
    fireEvent.click(shared.getByRole('button', { name: 'Connect sales@acme.test' }));
    await section.findByText('Connected the shared mailbox sales@acme.test.');
    expect(background.callsOf('mailbox.connectShared')).toEqual([{ address: 'sales@acme.test' }]);
    await waitFor(() =>
      expect(shared.getByTestId('shared-mailbox-sales@acme.test').textContent).toContain('Connected'),
    );
    expect(shared.queryByRole('button', { name: 'Connect sales@acme.test' })).toBeNull();
    expect(shared.getByRole('button', { name: 'Connect support@acme.test' })).toBeTruthy();
  });

  it('asks for the own Outlook mailbox first, and words Microsoft’s refusal', async () => {
    const { background } = renderOptions({
      settings: { oauth: OUTLOOK_OAUTH, sharedMailboxes: ['sales@acme.test'] },
      handlers: { 'status.get': () => statusFixture({ mailboxes: [] }) },
    });
    const section = await mailboxesSection();
    const shared = within(await section.findByTestId('shared-mailboxes'));
    expect(shared.getByText(/Connect your own Outlook mailbox first/)).toBeTruthy();
    expect(
      (shared.getByRole('button', { name: 'Connect sales@acme.test' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    expect(background.callsOf('mailbox.connectShared')).toEqual([]);
    cleanup();

    renderOptions({
      settings: { oauth: OUTLOOK_OAUTH, sharedMailboxes: ['sales@acme.test'] },
      handlers: {
        'status.get': () => statusFixture({ mailboxes: [own] }),
        'mailbox.connectShared': () => {
          throw new RemoteError({
            kind: 'auth',
            source: 'outlook',
            code: 'shared_mailbox_denied',
            message: 'Microsoft Graph refused sales@acme.test (403 ErrorAccessDenied).',
          });
        },
      },
    });
    const again = await mailboxesSection();
    fireEvent.click(
      within(await again.findByTestId('shared-mailboxes')).getByRole('button', {
        name: 'Connect sales@acme.test',
      }),
    );
    expect((await again.findByRole('alert')).textContent).toContain(
      'Ask your Microsoft 365 administrator to give you access to it',
    );
  });
});
