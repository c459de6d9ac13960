// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { PanelApi } from '../../../components/panel/PanelApi';
import { SidePanelApp, type SidePanelHost } from '../../../components/panel/SidePanelApp';
import type { SidePanelThread } from '../../../lib/panel/SidePanelThread';

afterEach(cleanup);

/** The side panel's states that need no CRM: what it shows when it has no thread to show. */
function renderSide(answers: (SidePanelThread | Error)[]) {
  const opened: (string | undefined)[] = [];
  let listener: (() => void) | null = null;
  const host: SidePanelHost = {
    thread: async () => {
      const next = answers.shift();
      if (!next) throw new Error('no more answers');
      if (next instanceof Error) throw next;
      return next;
    },
    onActiveTabChange(l) {
      listener = l;
      return () => {
        listener = null;
      };
    },
    openOptions: async (route) => {
      opened.push(route);
    },
  };
  // No thread is shown in these states, so the panel's API is never reached.
  render(<SidePanelApp api={{} as PanelApi} host={host} />);
  return { opened, tabChanged: () => listener?.() };
}

describe('SidePanelApp', () => {
  it('lists the people read from Gmail’s page, says so, offers no logging and asks for the mailbox', async () => {
    const { opened } = renderSide([
      {
        state: 'page_people',
        provider: 'gmail',
        people: [
          { address: 'alice.moreau@acme-robotics.example', name: 'Alice Moreau' },
          { address: 'ben@globex.example', name: '' },
        ],
      },
    ]);
    const list = await screen.findByRole('list', { name: 'People on this email, read from the page' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Alice Moreau alice.moreau@acme-robotics.example', 'ben@globex.example']);
    expect(screen.getByText(/Read from the page/).textContent).toContain('Gmail');
    expect(screen.queryByRole('button', { name: /^Log email/ })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Connect a mailbox' }));
    expect(opened).toEqual(['#setup/mailbox']);
  });

  it('follows the active tab: from the inbox list to a thread whose link the API cannot open', async () => {
    const { tabChanged } = renderSide([
      { state: 'no_thread', provider: 'gmail' },
      { state: 'unreadable_url', provider: 'gmail' },
    ]);
    expect((await screen.findByText('No email open')).tagName).toBe('H1');
    tabChanged();
    await screen.findByText('Gmail’s link cannot be read here');
  });

  it('says what failed and tries again on request', async () => {
    renderSide([new Error('The background did not answer'), { state: 'needs_mailbox', provider: 'outlook' }]);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The open email could not be read');
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    await screen.findByText('Connect your Outlook mailbox');
  });
});
