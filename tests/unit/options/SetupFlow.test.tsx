// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { OptionsPage } from '../../../components/options/OptionsPage';
import { createExtensionApi } from '../../../components/shared/ExtensionApi';
import type { MeResponse } from '../../../lib/crm/contract';
import type { SettingsInput } from '../../../lib/settings/Settings';
import type { OptionsRoute } from '../../../lib/setup/optionsRoute';
import { FakeBackground, mailboxFixture, settingsHandlers, statusFixture } from './FakeBackground';

afterEach(cleanup);

const NOW = Date.parse('2026-03-10T12:00:00Z');
const ME: MeResponse = {
  user: { id: 'u1', name: 'Rita Rep', email: 'rita@acme.test' },
  org: { name: 'Acme', domains: ['acme.test'] },
};

function renderSetup(settings: SettingsInput = {}, start: OptionsRoute = { page: 'setup', step: null }) {
  const store = settingsHandlers(settings);
  const background = new FakeBackground({
    'status.get': () => statusFixture({ crmConfigured: false, crmBaseUrl: '', crmUser: null }),
    'crm.testConnection': () => ({ ok: true, me: ME }),
    ...store,
  });
  const api = createExtensionApi(background.send, { requestOriginPermission: async () => true });
  const routes: OptionsRoute[] = [];
  function Harness() {
    const [route, setRoute] = useState<OptionsRoute>(start);
    return (
      <OptionsPage
        api={api}
        route={route}
        navigate={(next) => {
          routes.push(next);
          setRoute(next);
        }}
        now={() => NOW}
      />
    );
  }
  render(<Harness />);
  return { background, store, routes };
}

const stepList = () => within(screen.getByRole('navigation'));
const stepLabels = () =>
  stepList()
    .getAllByRole('button')
    .map((b) => b.textContent);
const click = (name: string | RegExp) => fireEvent.click(screen.getByRole('button', { name }));

