// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ExtensionError } from '../../../lib/errors/ErrorInfo';
import { findRegion, renderOptions, type Scope } from './renderOptions';

afterEach(cleanup);

function crmSection(): Promise<Scope> {
  return findRegion('CRM connection');
}

function fill(section: Scope, baseUrl: string, token: string) {
  fireEvent.change(section.getByLabelText('Base URL'), { target: { value: baseUrl } });
  fireEvent.change(section.getByLabelText('API token'), { target: { value: token } });
}

const ME = {
  user: { id: 'u1', name: 'Rita Rep', email: 'rita@acme.test' },
  org: { name: 'Acme', domains: ['acme.test', 'acme.io'] },
};

describe('CRM connection', () => {
  it('tests the typed values and says who the token belongs to', async () => {
    const { background, permissionRequests } = renderOptions({
      handlers: { 'crm.testConnection': () => ({ ok: true, me: ME }) },
    });
    const section = await crmSection();
    fill(section, 'https://crm.acme.test', 'tok-123');
    fireEvent.click(section.getByRole('button', { name: 'Test connection' }));

    const result = await section.findByTestId('test-result');
    expect(result.textContent).toBe(
      'Connected as Rita Rep <rita@acme.test> — Acme, domains: acme.test, acme.io',
    );
    expect(background.callsOf('crm.testConnection')).toEqual([
      { crm: { type: 'rest', baseUrl: 'https://crm.acme.test', token: 'tok-123' } },
    ]);
    expect(permissionRequests).toEqual(['https://crm.acme.test']);
    // Testing saves nothing.
    expect(background.callsOf('settings.update')).toEqual([]);
    // The org's domains now appear beside the "exclude my organisation" switch.
    expect(screen.getByText(/Your organisation’s domains: acme\.test, acme\.io/)).toBeTruthy();
  });

  it.each([
    ['auth', 'Wrong token: the CRM refused it.'],
    ['network', 'Can’t reach the server'],
    ['invalid_response', 'not as a CRM that speaks the contract'],
  ] as const)('explains a %s failure in plain words, with the details', async (kind, words) => {
    renderOptions({
      handlers: { 'crm.testConnection': () => ({ ok: false, kind, message: `detail for ${kind}` }) },
    });
    const section = await crmSection();
    fill(section, 'https://crm.acme.test', 'tok-123');
    fireEvent.click(section.getByRole('button', { name: 'Test connection' }));
    const alert = await section.findByRole('alert');
    expect(alert.textContent).toContain(words);
    expect(alert.textContent).toContain(`Details: detail for ${kind}`);
  });

  it('does not test when the browser refuses access to the CRM origin', async () => {
    const { background } = renderOptions({
      grantPermission: false,
      handlers: { 'crm.testConnection': () => ({ ok: true, me: ME }) },
    });
    const section = await crmSection();
    fill(section, 'https://crm.acme.test/', 'tok-123');
    fireEvent.click(section.getByRole('button', { name: 'Test connection' }));
    expect((await section.findByRole('alert')).textContent).toContain(
      'The browser did not grant access to https://crm.acme.test',
    );
    expect(background.callsOf('crm.testConnection')).toEqual([]);
  });

  it('asks for host permission on the origin, then saves', async () => {
    const { store, permissionRequests } = renderOptions();
    const section = await crmSection();
    fill(section, 'https://crm.acme.test/path', ' tok-123 ');
    fireEvent.click(section.getByRole('button', { name: 'Save' }));

    await section.findByText('Saved');
    expect(permissionRequests).toEqual(['https://crm.acme.test']);
    expect(store.current().crm).toEqual({
      type: 'rest',
      baseUrl: 'https://crm.acme.test/path',
      token: 'tok-123',
    });
  });

  it('does not save when host permission is refused, and says why', async () => {
    const { background, store } = renderOptions({ grantPermission: false });
    const section = await crmSection();
    fill(section, 'https://crm.acme.test', 'tok-123');
    fireEvent.click(section.getByRole('button', { name: 'Save' }));

    const alert = await section.findByRole('alert');
    expect(alert.textContent).toBe(
      'Not saved. The browser did not grant access to https://crm.acme.test; the extension cannot reach the CRM without it.',
    );
    expect(background.callsOf('settings.update')).toEqual([]);
    expect(store.current().crm.baseUrl).toBe('');
  });

  it('rejects a base URL that is not a URL, or plain http to another machine, before asking anything', async () => {
    const { background, permissionRequests } = renderOptions();
    const section = await crmSection();
    fill(section, 'crm.acme.test', 'tok-123');
    fireEvent.click(section.getByRole('button', { name: 'Save' }));
    expect(
      await section.findByText('Enter the CRM’s full address, such as https://crm.example.com.'),
    ).toBeTruthy();
    expect(section.getByLabelText('Base URL').getAttribute('aria-invalid')).toBe('true');

    fill(section, 'http://crm.acme.test', 'tok-123');
    fireEvent.click(section.getByRole('button', { name: 'Save' }));
    expect(
      await section.findByText('Use https:// (plain http is only allowed for localhost and 127.0.0.1).'),
    ).toBeTruthy();
    expect(permissionRequests).toEqual([]);
    expect(background.callsOf('settings.update')).toEqual([]);
  });

  it('clears the connection without a permission prompt', async () => {
    const { store, permissionRequests } = renderOptions({
      settings: { crm: { baseUrl: 'https://crm.acme.test', token: 'tok' } },
    });
    const section = await crmSection();
    expect((section.getByLabelText('Base URL') as HTMLInputElement).value).toBe('https://crm.acme.test');
    fill(section, '', '');
    fireEvent.click(section.getByRole('button', { name: 'Save' }));
    await section.findByText('Saved');
    expect(permissionRequests).toEqual([]);
    expect(store.current().crm).toEqual({ type: 'rest', baseUrl: '', token: '' });
  });

  it('shows a refusal from the background inline', async () => {
    renderOptions({
      handlers: {
        'settings.update': () => {
          throw new ExtensionError('invalid_settings', 'Invalid settings', {
            issues: [{ path: 'crm.token', message: 'the CRM rejects this token format' }],
          });
        },
      },
    });
    const section = await crmSection();
    fill(section, 'https://crm.acme.test', 'tok-123');
    fireEvent.click(section.getByRole('button', { name: 'Save' }));
    expect((await section.findByRole('alert')).textContent).toBe(
      'Not saved: crm.token: the CRM rejects this token format',
    );
  });

  it('hides the token until asked to show it', async () => {
    renderOptions({ settings: { crm: { baseUrl: 'https://crm.acme.test', token: 'secret' } } });
    const section = await crmSection();
    const token = section.getByLabelText('API token') as HTMLInputElement;
    expect(token.type).toBe('password');
    fireEvent.click(section.getByRole('button', { name: 'Show token' }));
    expect(token.type).toBe('text');
    fireEvent.click(section.getByRole('button', { name: 'Hide token' }));
    await waitFor(() => expect(token.type).toBe('password'));
  });
});
