// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CrmPanel } from '../../../components/panel/CrmPanel';
import { RemoteError } from '../../../lib/messaging/protocol';
import type { DealChoiceView } from '../../../lib/panel/features/dealChoice';
import { fakeApi, snapshot, threadView } from './fixtures';

afterEach(cleanup);

const THREAD = 'gmail:rita@ourco.example:thread-renewal';

function dealChoice(overrides: Partial<DealChoiceView> = {}): DealChoiceView {
  return {
    threadKey: THREAD,
    offered: [
      {
        id: 'deal_renewal',
        name: 'Acme renewal',
        stage: 'proposal',
        url: 'https://crm.example/deals/1',
        people: ['Jane Doe'],
      },
      {
        id: 'deal_upsell',
        name: 'Acme upsell',
        stage: 'negotiation',
        url: 'https://crm.example/deals/2',
        people: ['Jane Doe'],
      },
    ],
    chosen: null,
    relinkSupported: false,
    ...overrides,
  };
}

describe('deal picker', () => {
  it('offers the open deals and "No deal", saves the choice for the thread, says so, and undoes it', async () => {
    const api = fakeApi({
      'thread.open': async () => threadView({ dealChoice: dealChoice() }),
      'deal.choose': async ({ dealId, dealName }) => ({
        chosen: { dealId, dealName, chosenAt: 1 },
        relinked: 0,
        notRelinked: 1,
        notice: '1 email already logged keeps the earlier deal: change it in the CRM.',
      }),
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const section = await screen.findByRole('region', { name: 'Deal for this thread' });
    const select = within(section).getByRole('combobox', { name: 'Log this thread to' }) as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual([
      'Choose a deal…',
      'No deal',
      'Acme renewal (proposal) · Jane Doe',
      'Acme upsell (negotiation) · Jane Doe',
    ]);
    expect(within(section).getByText(/2 open deals: emails are logged without a deal/)).toBeTruthy();

    fireEvent.change(select, { target: { value: 'deal_upsell' } });
    await within(section).findByText(/Saved: Acme upsell/);
    expect(api.deal.choose).toHaveBeenCalledWith({
      threadKey: THREAD,
      dealId: 'deal_upsell',
      dealName: 'Acme upsell',
      externalIds: ['cafe01@mail.acme.example', 'beef02@ourco.example'],
    });
    expect(within(section).getByText(/keeps the earlier deal/)).toBeTruthy();
    expect(api.thread.open).toHaveBeenCalledTimes(2);

    fireEvent.click(within(section).getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(api.deal.clear).toHaveBeenCalledWith({ threadKey: THREAD }));
  });

  it('shows the stored choice from another tab and switches to "No deal"', async () => {
    const api = fakeApi({
      'thread.open': async () =>
        threadView({
          dealChoice: dealChoice({
            chosen: { dealId: 'deal_renewal', dealName: 'Acme renewal', chosenAt: 1 },
          }),
        }),
      'deal.choose': async ({ dealId, dealName }) => ({
        chosen: { dealId, dealName, chosenAt: 2 },
        relinked: 0,
        notRelinked: 0,
        notice: null,
      }),
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const section = await screen.findByRole('region', { name: 'Deal for this thread' });
    const select = within(section).getByRole('combobox') as HTMLSelectElement;
    expect(select.value).toBe('deal_renewal');
    expect(
      within(section).getByText(/Replies, synced sent mail and other tabs log this thread to Acme renewal/),
    ).toBeTruthy();
    fireEvent.change(select, { target: { value: '__none__' } });
    await within(section).findByText(/Saved: no deal/);
    expect(api.deal.choose).toHaveBeenCalledWith(expect.objectContaining({ dealId: null, dealName: null }));
    fireEvent.click(within(section).getByRole('button', { name: 'Undo' }));
    await waitFor(() =>
      expect(api.deal.choose).toHaveBeenLastCalledWith(expect.objectContaining({ dealId: 'deal_renewal' })),
    );
  });

  it('says why when the choice cannot be saved, and hides itself without deals', async () => {
    const api = fakeApi({
      'thread.open': async () => threadView({ dealChoice: dealChoice() }),
      'deal.choose': async () => {
        throw new RemoteError({ kind: 'network', message: 'offline' });
      },
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const section = await screen.findByRole('region', { name: 'Deal for this thread' });
    fireEvent.change(within(section).getByRole('combobox'), { target: { value: 'deal_renewal' } });
    expect((await within(section).findByRole('alert')).textContent).toMatch(/Could not save the deal/);
    cleanup();
    render(
      <CrmPanel
        snapshot={snapshot()}
        api={fakeApi({ 'thread.open': async () => threadView({ dealChoice: dealChoice({ offered: [] }) }) })}
      />,
    );
    await screen.findByRole('region', { name: 'Contacts in your CRM' });
    expect(screen.queryByRole('region', { name: 'Deal for this thread' })).toBeNull();
  });
});
