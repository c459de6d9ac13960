// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CrmPanel } from '../../../components/panel/CrmPanel';
import { RemoteError } from '../../../lib/messaging/protocol';
import type { MessageLogStatus } from '../../../lib/panel/ThreadView';
import { deferred, fakeApi, hoursAgo, messageStatus, snapshot, threadView } from './fixtures';

afterEach(cleanup);

function logRow(subject: string): HTMLElement {
  const row = screen.getByText(subject, { selector: '.crm-log-subject' }).closest('li');
  if (!row) throw new Error(`no log row for ${subject}`);
  return row;
}

function liveRegion(): HTMLElement {
  return document.querySelector('[aria-live="polite"]') as HTMLElement;
}

describe('MessageLogList through CrmPanel', () => {
  it('logs one email: spinner while in flight, then "Logged … by You", announced politely', async () => {
    const answer = deferred<MessageLogStatus[]>();
    const api = fakeApi({ 'thread.log': async () => ({ messages: await answer.promise }) });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    await screen.findByText('Re: Renewal quote', { selector: '.crm-log-subject' });
    expect(screen.queryByTestId('crm-in-crm')).toBeNull();

    fireEvent.click(within(logRow('Re: Renewal quote')).getByRole('button', { name: /Log email/ }));
    const busyButton = within(logRow('Re: Renewal quote')).getByRole('button', { name: /Logging/ });
    expect((busyButton as HTMLButtonElement).disabled).toBe(true);
    expect(logRow('Re: Renewal quote').querySelector('.crm-spinner')).not.toBeNull();
    expect(api.thread.log).toHaveBeenCalledWith({
      snapshot: expect.objectContaining({ threadId: 'thread-renewal' }),
      providerMessageIds: ['msg-1'],
    });

    await act(async () =>
      answer.resolve([
        messageStatus({
          state: 'logged',
          loggedAt: hoursAgo(0),
          loggedBy: [{ userId: 'u_rita', name: 'Rita Rep', self: true }],
        }),
      ]),
    );
    expect(logRow('Re: Renewal quote').textContent).toContain('Logged just now by You');
    expect(liveRegion().textContent).toBe('Logged 1 email.');
    // The thread now carries the same "In CRM" mark as Gmail's list.
    expect(screen.getByTestId('crm-in-crm').textContent).toBe('In CRM');
    // The other message is untouched.
    expect(within(logRow('Re: Re: Renewal quote')).getByRole('button', { name: /Log email/ })).toBeTruthy();
  });

  it('says why the sync skips an automated email and still offers to log it', async () => {
    const reason = 'Not logged automatically: newsletter: List-Unsubscribe and Precedence: bulk';
    const api = fakeApi({
      'thread.open': async () => threadView({ messages: [messageStatus({ reason })] }),
    });
    render(<CrmPanel snapshot={snapshot('thread-renewal', ['msg-1'])} api={api} />);
    await screen.findByText('Re: Renewal quote', { selector: '.crm-log-subject' });
    expect(logRow('Re: Renewal quote').textContent).toContain(reason);
    expect(within(logRow('Re: Renewal quote')).getByRole('button', { name: /Log email/ })).toBeTruthy();
  });

  it('sends one request when "Log email" is clicked twice quickly', async () => {
    const answer = deferred<MessageLogStatus[]>();
    const api = fakeApi({ 'thread.log': async () => ({ messages: await answer.promise }) });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    await screen.findByText('Re: Renewal quote', { selector: '.crm-log-subject' });
    const button = within(logRow('Re: Renewal quote')).getByRole('button', { name: /Log email/ });
    fireEvent.click(button);
    fireEvent.click(button);
    fireEvent.click(within(logRow('Re: Renewal quote')).getByRole('button', { name: /Logging/ }));
    expect(api.thread.log).toHaveBeenCalledTimes(1);
    await act(async () => answer.resolve([messageStatus({ state: 'logged', loggedAt: hoursAgo(0) })]));
  });

  it('sends one request for two clicks delivered before React re-renders', async () => {
    const answer = deferred<MessageLogStatus[]>();
    const api = fakeApi({ 'thread.log': async () => ({ messages: await answer.promise }) });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    await screen.findByText('Re: Renewal quote', { selector: '.crm-log-subject' });
    const button = within(logRow('Re: Renewal quote')).getByRole('button', { name: /Log email/ });
    // Inside one act() both clicks reach the still-enabled button, as a fast double click can.
    act(() => {
      button.click();
      button.click();
    });
    fireEvent.click(screen.getByRole('button', { name: 'Log thread' }));
    expect(api.thread.log).toHaveBeenCalledTimes(2);
    expect(api.thread.log.mock.calls.map((call) => call[0].providerMessageIds)).toEqual([
      ['msg-1'],
      ['msg-2'],
    ]);
    await act(async () => answer.resolve([]));
  });

  it('"Log thread" logs every loggable message not yet logged, in one call', async () => {
    const api = fakeApi({
      'thread.open': async () =>
        threadView({
          messages: [
            messageStatus({ providerMessageId: 'm-a', subject: 'First' }),
            messageStatus({
              providerMessageId: 'm-b',
              subject: 'Second',
              state: 'logged',
              loggedAt: hoursAgo(5),
            }),
            messageStatus({
              providerMessageId: 'm-c',
              subject: 'Out of office',
              state: 'not_loggable',
              reason: 'Automated reply',
            }),
            messageStatus({ providerMessageId: 'm-d', subject: 'Fourth' }),
          ],
        }),
      'thread.log': async ({ providerMessageIds: ids }) => ({
        messages: ids.map((id) =>
          messageStatus({
            providerMessageId: id,
            subject: id === 'm-a' ? 'First' : 'Fourth',
            state: 'queued',
          }),
        ),
      }),
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Log thread' }));
    expect(api.thread.log).toHaveBeenCalledWith({
      snapshot: expect.anything(),
      providerMessageIds: ['m-a', 'm-d'],
    });
    await waitFor(() =>
      expect(logRow('Fourth').textContent).toContain('Queued — will be sent when the CRM is reachable'),
    );
    expect(logRow('First').textContent).toContain('Queued');
    expect(liveRegion().textContent).toBe('2 emails queued until the CRM is reachable.');
    // Nothing left to log.
    expect((screen.getByRole('button', { name: 'Log thread' }) as HTMLButtonElement).disabled).toBe(true);
    // The automated message explains itself and has no button.
    expect(logRow('Out of office').textContent).toContain('Automated reply');
    expect(within(logRow('Out of office')).queryByRole('button')).toBeNull();
  });

  it('shows a colleague who already logged the email', async () => {
    const api = fakeApi({
      'thread.open': async () =>
        threadView({
          messages: [
            messageStatus({
              state: 'logged',
              loggedAt: hoursAgo(26),
              loggedBy: [{ userId: 'u_max', name: 'Max Colleague', self: false }],
            }),
          ],
        }),
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    await screen.findByText('Re: Renewal quote', { selector: '.crm-log-subject' });
    expect(logRow('Re: Renewal quote').textContent).toContain('Already logged by Max Colleague');
    expect(within(logRow('Re: Renewal quote')).queryByRole('button')).toBeNull();
  });

  it('retries a failed delivery through the outbox, then refreshes the thread', async () => {
    let opens = 0;
    const api = fakeApi({
      'thread.open': async () => {
        opens += 1;
        return threadView({
          messages: [
            opens === 1
              ? messageStatus({ state: 'failed', error: 'CRM answered 500: database unavailable' })
              : messageStatus({
                  state: 'logged',
                  loggedAt: hoursAgo(0),
                  loggedBy: [{ userId: 'u_rita', name: 'Rita Rep', self: true }],
                }),
          ],
        });
      },
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    await screen.findByText('CRM answered 500: database unavailable');
    fireEvent.click(within(logRow('Re: Renewal quote')).getByRole('button', { name: /Retry/ }));
    await waitFor(() => expect(logRow('Re: Renewal quote').textContent).toContain('by You'));
    expect(api.outbox.retry).toHaveBeenCalledTimes(1);
    expect(api.thread.open).toHaveBeenLastCalledWith({ snapshot: expect.anything(), preferCache: false });
    expect(api.thread.log).not.toHaveBeenCalled();
  });

  it('shows why a log call failed and retries it by logging again', async () => {
    let calls = 0;
    const api = fakeApi({
      'thread.log': async () => {
        calls += 1;
        if (calls === 1)
          throw new RemoteError({
            kind: 'invalid_reply',
            message: 'The extension background did not answer.',
          });
        return { messages: [messageStatus({ state: 'queued' })] };
      },
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    await screen.findByText('Re: Renewal quote', { selector: '.crm-log-subject' });
    fireEvent.click(within(logRow('Re: Renewal quote')).getByRole('button', { name: /Log email/ }));
    expect(
      await screen.findByText('The extension’s background did not answer. Try reopening this page.'),
    ).toBeTruthy();
    expect(liveRegion().textContent).toContain('Could not log');

    fireEvent.click(within(logRow('Re: Renewal quote')).getByRole('button', { name: /Retry/ }));
    await waitFor(() => expect(logRow('Re: Renewal quote').textContent).toContain('Queued'));
    expect(api.thread.log).toHaveBeenCalledTimes(2);
    expect(api.outbox.retry).not.toHaveBeenCalled();
  });

  it('marks a message logged under an approximate key and explains why', async () => {
    const api = fakeApi({
      'thread.open': async () =>
        threadView({ messages: [messageStatus({ approximateKey: true, externalId: 'gmail:msg-1' })] }),
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const marker = await screen.findByText('approximate');
    const description = document.getElementById(marker.getAttribute('aria-describedby')!);
    expect(description?.textContent).toContain('No exact Message-ID was available');
    expect(marker.getAttribute('title')).toContain('No exact Message-ID');
  });

  it('keeps a fresh log result over an older view, and drops it once a newer view arrives', async () => {
    const api = fakeApi({
      'thread.open': async () =>
        threadView({
          messages: [
            messageStatus({
              state: 'logged',
              loggedAt: hoursAgo(0),
              loggedBy: [{ userId: 'u_rita', name: 'Rita Rep', self: true }],
            }),
          ],
        }),
    });
    api.thread.open.mockImplementationOnce(async () => threadView({ messages: [messageStatus()] }));
    api.thread.log.mockImplementation(async () => ({ messages: [messageStatus({ state: 'queued' })] }));
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    fireEvent.click(await screen.findByRole('button', { name: /Log email/ }));
    await waitFor(() => expect(logRow('Re: Renewal quote').textContent).toContain('Queued'));

    // Creating a contact re-opens the thread; the newer view (delivered by now) wins.
    fireEvent.click(screen.getByRole('button', { name: 'Create contact' }));
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(logRow('Re: Renewal quote').textContent).toContain('by You'));
  });
});
