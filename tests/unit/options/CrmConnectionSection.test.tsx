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
      { crm: expect.objectContaining({ type: 'rest', baseUrl: 'https://crm.acme.test', token: 'tok-123' }) },
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
    expect(store.current().crm).toMatchObject({
      type: 'rest',
      baseUrl: 'https://crm.acme.test/path',
      token: 'tok-123',
    });
  });

  it('connects HubSpot with a private app token and the rep’s login, asking only for HubSpot’s API host', async () => {
    const { background, permissionRequests, store } = renderOptions({
      handlers: { 'crm.testConnection': () => ({ ok: true, me: ME }) },
    });
    const section = await crmSection();
    fireEvent.change(section.getByLabelText('CRM'), { target: { value: 'hubspot' } });
    expect(section.queryByLabelText('Base URL')).toBeNull();
    fireEvent.change(section.getByLabelText('Private app access token'), { target: { value: 'pat-na1-x' } });
    fireEvent.change(section.getByLabelText('Your HubSpot login email'), {
      target: { value: 'not an email' },
    });
    fireEvent.click(section.getByRole('button', { name: 'Test connection' }));
    expect(await section.findByText('Enter the email address you sign in to HubSpot with.')).toBeTruthy();
    fireEvent.change(section.getByLabelText('Your HubSpot login email'), {
      target: { value: 'Rita@Acme.test' },
    });
    fireEvent.click(section.getByRole('button', { name: 'Test connection' }));
    await section.findByTestId('test-result');
    expect(background.callsOf('crm.testConnection')).toEqual([
      {
        crm: expect.objectContaining({
          type: 'hubspot',
          token: 'pat-na1-x',
          repEmail: 'rita@acme.test',
          baseUrl: '',
        }),
      },
    ]);
    expect(permissionRequests).toEqual(['https://api.hubapi.com']);
    fireEvent.click(section.getByRole('button', { name: 'Save' }));
    await section.findByText('Saved');
    expect(store.current().crm).toMatchObject({
      type: 'hubspot',
      token: 'pat-na1-x',
      repEmail: 'rita@acme.test',
    });
  });

  it('offers "Sign in with HubSpot" (per-rep OAuth): no token field, the app’s client id, one sign-in call', async () => {
    const { background, permissionRequests } = renderOptions({
      handlers: { 'crm.signIn': () => ({ ok: true, me: ME }) },
    });
    const section = await crmSection();
    fireEvent.change(section.getByLabelText('CRM'), { target: { value: 'hubspot' } });
    fireEvent.click(section.getByLabelText(/Sign in with HubSpot \(each rep signs in/));
    expect(section.queryByLabelText('Private app access token')).toBeNull();
    expect(section.getByTestId('hubspot-oauth-state').textContent).toContain('Not signed in yet.');
    fireEvent.change(section.getByLabelText('Your HubSpot login email'), {
      target: { value: 'rita@acme.test' },
    });
    fireEvent.click(section.getByRole('button', { name: 'Sign in with HubSpot' }));
    expect(await section.findByText('Enter the client id of your HubSpot app.')).toBeTruthy();
    expect(background.callsOf('crm.signIn')).toEqual([]);
    fireEvent.change(section.getByLabelText('HubSpot app client id'), { target: { value: ' 5f0c-app ' } });
    fireEvent.click(section.getByRole('button', { name: 'Sign in with HubSpot' }));
    expect((await section.findByTestId('test-result')).textContent).toContain('Connected as Rita Rep');
    expect(background.callsOf('crm.signIn')).toEqual([
      { vendor: 'hubspot', clientId: '5f0c-app', repEmail: 'rita@acme.test' },
    ]);
    expect(permissionRequests).toEqual(['https://api.hubapi.com']);
  });

  /** HubSpot per-rep OAuth, signed in (the settings HubSpotOAuthSignIn.signIn saves). */
  const SIGNED_IN_TO_HUBSPOT = {
    crm: {
      type: 'hubspot' as const,
      hubspotAuth: 'oauth' as const,
      hubspotClientId: '5f0c-app',
      repEmail: 'rita@acme.test',
      hubspotSignedInAt: '2025-03-10T09:00:00.000Z',
    },
  };

  /**
   * Renders the page with a background that signs in and out as lib/crm/vendors/hubspot/HubSpotOAuthSignIn
   * does: sign-in saves hubspotSignedInAt, sign-out sets it back to null in the settings.
   */
  function renderHubSpot(settings: typeof SIGNED_IN_TO_HUBSPOT | object, signOut?: () => void) {
    const view = renderOptions({
      settings,
      handlers: {
        'crm.signIn': (request) => {
          const clientId = request.vendor === 'hubspot' ? request.clientId : '';
          const crm = view.store.current().crm;
          view.store['settings.update']!({
            patch: {
              crm: { ...crm, hubspotClientId: clientId, hubspotSignedInAt: '2025-03-10T10:00:00.000Z' },
            },
          });
          return { ok: true, me: ME };
        },
        'crm.signOut': () => {
          signOut?.();
          view.store['settings.update']!({
            patch: { crm: { ...view.store.current().crm, hubspotSignedInAt: null } },
          });
          return {};
        },
      },
    });
    return view;
  }

  it('signs out of HubSpot from beside the signed-in state, after a confirmation Escape and Cancel dismiss', async () => {
    const { background, store } = renderHubSpot(SIGNED_IN_TO_HUBSPOT);
    const section = await crmSection();
    expect(section.getByTestId('hubspot-oauth-state').textContent).toMatch(/^Signed in with HubSpot on /);
    const signOut = section.getByRole('button', { name: 'Sign out of HubSpot' });
    expect(signOut.getAttribute('aria-expanded')).toBe('false');

    // Escape, from the confirmation's safe choice where focus starts, changes nothing.
    fireEvent.click(signOut);
    const dialog = section.getByRole('alertdialog', { name: 'Sign out of HubSpot?' });
    expect(dialog.textContent).toContain('Emails already logged stay in HubSpot');
    expect(signOut.getAttribute('aria-expanded')).toBe('true');
    expect(document.activeElement).toBe(section.getByRole('button', { name: 'Cancel' }));
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(section.queryByRole('alertdialog')).toBeNull();
    expect(document.activeElement).toBe(signOut);
    // So does Cancel.
    fireEvent.click(signOut);
    fireEvent.click(section.getByRole('button', { name: 'Cancel' }));
    expect(section.queryByRole('alertdialog')).toBeNull();
    expect(background.callsOf('crm.signOut')).toEqual([]);

    fireEvent.click(signOut);
    fireEvent.click(section.getByRole('button', { name: 'Sign out' }));
    const done = await section.findByText('Signed out of HubSpot. Emails already logged stay in HubSpot.');
    expect(done.getAttribute('role')).toBe('status');
    expect(background.callsOf('crm.signOut')).toEqual([{ vendor: 'hubspot' }]);
    await waitFor(() =>
      expect(section.getByTestId('hubspot-oauth-state').textContent).toMatch(/^Not signed in yet\./),
    );
    expect(section.queryByRole('button', { name: 'Sign out of HubSpot' })).toBeNull();
    expect(document.activeElement).toBe(section.getByRole('button', { name: 'Sign in with HubSpot' }));
    // Saving the form afterwards keeps the sign-out.
    fireEvent.click(section.getByRole('button', { name: 'Save' }));
    await section.findByText('Saved');
    expect(store.current().crm).toMatchObject({
      type: 'hubspot',
      hubspotAuth: 'oauth',
      hubspotSignedInAt: null,
    });
  });

  it('shows Sign out as soon as the sign-in finished, and keeps the sign-in when signing out fails', async () => {
    let refuse = true;
    renderHubSpot({ crm: { type: 'hubspot', hubspotAuth: 'oauth', repEmail: 'rita@acme.test' } }, () => {
      if (refuse) throw new ExtensionError('storage', 'QuotaExceededError');
    });
    const section = await crmSection();
    expect(section.queryByRole('button', { name: 'Sign out of HubSpot' })).toBeNull();
    fireEvent.change(section.getByLabelText('HubSpot app client id'), { target: { value: '5f0c-app' } });
    fireEvent.click(section.getByRole('button', { name: 'Sign in with HubSpot' }));
    const signOut = await section.findByRole('button', { name: 'Sign out of HubSpot' });
    expect(section.getByTestId('hubspot-oauth-state').textContent).toMatch(/^Signed in with HubSpot on /);

    fireEvent.click(signOut);
    fireEvent.click(section.getByRole('button', { name: 'Sign out' }));
    const alert = await section.findByText(/^Signing out of HubSpot did not finish: /);
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toContain('QuotaExceededError');
    expect(section.getByTestId('hubspot-oauth-state').textContent).toMatch(/^Signed in with HubSpot on /);
    expect(document.activeElement).toBe(signOut);
    refuse = false;
    fireEvent.click(signOut);
    fireEvent.click(section.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(section.queryByRole('button', { name: 'Sign out of HubSpot' })).toBeNull());
    expect(section.queryByRole('alert')).toBeNull();
  });

  it('signs in to Salesforce at the chosen login host, asking for that host and the org’s My Domain hosts', async () => {
    const { background, permissionRequests } = renderOptions({
      handlers: { 'crm.signIn': () => ({ ok: true, me: ME }) },
    });
    const section = await crmSection();
    fireEvent.change(section.getByLabelText('CRM'), { target: { value: 'salesforce' } });
    expect(section.getByTestId('salesforce-state').textContent).toBe('Not signed in yet.');
    fireEvent.click(section.getByRole('button', { name: 'Sign in to Salesforce' }));
    expect(await section.findByText('Enter the consumer key of your Salesforce connected app.')).toBeTruthy();
    fireEvent.change(section.getByLabelText('Sign in at'), { target: { value: 'mydomain' } });
    fireEvent.change(section.getByLabelText('My Domain URL'), { target: { value: 'https://evil.example' } });
    fireEvent.change(section.getByLabelText('Connected app consumer key'), {
      target: { value: '3MVG9-key' },
    });
    fireEvent.click(section.getByRole('button', { name: 'Sign in to Salesforce' }));
    expect(await section.findByText(/Enter your My Domain address/)).toBeTruthy();
    fireEvent.change(section.getByLabelText('My Domain URL'), {
      target: { value: 'https://acme.my.salesforce.com/' },
    });
    fireEvent.click(section.getByRole('button', { name: 'Sign in to Salesforce' }));
    await section.findByTestId('test-result');
    expect(background.callsOf('crm.signIn')).toEqual([
      {
        vendor: 'salesforce',
        loginUrl: 'https://acme.my.salesforce.com',
        consumerKey: '3MVG9-key',
        accountDomainField: 'Website',
      },
    ]);
    expect(permissionRequests).toEqual(['https://acme.my.salesforce.com', 'https://*.my.salesforce.com']);
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
    expect(store.current().crm).toMatchObject({ type: 'rest', baseUrl: '', token: '' });
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
