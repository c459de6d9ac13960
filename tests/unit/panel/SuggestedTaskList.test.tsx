// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CrmPanel } from '../../../components/panel/CrmPanel';
import { RemoteError } from '../../../lib/messaging/protocol';
import { fakeApi, snapshot, threadView } from './fixtures';

afterEach(cleanup);

const suggestion = {
  key: 'k1',
  contactId: 'ct_jane',
  contactName: 'Jane Buyer',
  title: 'Call back about pricing',
  priority: 'high' as const,
  dueAt: '2026-11-25T09:00:00.000Z',
  sourceExternalId: 'abc@mail.example',
  reason: '“urgent” in the subject',
};

describe('suggested follow-ups', () => {
  it('creates a suggested task on click, once, and says so', async () => {
    let release: () => void = () => undefined;
    const api = fakeApi({
      'thread.open': async () => threadView({ suggestedTasks: [suggestion] }),
      'task.create': () =>
        new Promise((resolve) => {
          release = () => resolve({ status: 'created' });
        }),
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const section = await screen.findByRole('region', { name: 'Suggested follow-ups' });
    expect(within(section).getByText('“urgent” in the subject')).toBeTruthy();
    const button = within(section).getByRole('button', {
      name: /Create task “Call back about pricing” for Jane Buyer/,
    });
    fireEvent.click(button);
    fireEvent.click(button);
    expect(api.task.create).toHaveBeenCalledTimes(1);
    expect(api.task.create).toHaveBeenCalledWith({
      task: {
        contactId: 'ct_jane',
        title: 'Call back about pricing',
        priority: 'high',
        dueAt: suggestion.dueAt,
        sourceExternalId: 'abc@mail.example',
      },
    });
    release();
    await within(section).findByText('Task created');
  });

  it('shows the error and keeps the button when the CRM refuses', async () => {
    const api = fakeApi({
      'thread.open': async () => threadView({ suggestedTasks: [suggestion] }),
      'task.create': async () => {
        throw new RemoteError({ kind: 'network', message: 'offline' });
      },
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const section = await screen.findByRole('region', { name: 'Suggested follow-ups' });
    fireEvent.click(within(section).getByRole('button', { name: /Create task/ }));
    await waitFor(() => expect(within(section).getByRole('alert').textContent).toBeTruthy());
    expect(within(section).getByRole('button', { name: /Create task/ })).toBeTruthy();
  });

  it('renders nothing when no rule suggests a task', async () => {
    render(<CrmPanel snapshot={snapshot()} api={fakeApi()} />);
    await screen.findByRole('region', { name: 'Contacts in your CRM' });
    expect(screen.queryByRole('region', { name: 'Suggested follow-ups' })).toBeNull();
  });
});
