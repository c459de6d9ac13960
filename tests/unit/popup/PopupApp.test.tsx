// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { PopupApp } from '../../../components/popup/PopupApp';
import { createExtensionApi } from '../../../components/shared/ExtensionApi';
import type { ExtensionStatus } from '../../../lib/messaging/messages';
import { RemoteError } from '../../../lib/messaging/protocol';
import { FakeBackground, mailboxFixture, settingsHandlers, statusFixture } from '../options/FakeBackground';

const NOW = Date.parse('2025-03-10T12:00:00Z');

function renderPopup(
  background: FakeBackground,
  pollIntervalMs = 2000,
  sidePanel: { open(): Promise<void> } | null = null,
) {
  const api = createExtensionApi(background.send, { requestOriginPermission: async () => true }, sidePanel);
  return render(<PopupApp api={api} pollIntervalMs={pollIntervalMs} now={() => NOW} />);
}

afterEach(cleanup);

describe('PopupApp', () => {
  it('shows the version and who the CRM is connected as', async () => {
    renderPopup(new FakeBackground({ 'status.get': () => statusFixture() }));
    expect(await screen.findByTestId('version')).toHaveProperty('textContent', 'Version 1.2.3');
    expect(screen.getByTestId('crm-state').textContent).toBe('CRM connected as Rita Rep');
  });

  it('says in words when the Gmail panel stopped working and what still works', async () => {
    const since = '2025-03-10T11:05:00.000Z';
    renderPopup(
      new FakeBackground({
        'status.get': () =>
          statusFixture({
            mailboxes: [mailboxFixture({ provider: 'gmail' })],
            pageIntegrations: [
              {
                provider: 'gmail',
                state: 'broken',
                since,
                lastThreadReadAt: null,
                unreadableInARow: 2,
                firstUnreadableAt: since,
                detail: 'no thread read within 8 s of opening a thread URL',
              },
            ],
          }),
      }),
    );
    const notice = await screen.findByText(/The Gmail panel is not working since /);
    expect(notice.getAttribute('role')).toBe('alert');
    expect(notice.textContent).toContain('Gmail’s page changed');
    expect(notice.textContent).toContain('Sent mail is still logged by the mailbox sync');
  });

  it('says the side panel still works only where the browser has one, and opens it from the click', async () => {
    const since = '2025-03-10T11:05:00.000Z';
    const broken = () =>
      new FakeBackground({
        'status.get': () =>
          statusFixture({
            pageIntegrations: [
              {
                provider: 'outlook',
                state: 'broken',
                since,
                lastThreadReadAt: null,
                unreadableInARow: 2,
                firstUnreadableAt: since,
                detail: '',
              },
            ],
          }),
      });
    const view = renderPopup(broken());
    const without = await screen.findByText(/The Outlook panel is not working since /);
    expect(without.textContent).not.toContain('side panel');
    expect(screen.queryByRole('button', { name: 'Open side panel' })).toBeNull();
    view.unmount();

    const opened: number[] = [];
    renderPopup(broken(), 2000, {
      open: async () => {
        opened.push(Date.now());
      },
    });
    const notice = await screen.findByText(/The Outlook panel is not working since /);
    expect(notice.textContent).toContain('the side panel still shows the CRM beside the email');
    fireEvent.click(screen.getByRole('button', { name: 'Open side panel' }));
    // Called within the click itself (the browser's user-gesture rule), not after an await.
    expect(opened).toHaveLength(1);
  });

  it('words a side panel the browser refused to open', async () => {
    renderPopup(new FakeBackground({ 'status.get': () => statusFixture() }), 2000, {
      open: async () => {
        // Chrome's refusal, as extension developers quote it in public threads (not checked here
        // against Chromium's source).
        throw new Error('`sidePanel.open()` may only be called in response to a user gesture.');
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Open side panel' }));
    expect((await screen.findByRole('alert')).textContent).not.toBe('');
  });

  it('links to the connect step of the set-up when the CRM is not configured', async () => {
    const background = new FakeBackground({
      'status.get': () => statusFixture({ crmConfigured: false, crmBaseUrl: '', crmUser: null }),
      'options.open': () => ({}),
    });
    renderPopup(background);
    const crmState = await screen.findByTestId('crm-state');
    expect(crmState.textContent).toContain('No CRM connected yet');
    fireEvent.click(within(crmState).getByRole('button', { name: 'Connect your CRM' }));
    await waitFor(() => expect(background.callsOf('options.open')).toEqual([{ route: '#setup/connect' }]));
  });

  it('lists what the set-up still misses, required first, each linking to its step', async () => {
    const background = new FakeBackground({
      'status.get': () => statusFixture({ crmConfigured: false, crmBaseUrl: '', crmUser: null }),
      ...settingsHandlers({ setup: { confirmed: ['crm'], skipped: ['mailbox'], finishedAt: null } }),
      'options.open': () => ({}),
    });
    renderPopup(background);
    const checklist = within(await screen.findByTestId('setup-checklist'));
    const items = checklist.getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toEqual([
      'Connect the sidebar to your CRMNeeded Set up',
      'Connect a mailbox to log sent mail automatically (optional) Resume',
      'Review what is sent to the CRM (optional) Set up',
    ]);
    fireEvent.click(
      checklist.getByRole('button', {
        name: 'Connect a mailbox to log sent mail automatically: open this set-up step',
      }),
    );
    await waitFor(() => expect(background.callsOf('options.open')).toEqual([{ route: '#setup/mailbox' }]));
  });

  it('words an empty mailbox list and outbox, and links the mailbox step', async () => {
    const background = new FakeBackground({
      'status.get': () =>
        statusFixture({ mailboxes: [], outbox: { pending: 0, failed: 0, delivered: 0 }, outboxFailures: [] }),
      'options.open': () => ({}),
    });
    renderPopup(background);
    expect((await screen.findByTestId('outbox-counts')).textContent).toBe(
      'Nothing logged yet. Emails you log wait here until the CRM has them.',
    );
    const mailboxes = within(screen.getByRole('region', { name: 'Mailboxes' }));
    expect(
      mailboxes.getByText(/No mailbox connected, so only emails you log with a click reach the CRM/),
    ).toBeTruthy();
    fireEvent.click(mailboxes.getByRole('button', { name: 'Connect a mailbox' }));
    await waitFor(() => expect(background.callsOf('options.open')).toEqual([{ route: '#setup/mailbox' }]));
  });

  it('says when everything logged has reached the CRM', async () => {
    renderPopup(
      new FakeBackground({
        'status.get': () =>
          statusFixture({ outbox: { pending: 0, failed: 0, delivered: 7 }, outboxFailures: [] }),
      }),
    );
    expect((await screen.findByTestId('outbox-counts')).textContent).toBe(
      'Nothing waiting: all 7 logged emails have reached the CRM.',
    );
  });

  it('shows no checklist once every step is done', async () => {
    const background = new FakeBackground({
      'status.get': () => statusFixture({ mailboxes: [mailboxFixture()] }),
      ...settingsHandlers({
        crm: { type: 'rest', baseUrl: 'https://crm.acme.test', token: 't' },
        setup: { confirmed: ['crm', 'privacy'], skipped: [], finishedAt: '2025-03-10T11:00:00.000Z' },
      }),
    });
    renderPopup(background);
    await screen.findByTestId('crm-state');
    await waitFor(() => expect(background.callsOf('settings.get')).toHaveLength(1));
    expect(screen.queryByTestId('setup-checklist')).toBeNull();
  });

  it('shows sync progress, polls while syncing and stops once the sync is done', async () => {
    const answers: ExtensionStatus[] = [
      statusFixture({
        mailboxes: [
          mailboxFixture({
            state: 'syncing',
            progress: { scanned: 40, logged: 25, skipped: 15, total: 200 },
            skippedReasons: { automated: 10, excluded_domain: 5 },
          }),
        ],
      }),
      statusFixture({
        mailboxes: [
          mailboxFixture({
            state: 'syncing',
            progress: { scanned: 120, logged: 80, skipped: 40, total: 200 },
            skippedReasons: { automated: 30, excluded_domain: 10 },
          }),
        ],
      }),
      statusFixture({
        mailboxes: [mailboxFixture({ state: 'connected', lastSyncAt: '2025-03-10T11:55:00Z' })],
      }),
    ];
    const background = new FakeBackground({
      'status.get': () => answers.shift() ?? statusFixture({ mailboxes: [mailboxFixture()] }),
    });
    renderPopup(background, 10);

    const progress = await screen.findByRole('progressbar', { name: 'Sync progress for rep@acme.test' });
    expect(progress.getAttribute('value')).toBe('40');
    expect(progress.getAttribute('max')).toBe('200');
    expect(screen.getByText('Scanned 40 of 200 · logged 25 · skipped 15')).toBeTruthy();
    expect(screen.getByText('Skipped: automated mail 10, excluded domain 5')).toBeTruthy();

    await screen.findByText('Scanned 120 of 200 · logged 80 · skipped 40');
    await screen.findByText('Last sync 5 minutes ago');
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(screen.getByTestId('mailbox-state').textContent).toBe('Connected');

    const callsWhenDone = background.callsOf('status.get').length;
    expect(callsWhenDone).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(background.callsOf('status.get')).toHaveLength(callsWhenDone);
  });

  it('says when the last sync logged emails with a recipient list cut to 500', async () => {
    const background = new FakeBackground({
      'status.get': () => statusFixture({ mailboxes: [mailboxFixture({ recipientsCut: 2 })] }),
    });
    renderPopup(background);
    expect((await screen.findByTestId('recipients-cut')).textContent).toBe(
      '2 emails were logged with only the first 500 recipients of a list (the CRM keeps at most 500); every contact among the others still has the email.',
    );
  });

  it('offers Reconnect for a mailbox that needs re-authentication', async () => {
    let state: 'needs_reauth' | 'connected' = 'needs_reauth';
    const background = new FakeBackground({
      'status.get': () =>
        statusFixture({
          mailboxes: [mailboxFixture({ provider: 'outlook', address: 'rep@contoso.test', state })],
        }),
      'mailbox.connect': ({ provider }) => {
        state = 'connected';
        return mailboxFixture({ provider, address: 'rep@contoso.test' });
      },
    });
    renderPopup(background);
    expect((await screen.findByTestId('mailbox-state')).textContent).toBe('Needs re-authentication');
    // Who to sign in to, and as whom, even without a stored reason.
    expect(screen.getByTestId('reauth-reason').textContent).toBe(
      'Microsoft no longer accepts the saved sign-in (it was revoked or has expired), so syncing is paused. Sign in to Microsoft again as rep@contoso.test to resume syncing; it continues where it stopped.',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Reconnect' }));
    await screen.findByText('rep@contoso.test reconnected.');
    expect(background.callsOf('mailbox.connect')).toEqual([{ provider: 'outlook' }]);
    await waitFor(() => expect(screen.getByTestId('mailbox-state').textContent).toBe('Connected'));
    expect(screen.queryByRole('button', { name: 'Reconnect' })).toBeNull();
  });

  it('lists outbox failures and retries them all', async () => {
    const failures = [
      {
        id: 'o1',
        externalId: 'a@mail.test',
        contactId: 'c1',
        subject: 'Quote for Q2',
        error: {
          kind: 'server' as const,
          message: 'logActivities failed with 503',
          status: 503,
          source: 'crm' as const,
        },
        attempts: 5,
      },
      {
        id: 'o2',
        externalId: 'b@mail.test',
        contactId: 'c2',
        subject: '',
        error: {
          kind: 'invalid_request' as const,
          message: 'contact c2 does not exist',
          source: 'crm' as const,
        },
        attempts: 1,
      },
    ];
    let retried = false;
    const background = new FakeBackground({
      'status.get': () =>
        retried
          ? statusFixture({ outbox: { pending: 2, failed: 0, delivered: 12 } })
          : statusFixture({ outbox: { pending: 0, failed: 2, delivered: 12 }, outboxFailures: failures }),
      'outbox.retry': () => {
        retried = true;
        return { retried: 2 };
      },
    });
    renderPopup(background);

    const list = await screen.findByRole('list', { name: 'Failed emails' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((item) => item.textContent)).toEqual([
      'Quote for Q2The CRM had a problem answering. Try again in a moment. (after 5 attempts)',
      '(no subject)The CRM rejected the request (contact c2 does not exist).',
    ]);
    expect(screen.getByTestId('outbox-counts').textContent).toBe('0 waiting · 2 failed · 12 delivered');

    fireEvent.click(screen.getByRole('button', { name: 'Retry all' }));
    await screen.findByText('Retrying 2 emails.');
    expect(background.callsOf('outbox.retry')).toEqual([{}]);
    await waitFor(() =>
      expect(screen.getByTestId('outbox-counts').textContent).toBe('2 waiting · 0 failed · 12 delivered'),
    );
    expect(screen.queryByRole('button', { name: 'Retry all' })).toBeNull();
  });

  it('starts a sync of every mailbox with Sync now', async () => {
    const background = new FakeBackground({
      'status.get': () => statusFixture({ mailboxes: [mailboxFixture(), mailboxFixture({ id: 'mbx-2' })] }),
      'mailbox.syncNow': () => ({ started: 2 }),
    });
    renderPopup(background);
    fireEvent.click(await screen.findByRole('button', { name: 'Sync now' }));
    await screen.findByText('Sync started for 2 mailboxes.');
    expect(background.callsOf('mailbox.syncNow')).toEqual([{}]);
  });

  it('says when the background does not answer, and recovers on Try again', async () => {
    let up = false;
    const background = new FakeBackground({
      'status.get': () => {
        if (!up) throw new RemoteError({ kind: 'storage', message: 'Database is closed' });
        return statusFixture();
      },
    });
    renderPopup(background);
    expect((await screen.findByRole('alert')).textContent).toContain(
      'Could not read the extension’s status: The extension could not use the browser’s storage (Database is closed).',
    );
    up = true;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByTestId('version');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows a loading state until the status arrives', async () => {
    let answer: (status: ExtensionStatus) => void = () => {};
    const background = new FakeBackground({
      'status.get': () => new Promise<ExtensionStatus>((resolve) => (answer = resolve)),
    });
    renderPopup(background);
    expect(screen.getByRole('status').textContent).toBe('Reading the extension’s status…');
    answer(statusFixture());
    await screen.findByTestId('version');
  });
});