describe('guided set-up', () => {
  it('walks a fresh install through choose, connect, mailbox, privacy and done, saving progress', async () => {
    const { store, background } = renderSetup();
    expect(await screen.findByRole('heading', { name: 'Choose your CRM' })).toBeTruthy();
    expect(screen.getByText('0 of 4 steps done')).toBeTruthy();
    const rest = screen.getByRole('radio', { name: 'Our CRM contract (REST)' }) as HTMLInputElement;
    expect(rest.checked).toBe(true);
    click('Continue');

    await screen.findByRole('heading', { name: 'Connect and test' });
    expect(store.current().setup.confirmed).toEqual(['crm']);
    expect(screen.getByTestId('connect-reminder')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Base URL'), { target: { value: 'https://crm.acme.test' } });
    fireEvent.change(screen.getByLabelText('API token'), { target: { value: 'tok-1' } });
    click('Test connection');
    expect((await screen.findByTestId('test-result')).textContent).toContain('Connected as Rita Rep');
    click('Save');
    await waitFor(() => expect(store.current().crm.baseUrl).toBe('https://crm.acme.test'));
    await waitFor(() => expect(screen.queryByTestId('connect-reminder')).toBeNull());
    expect(stepLabels()).toContain('✓Connect and test: Done');
    click('Continue');

    await screen.findByRole('heading', { name: 'Mailbox (optional)' });
    const modes = screen.getByRole('table', { name: 'What each mode needs and gives' });
    expect(
      within(modes)
        .getAllByRole('rowheader')
        .map((h) => h.textContent),
    ).toEqual(['Webmail page only (no mailbox)', 'Connected mailbox (Gmail API or Microsoft Graph)']);
    // The same sections as the full settings page.
    expect(screen.getByRole('region', { name: 'Mailboxes' })).toBeTruthy();
    click('Skip for now');

    await screen.findByRole('heading', { name: 'Privacy and logging defaults' });
    expect(store.current().setup.skipped).toEqual(['mailbox']);
    // The privacy step offers the three levels, each saying what it shares.
    const levels = screen.getByRole('group', { name: 'What a logged email shares with the CRM' });
    expect(levels.textContent).toContain('Shares sender, recipients, date and whether it has attachments.');
    fireEvent.click(screen.getByRole('radio', { name: 'Who and when only' }));
    await waitFor(() => expect(store.current().privacyLevel).toBe('metadata'));
    fireEvent.click(screen.getByRole('checkbox', { name: /Log emails I receive from known contacts/ }));
    await waitFor(() => expect(store.current().autoLogReceived).toBe(true));
    click('Finish');

    await screen.findByRole('heading', { name: 'Done' });
    await waitFor(() => expect(store.current().setup.finishedAt).toBe('2026-03-10T12:00:00.000Z'));
    expect(screen.getByTestId('setup-summary').textContent).toContain('A few optional steps are left');
    expect(screen.getByText(/connected as Rita Rep \(Acme\)/)).toBeTruthy();
    expect(background.callsOf('settings.update').length).toBeGreaterThanOrEqual(5);
  });

  it('moves focus to the new step’s heading', async () => {
    renderSetup();
    await screen.findByRole('heading', { name: 'Choose your CRM' });
    click('Continue');
    await screen.findByRole('heading', { name: 'Connect and test' });
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Connect and test' })),
    );
  });

  it('resumes at the first open step, and any step can be reopened from the list', async () => {
    renderSetup({ crm: { type: 'rest', baseUrl: 'https://crm.acme.test', token: 't' } });
    expect(await screen.findByRole('heading', { name: 'Mailbox (optional)' })).toBeTruthy();
    expect(screen.getByText('2 of 4 steps done')).toBeTruthy();
    fireEvent.click(stepList().getByRole('button', { name: /Choose your CRM/ }));
    expect(await screen.findByRole('heading', { name: 'Choose your CRM' })).toBeTruthy();
    expect(
      stepList()
        .getByRole('button', { name: /Choose your CRM/ })
        .getAttribute('aria-current'),
    ).toBe('step');
  });

  it('keeps the full settings one click away, and links back to the guide from there', async () => {
    const { routes } = renderSetup();
    await screen.findByRole('heading', { name: 'Choose your CRM' });
    click('All settings');
    expect(await screen.findByRole('heading', { level: 1, name: 'CRM Sidebar settings' })).toBeTruthy();
    // The heading shows while the settings load; the note only once they are read.
    expect((await screen.findByRole('note')).textContent).toContain('guided set-up');
    click('Start the guided set-up');
    expect(await screen.findByRole('heading', { name: 'Choose your CRM' })).toBeTruthy();
    expect(routes).toEqual([{ page: 'settings' }, { page: 'setup', step: null }]);
  });

  it('shows the mailbox step done once a mailbox is connected', async () => {
    const store = settingsHandlers({});
    const background = new FakeBackground({
      'status.get': () => statusFixture({ mailboxes: [mailboxFixture()] }),
      ...store,
    });
    const api = createExtensionApi(background.send, { requestOriginPermission: async () => true });
    render(<OptionsPage api={api} route={{ page: 'setup', step: 'mailbox' }} navigate={() => {}} />);
    await screen.findByRole('heading', { name: 'Mailbox (optional)' });
    await waitFor(() => expect(stepLabels()).toContain('✓Mailbox (optional): Done'));
  });

  it('says so, with a retry, when the settings cannot be loaded', async () => {
    let fail = true;
    const store = settingsHandlers({});
    const background = new FakeBackground({
      'status.get': () => statusFixture(),
      ...store,
      'settings.get': () => {
        if (fail) throw new Error('storage unavailable');
        return store.current();
      },
    });
    const api = createExtensionApi(background.send, { requestOriginPermission: async () => true });
    render(<OptionsPage api={api} route={{ page: 'setup', step: null }} navigate={() => {}} />);
    expect((await screen.findByRole('alert')).textContent).toContain('storage unavailable');
    fail = false;
    await act(async () => click('Try again'));
    expect(await screen.findByRole('heading', { name: 'Choose your CRM' })).toBeTruthy();
  });
});
