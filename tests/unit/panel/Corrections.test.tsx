// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CrmPanel } from '../../../components/panel/CrmPanel';
import { RemoteError } from '../../../lib/messaging/protocol';
import { contactCard, fakeApi, snapshot, threadView } from './fixtures';

afterEach(cleanup);

/** The undo bar's sentence (the live region repeats it for screen readers). */
const inUndoBar = { selector: '.crm-undo span' };

function card() {
  return contactCard({
    matchedBy: 'alternate',
    matchReason: 'jane.doe@acme.example is an alternate email address of Jane Doe.',
    companyMatch: {
      domain: 'acme.example',
      reason: 'acme.example is a domain of Acme Corp; Jane Doe works there.',
    },
  });
}

describe('why it matched and corrections on a card', () => {
  it('says how the person and the company were found', async () => {
    render(
      <CrmPanel
        snapshot={snapshot()}
        api={fakeApi({ 'thread.open': async () => threadView({ known: [card()] }) })}
      />,
    );
    const article = await screen.findByRole('article', { name: 'Jane Doe' });
    expect(within(article).getByText(/is an alternate email address of Jane Doe/)).toBeTruthy();
    expect(within(article).getByText(/acme.example is a domain of Acme Corp/)).toBeTruthy();
  });

  it('"Not this person" stores an override, refreshes, and undo removes it', async () => {
    const api = fakeApi({ 'thread.open': async () => threadView({ known: [card()] }) });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const article = await screen.findByRole('article', { name: 'Jane Doe' });
    fireEvent.click(within(article).getByRole('button', { name: 'Not this person' }));
    const bar = await screen.findByText(/is no longer linked to Jane Doe/, inUndoBar);
    expect(api.match.correct).toHaveBeenCalledWith({
      kind: 'contact',
      address: card().matchedAddress,
      recordId: null,
      label: 'not Jane Doe',
    });
    await waitFor(() => expect(api.thread.open).toHaveBeenCalledTimes(2));
    fireEvent.click(within(bar.parentElement as HTMLElement).getByRole('button', { name: 'Undo' }));
    await waitFor(() =>
      expect(api.match.uncorrect).toHaveBeenCalledWith({ kind: 'contact', key: card().matchedAddress }),
    );
  });

  it('"Not this company" overrides the domain, and never-log adds the address or the domain with undo', async () => {
    const api = fakeApi({ 'thread.open': async () => threadView({ known: [card()] }) });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const article = await screen.findByRole('article', { name: 'Jane Doe' });
    fireEvent.click(within(article).getByRole('button', { name: 'Not this company' }));
    await screen.findByText(/no longer linked to Acme/, inUndoBar);
    expect(api.match.correct).toHaveBeenLastCalledWith(
      expect.objectContaining({ kind: 'company', recordId: null }),
    );

    fireEvent.click(within(article).getByRole('button', { name: /Never log this domain: / }));
    const bar = await screen.findByText(/Mail with anyone at .* will never be logged/, inUndoBar);
    expect(api.neverLog.add).toHaveBeenCalledWith({ scope: 'domain', address: card().matchedAddress });
    fireEvent.click(within(bar.parentElement as HTMLElement).getByRole('button', { name: 'Undo' }));
    await waitFor(() =>
      expect(api.neverLog.remove).toHaveBeenCalledWith({ scope: 'domain', value: expect.any(String) }),
    );

    fireEvent.click(
      within(article).getByRole('button', { name: `Never log this address: ${card().matchedAddress}` }),
    );
    await screen.findByText(`Mail with ${card().matchedAddress} will never be logged.`, inUndoBar);
    expect(api.neverLog.add).toHaveBeenLastCalledWith({ scope: 'address', address: card().matchedAddress });
  });

  it('a correction clicked while an undo is still on its way runs after it, not dropped', async () => {
    let finishUndo: () => void = () => undefined;
    const api = fakeApi({
      'thread.open': async () => threadView({ known: [card()] }),
      'neverLog.remove': () =>
        new Promise((resolve) => {
          finishUndo = () => resolve({});
        }),
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const article = await screen.findByRole('article', { name: 'Jane Doe' });
    fireEvent.click(within(article).getByRole('button', { name: /Never log this domain: / }));
    const bar = await screen.findByText(/Mail with anyone at .* will never be logged/, inUndoBar);
    fireEvent.click(within(bar.parentElement as HTMLElement).getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(api.neverLog.remove).toHaveBeenCalled());
    fireEvent.click(
      within(article).getByRole('button', { name: `Never log this address: ${card().matchedAddress}` }),
    );
    expect(api.neverLog.add).toHaveBeenCalledTimes(1);
    finishUndo();
    await screen.findByText(`Mail with ${card().matchedAddress} will never be logged.`, inUndoBar);
    expect(api.neverLog.add).toHaveBeenLastCalledWith({ scope: 'address', address: card().matchedAddress });
  });

  it('says so when a correction cannot be saved', async () => {
    const api = fakeApi({
      'thread.open': async () => threadView({ known: [card()] }),
      'neverLog.add': async () => {
        throw new RemoteError({ kind: 'network', message: 'offline' });
      },
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const article = await screen.findByRole('article', { name: 'Jane Doe' });
    fireEvent.click(within(article).getByRole('button', { name: /Never log this domain: / }));
    expect((await screen.findByText(/Could not save the correction/)).getAttribute('role')).toBe('alert');
  });
});

describe('ambiguous pick', () => {
  it('asks who shares the address and remembers the pick like an override', async () => {
    const api = fakeApi({
      'thread.open': async () =>
        threadView({
          known: [],
          ambiguous: [
            {
              address: 'info@acme.example',
              name: 'Acme',
              candidates: [
                {
                  id: 'ct_a',
                  name: 'Ann Office',
                  title: 'Office manager',
                  url: 'https://crm.example/contacts/a',
                },
                { id: 'ct_b', name: 'Ben Sales', title: null, url: 'https://crm.example/contacts/b' },
              ],
            },
          ],
        }),
    });
    render(<CrmPanel snapshot={snapshot()} api={api} />);
    const section = await screen.findByRole('region', { name: 'Who is this?' });
    expect(within(section).getByText(/Nothing is logged to it until you pick one/)).toBeTruthy();
    fireEvent.click(within(section).getByRole('button', { name: 'Ben Sales' }));
    await screen.findByText('info@acme.example is now Ben Sales.', inUndoBar);
    expect(api.match.correct).toHaveBeenCalledWith({
      kind: 'contact',
      address: 'info@acme.example',
      recordId: 'ct_b',
      label: 'Ben Sales (picked)',
    });
  });
});
