// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CrmPanel } from '../../../components/panel/CrmPanel';
import { PanelRoot } from '../../../components/panel/PanelRoot';
import { ThreadSnapshot } from '../../../lib/mail/MailMessage';
import { snapshotRefusal } from '../../../lib/mail/snapshotRefusal';
import { RemoteError } from '../../../lib/messaging/protocol';
import type { ThreadView } from '../../../lib/panel/ThreadView';
import {
  contact,
  contactCard,
  deferred,
  fakeApi,
  snapshot,
  threadView,
  unknownParticipant,
} from './fixtures';

afterEach(cleanup);

/** Let pending promise callbacks (and the React updates they cause) run. */
async function settle() {
  await act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });
}

describe('CrmPanel: opening a thread', () => {
  it('asks once with preferCache when the answer is fresh', async () => {
    const api = fakeApi();
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    expect(await screen.findByRole('link', { name: 'Jane Doe' })).toBeTruthy();
    await settle();
    expect(api.thread.open).toHaveBeenCalledTimes(1);
    expect(api.thread.open.mock.calls[0]![0].preferCache).toBe(true);
  });

  it('shows a cached answer at once, then refreshes exactly once', async () => {
    const refreshed = deferred<ThreadView>();
    const api = fakeApi({
      'thread.open': async ({ preferCache }) =>
        preferCache
          ? threadView({
              fromCache: true,
              known: [contactCard({ contact: contact({ title: 'Buyer (cached)' }) })],
            })
          : refreshed.promise,
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    expect(await screen.findByText(/Buyer \(cached\)/)).toBeTruthy();
    expect(api.thread.open).toHaveBeenCalledTimes(2);
    expect(api.thread.open.mock.calls[1]![0].preferCache).toBe(false);

    // Even if the refresh still claimed to be cached, the panel must not ask a third time.
    refreshed.resolve(threadView({ fromCache: true }));
    expect(await screen.findByText(/Head of Procurement/)).toBeTruthy();
    await settle();
    expect(api.thread.open).toHaveBeenCalledTimes(2);
  });

  it('does not ask again when the host re-renders the same thread with a new snapshot object', async () => {
    const api = fakeApi();
    const { rerender } = render(<CrmPanel snapshot={snapshot()} api={api} />);
    await screen.findByRole('link', { name: 'Jane Doe' });
    rerender(<CrmPanel snapshot={snapshot()} api={{ ...api }} />);
    await settle();
    expect(api.thread.open).toHaveBeenCalledTimes(1);
  });

  it('asks again when a new message arrives in the open thread', async () => {
    const api = fakeApi();
    const { rerender } = render(<CrmPanel snapshot={snapshot()} api={api} />);
    await screen.findByRole('link', { name: 'Jane Doe' });
    rerender(<CrmPanel snapshot={snapshot('thread-renewal', ['msg-1', 'msg-2', 'msg-3'])} api={api} />);
    await waitFor(() => expect(api.thread.open).toHaveBeenCalledTimes(2));
  });

  it('ignores the answer for a thread the user has already left', async () => {
    const first = deferred<ThreadView>();
    const api = fakeApi({
      'thread.open': async ({ snapshot: shown }) =>
        shown.threadId === 'thread-old'
          ? first.promise
          : threadView({ known: [contactCard({ contact: contact({ id: 'ct_bob', name: 'Bob New' }) })] }),
    });
    const { rerender } = render(<CrmPanel snapshot={snapshot('thread-old', ['old-1'])} api={api} />);
    rerender(<CrmPanel snapshot={snapshot('thread-new', ['new-1'])} api={api} />);
    expect(await screen.findByRole('link', { name: 'Bob New' })).toBeTruthy();

    first.resolve(threadView({ known: [contactCard({ contact: contact({ name: 'Stale Sally' }) })] }));
    await settle();
    expect(screen.queryByText('Stale Sally')).toBeNull();
    expect(screen.getByRole('link', { name: 'Bob New' })).toBeTruthy();
  });

  it('ignores a late refresh from an earlier visit when the user comes back to the same thread', async () => {
    const firstVisitRefresh = deferred<ThreadView>();
    let calls = 0;
    const api = fakeApi({
      'thread.open': async ({ snapshot: shown }) => {
        if (shown.threadId !== 'thread-a') return threadView({ known: [], unknown: [] });
        calls += 1;
        if (calls === 1) return threadView({ fromCache: true });
        if (calls === 2) return firstVisitRefresh.promise;
        return threadView({ known: [contactCard({ contact: contact({ title: 'Second visit' }) })] });
      },
    });
    const { rerender } = render(<CrmPanel snapshot={snapshot('thread-a', ['a-1'])} api={api} />);
    await waitFor(() => expect(calls).toBe(2));
    rerender(<CrmPanel snapshot={snapshot('thread-b', ['b-1'])} api={api} />);
    await screen.findByText('Nobody else is in this thread.');
    rerender(<CrmPanel snapshot={snapshot('thread-a', ['a-1'])} api={api} />);
    expect(await screen.findByText(/Second visit/)).toBeTruthy();

    firstVisitRefresh.resolve(
      threadView({ known: [contactCard({ contact: contact({ title: 'First visit' }) })] }),
    );
    await settle();
    expect(screen.queryByText(/First visit/)).toBeNull();
  });
});

describe('CrmPanel: states', () => {
  it('asks the user to open an email when no thread is open', () => {
    const api = fakeApi();
    render(<CrmPanel snapshot={null} api={api} />);
    expect(screen.getByText("Open an email to see who's in it.")).toBeTruthy();
    expect(api.thread.open).not.toHaveBeenCalled();
  });

  it('says so when the page shows a thread over the sidebar limits: worded, nothing sent', () => {
    // What the Outlook content script does with a page thread of 101 messages and a 1 MB subject.
    const input = snapshot();
    const oversized = ThreadSnapshot.safeParse({
      ...input,
      subject: 'x'.repeat(1_000_000),
      messages: Array.from({ length: 101 }, (_, i) => ({
        ...input.messages[0]!,
        providerMessageId: `m-${i}`,
      })),
    });
    expect(oversized.success).toBe(false);
    const refusal = snapshotRefusal(oversized.error!);
    expect(refusal.kind).toBe('too_large');
    const api = fakeApi();
    render(<CrmPanel snapshot={null} pageError={refusal} api={api} />);
    const alert = screen.getByRole('alert');
    expect(within(alert).getByText('This thread is too large for the sidebar')).toBeTruthy();
    expect(alert.textContent).toContain('subject: a subject is at most 998 characters');
    expect(alert.textContent).toContain('messages: a thread has at most 100 messages');
    expect(alert.textContent).toContain('Nothing was sent to the CRM and nothing was changed.');
    expect(screen.queryByText("Open an email to see who's in it.")).toBeNull();
    expect(api.thread.open).not.toHaveBeenCalled();
  });

  it('words a thread the reader could not shape as not accepted, not as too large', () => {
    const bad = ThreadSnapshot.safeParse({ ...snapshot(), provider: 'yahoo' });
    expect(snapshotRefusal(bad.error!).kind).toBe('invalid_message');
    const recipients = ThreadSnapshot.safeParse({
      ...snapshot(),
      messages: [
        {
          ...snapshot().messages[0]!,
          to: Array.from({ length: 501 }, (_, i) => ({ name: '', address: `p${i}@acme.example` })),
        },
      ],
    });
    expect(snapshotRefusal(recipients.error!)).toMatchObject({
      kind: 'too_large',
      issues: [expect.objectContaining({ message: expect.stringContaining('at most 500 recipients') })],
    });
  });

  it('shows a busy skeleton while the first answer is on its way', async () => {
    const answer = deferred<ThreadView>();
    const { container } = render(
      <CrmPanel snapshot={snapshot()} api={fakeApi({ 'thread.open': () => answer.promise })} />,
    );
    expect(container.querySelector('[aria-busy="true"]')).not.toBeNull();
    answer.resolve(threadView());
    await screen.findByRole('link', { name: 'Jane Doe' });
    expect(container.querySelector('.crm-skeleton')).toBeNull();
  });

  it('offers the settings when the CRM is not configured', async () => {
    const api = fakeApi({
      'thread.open': async () => {
        throw new RemoteError({ kind: 'not_configured', message: 'No CRM connection' });
      },
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('not configured');
    fireEvent.click(within(alert).getByRole('button', { name: 'Open settings' }));
    expect(api.options.open).toHaveBeenCalledWith({ route: '#setup/connect' });
  });

  it('says the token was rejected on an auth error, even after a cached answer was shown', async () => {
    const api = fakeApi({
      'thread.open': async ({ preferCache }) => {
        if (preferCache) return threadView({ fromCache: true });
        throw new RemoteError({ kind: 'auth', message: '401', status: 401 });
      },
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    expect(await screen.findByText('Your CRM token was rejected')).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Jane Doe' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Open settings' }));
    expect(api.options.open).toHaveBeenCalledWith({ route: '#setup/connect' });
  });

  it('offers a retry after a network error and shows the answer once the CRM is back', async () => {
    let attempts = 0;
    const api = fakeApi({
      'thread.open': async () => {
        attempts += 1;
        if (attempts === 1) throw new RemoteError({ kind: 'network', message: 'fetch failed' });
        return threadView();
      },
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('could not be reached');
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('link', { name: 'Jane Doe' })).toBeTruthy();
    expect(api.thread.open.mock.calls[1]![0].preferCache).toBe(false);
  });

  it('keeps the cached view with a warning when the refresh hits a server error', async () => {
    const api = fakeApi({
      'thread.open': async ({ preferCache }) => {
        if (preferCache) return threadView({ fromCache: true });
        throw new RemoteError({ kind: 'server', message: '502', status: 502 });
      },
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Showing saved data');
    expect(screen.getByRole('link', { name: 'Jane Doe' })).toBeTruthy();
  });

  it('shows an empty state when nobody else is in the thread', async () => {
    render(
      <CrmPanel
        snapshot={snapshot()}
        api={fakeApi({ 'thread.open': async () => threadView({ known: [], unknown: [] }) })}
      />,
    );
    expect(await screen.findByText('Nobody else is in this thread.')).toBeTruthy();
  });

  it("leaves out the user's own addresses given by the host", async () => {
    const api = fakeApi({
      'thread.open': async () =>
        threadView({
          unknown: [
            unknownParticipant({ address: 'rita.alias@ourco.example', name: 'Rita', suggestedName: 'Rita' }),
            unknownParticipant(),
          ],
        }),
    });
    render(<CrmPanel snapshot={snapshot()} api={api} userAddresses={['Rita.Alias@ourco.example']} />);
    expect(await screen.findByText('sam.lee@acme.example')).toBeTruthy();
    expect(screen.queryByText('rita.alias@ourco.example')).toBeNull();
  });

  it('lists known contacts as a list and shows the notice and the CRM user', async () => {
    render(
      <CrmPanel
        snapshot={snapshot()}
        api={fakeApi({
          'thread.open': async () =>
            threadView({ notice: 'Read from the page; connect your mailbox for exact data.' }),
        })}
      />,
    );
    const contacts = await screen.findByRole('region', { name: 'Contacts in your CRM' });
    expect(within(contacts).getAllByRole('listitem').length).toBeGreaterThan(0);
    expect(screen.getByText('Read from the page; connect your mailbox for exact data.')).toBeTruthy();
    expect(screen.getByText('Rita Rep', { selector: '.crm-user' })).toBeTruthy();
  });
});

describe('CrmPanel: collapse', () => {
  it('starts collapsed when that was remembered and saves a toggle', async () => {
    const api = fakeApi({ loadCollapsed: async () => true });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const toggle = screen.getByRole('button', { name: /CRM panel/ });
    await waitFor(() => expect(toggle.getAttribute('aria-expanded')).toBe('false'));
    const body = document.getElementById(toggle.getAttribute('aria-controls')!)!;
    expect(body.hidden).toBe(true);

    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(body.hidden).toBe(false);
    expect(api.saveCollapsed).toHaveBeenLastCalledWith(false);

    fireEvent.click(toggle);
    expect(api.saveCollapsed).toHaveBeenLastCalledWith(true);
  });

  it('does not let a slow stored value override a toggle the user already made', async () => {
    const stored = deferred<boolean>();
    const api = fakeApi({ loadCollapsed: () => stored.promise });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const toggle = screen.getByRole('button', { name: 'Collapse CRM panel' });
    fireEvent.click(toggle);
    stored.resolve(false);
    await settle();
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
  });
});

describe('PanelRoot', () => {
  it('mounts the stylesheet with the panel', async () => {
    const { container } = render(<PanelRoot snapshot={null} api={fakeApi()} />);
    expect(container.querySelector('style')?.textContent).toContain('.crm-panel');
    expect(container.querySelector('.crm-panel')).not.toBeNull();
  });
});
