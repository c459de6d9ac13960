// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { OptionsApp } from '../../../components/options/OptionsApp';
import { createExtensionApi } from '../../../components/shared/ExtensionApi';
import { RemoteError } from '../../../lib/messaging/protocol';
import { DEFAULT_SETTINGS, mergeSettings, type Settings } from '../../../lib/settings/Settings';
import { FakeBackground, settingsHandlers, statusFixture } from './FakeBackground';
import { findRegion, renderOptions } from './renderOptions';

afterEach(cleanup);

function renderWith(background: FakeBackground) {
  return render(
    <OptionsApp api={createExtensionApi(background.send, { requestOriginPermission: async () => true })} />,
  );
}

describe('OptionsApp', () => {
  it('shows a settings heading and a loading state until settings arrive', async () => {
    let answer: (settings: Settings) => void = () => {};
    renderWith(
      new FakeBackground({
        'status.get': () => statusFixture(),
        'settings.get': () => new Promise<Settings>((resolve) => (answer = resolve)),
      }),
    );
    expect(screen.getByRole('heading', { level: 1 }).textContent).toContain('settings');
    expect(screen.getByRole('status').textContent).toBe('Loading settings…');
    answer(DEFAULT_SETTINGS);
    await screen.findByRole('region', { name: 'CRM connection' });
    expect(screen.queryByText('Loading settings…')).toBeNull();
  });

  it('says when the background does not answer, and loads on Try again', async () => {
    let up = false;
    const store = settingsHandlers();
    renderWith(
      new FakeBackground({
        ...store,
        'settings.get': () => {
          if (!up) throw new RemoteError({ kind: 'storage', message: 'Database is closed' });
          return store.current();
        },
      }),
    );
    expect((await screen.findByRole('alert')).textContent).toContain(
      'The settings could not be loaded: The extension could not use the browser’s storage (Database is closed).',
    );
    up = true;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByRole('region', { name: 'CRM connection' });
  });

  it('offers the three privacy levels with what each shares, and saves the switches as they change', async () => {
    const { store, background } = renderOptions();
    const privacy = await findRegion('Privacy and logging');
    const levels = privacy.getByRole('group', { name: 'What a logged email shares with the CRM' });
    const radios = within(levels).getAllByRole('radio') as HTMLInputElement[];
    expect(radios.map((r) => r.labels?.[0]?.textContent)).toEqual([
      'Who and when only',
      'Subject and preview',
      'Full text',
    ]);
    // The default is the subject and preview; each choice says what it shares.
    expect(radios.map((r) => r.checked)).toEqual([false, true, false]);
    const metadata = within(levels).getByRole('radio', { name: 'Who and when only' });
    expect(metadata.getAttribute('aria-describedby')).toBeTruthy();
    expect(
      within(levels).getByText(/^Shares sender, recipients, date and whether it has attachments\./),
    ).toBeTruthy();
    expect(within(levels).getByText(/the full text of the email/)).toBeTruthy();

    fireEvent.click(within(levels).getByRole('radio', { name: 'Full text' }));
    await privacy.findByText('Saved');
    fireEvent.click(privacy.getByLabelText('Log emails I receive from known contacts'));
    fireEvent.click(privacy.getByLabelText('Turn on “Log to CRM” when composing'));
    await screen.findByText('Saved');

    await expect
      .poll(() => background.callsOf('settings.update'))
      .toEqual([
        { patch: { privacyLevel: 'full_body' } },
        { patch: { autoLogReceived: true } },
        { patch: { logComposeByDefault: false } },
      ]);
    expect(store.current()).toMatchObject({
      privacyLevel: 'full_body',
      autoLogReceived: true,
      logComposeByDefault: false,
    });
    expect((within(levels).getByRole('radio', { name: 'Full text' }) as HTMLInputElement).checked).toBe(true);
  });

  it('turns a schema refusal from the background into readable lines', async () => {
    renderOptions({
      handlers: {
        // The background's own validation of a patch it cannot accept.
        'settings.update': () => mergeSettings(DEFAULT_SETTINGS, { autoLogSent: 'yes' }),
      },
    });
    const privacy = await findRegion('Privacy and logging');
    fireEvent.click(privacy.getByLabelText('Log emails I send'));
    expect((await privacy.findByRole('alert')).textContent).toBe(
      'Not saved: autoLogSent: Invalid input: expected boolean, received string',
    );
    expect((privacy.getByLabelText('Log emails I send') as HTMLInputElement).checked).toBe(true);
  });
});
