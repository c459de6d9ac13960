// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CrmPanel } from '../../../components/panel/CrmPanel';
import { EmailActivityInput } from '../../../lib/crm/contract';
import { fakeApi, messageStatus, snapshot, threadView } from './fixtures';

afterEach(cleanup);

const ACTIONS = { remove: true, move: true, moveToDeal: true, redact: true, admin: false };
const logged = messageStatus({
  externalId: 'm1@x',
  state: 'logged',
  loggedBy: [{ userId: 'u1', name: 'Rita', self: true }],
  contacts: [{ id: 'c1', name: 'Jane Doe' }],
  subject: 'Renewal',
});

describe('receipt actions', () => {
  it('redacts only after a confirmation that says it cannot be undone', async () => {
    const calls: string[] = [];
    const api = fakeApi({
      'thread.open': async () => threadView({ messages: [logged], receiptActions: ACTIONS }),
      'activity.redact': async ({ externalId }) => {
        calls.push(externalId);
        return { changed: [{ contactId: 'c1', activity: null, from: null, to: null }], unchanged: 0 };
      },
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Redact “Renewal”' }));
    expect(screen.getByText(/This cannot be undone/)).toBeTruthy();
    expect(calls).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Redact' }));
    expect((await screen.findAllByText('Redacted: the CRM keeps who and when only.')).length).toBeGreaterThan(
      0,
    );
    expect(calls).toEqual(['m1@x']);
  });

  it('removes with an Undo that logs it again, for a few seconds', async () => {
    const restored: unknown[] = [];
    const activity = EmailActivityInput.parse({
      type: 'email',
      externalId: 'm1@x',
      contactId: 'c1',
      direction: 'outgoing',
      subject: 'Renewal',
      snippet: 'About it',
      occurredAt: '2026-11-01T09:00:00.000Z',
      from: { name: 'Rita', address: 'rita@ourco.example' },
      to: [],
      cc: [],
      hasAttachments: false,
      source: 'gmail',
    });
    const api = fakeApi({
      'thread.open': async () => threadView({ messages: [logged], receiptActions: ACTIONS }),
      'activity.remove': async () => ({
        changed: [{ contactId: 'c1', activity, from: null, to: null }],
        unchanged: 0,
      }),
      'activity.restore': async ({ activities }) => {
        restored.push(...activities);
        return { restored: activities.length };
      },
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Remove “Renewal” from the CRM' }));
    expect(
      (await screen.findAllByText(/Removed from the CRM\. The sync will not log it again\./)).length,
    ).toBeGreaterThan(0);
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    expect((await screen.findAllByText('Logged again.')).length).toBeGreaterThan(0);
    expect(restored).toHaveLength(1);
  });

  it('hides what the CRM cannot do, and a colleague’s email unless the rep is an admin', async () => {
    const theirs = messageStatus({ ...logged, loggedBy: [{ userId: 'u2', name: 'Sam', self: false }] });
    const api = fakeApi({
      'thread.open': async () =>
        threadView({ messages: [theirs], receiptActions: { ...ACTIONS, remove: false } }),
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    await screen.findAllByText(/Renewal/);
    await waitFor(() => expect(screen.queryByTestId('crm-receipt-actions')).toBeNull());
  });
});
