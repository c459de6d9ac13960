// @vitest-environment happy-dom
import { cleanup, fireEvent, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FAKE_REDIRECT_URI } from './FakeBackground';
import { findRegion, renderOptions, type Scope } from './renderOptions';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function appsSection(): Promise<Scope> {
  return findRegion('Mail provider apps');
}

/** The part of the section about one field: its label's field container. */
function fieldOf(section: Scope, label: string): Scope {
  return within(section.getByLabelText(label).closest('.field') as HTMLElement);
}

function stubClipboard(writeText: (text: string) => Promise<void>) {
  const calls: string[] = [];
  vi.stubGlobal('navigator', {
    ...navigator,
    clipboard: {
      writeText: async (text: string) => {
        calls.push(text);
        await writeText(text);
      },
    },
  });
  return calls;
}

describe('Mail provider apps', () => {
  it('shows the redirect URI the background gives for Google and for Microsoft, with no placeholder', async () => {
    const { background } = renderOptions();
    const section = await appsSection();
    for (const [label, vendor] of [
      ['Google OAuth client id', 'google'],
      ['Microsoft application (client) id', 'microsoft'],
    ] as const) {
      const field = fieldOf(section, label);
      expect((await field.findByTestId(`redirect-uri-${vendor}`)).textContent).toBe(FAKE_REDIRECT_URI);
      expect(field.getByText(/Redirect URI to register with/).textContent).toMatch(/Google|Microsoft/);
    }
    expect(section.queryByText(/<extension id>/)).toBeNull();
    expect(background.callsOf('oauth.redirectUri.get')).toEqual([{}]);
  });

  it('shows the URI Firefox gives (extensions.allizom.org) as it is', async () => {
    const firefox = 'https://2c127fa4b2c2a34a3e3d9a0e2a1b0c9d8e7f6a5b.extensions.allizom.org/';
    renderOptions({ handlers: { 'oauth.redirectUri.get': () => ({ redirectUri: firefox }) } });
    const section = await appsSection();
    expect((await section.findByTestId('redirect-uri-microsoft')).textContent).toBe(firefox);
  });

  it('copies the redirect URI with a keyboard-reachable button and announces "Copied"', async () => {
    const copied = stubClipboard(async () => undefined);
    renderOptions();
    const section = await appsSection();
    const button = await section.findByRole('button', { name: 'Copy the Microsoft redirect URI' });
    // A native button: in the tab order, and Enter / Space activate it.
    expect(button.tagName).toBe('BUTTON');
    expect(button.getAttribute('type')).toBe('button');
    button.focus();
    expect(document.activeElement).toBe(button);
    fireEvent.click(button);
    const status = within(button.closest('.redirect-uri') as HTMLElement).getByRole('status');
    await waitFor(() => expect(status.textContent).toBe('Copied'));
    expect(copied).toEqual([FAKE_REDIRECT_URI]);
    // The Google one has its own button and its own announcement.
    const google = section.getByRole('button', { name: 'Copy the Google redirect URI' });
    expect(within(google.closest('.redirect-uri') as HTMLElement).getByRole('status').textContent).toBe('');
  });

  it('says so when the clipboard refuses, and when the background gives no URI', async () => {
    stubClipboard(async () => {
      throw new Error('Document is not focused.');
    });
    renderOptions();
    const section = await appsSection();
    fireEvent.click(await section.findByRole('button', { name: 'Copy the Google redirect URI' }));
    expect(await section.findByText('Could not copy: select the address and copy it yourself.')).toBeTruthy();
    cleanup();

    renderOptions({
      handlers: {
        'oauth.redirectUri.get': () => {
          throw new Error('no identity API');
        },
      },
    });
    const failed = await appsSection();
    expect(
      (await failed.findAllByText('the browser did not give it; reload this page to try again.')).length,
    ).toBe(2);
    expect(failed.queryByRole('button', { name: /^Copy/ })).toBeNull();
  });
});
