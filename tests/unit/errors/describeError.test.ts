import { describe, expect, it } from 'vitest';
import { CrmError } from '../../../lib/crm/CrmError';
import { describeError, type ErrorContext } from '../../../lib/errors/describeError';
import { ErrorKind, ErrorSource } from '../../../lib/errors/ErrorInfo';
import { toErrorInfo } from '../../../lib/errors/toErrorInfo';
import { RemoteError } from '../../../lib/messaging/protocol';

const CONTEXTS: ErrorContext[] = ['crm', 'mailbox', 'settings'];

describe('describeError', () => {
  it('words every kind, from every source, in every context, without leaking placeholders', () => {
    for (const kind of ErrorKind.options)
      for (const source of [...ErrorSource.options, undefined])
        for (const context of CONTEXTS) {
          const wording = describeError({ kind, message: 'detail', ...(source ? { source } : {}) }, context);
          expect(wording.kind).toBe(kind);
          expect(wording.title.length).toBeGreaterThan(3);
          expect(wording.text).toMatch(/[.)]$/);
          expect(`${wording.title} ${wording.text}`).not.toMatch(/undefined|null|\[object/);
        }
  });

  it('tells a rejected CRM token from a mailbox that must be reconnected', () => {
    expect(describeError(toErrorInfo(new CrmError('auth', '401')), 'crm')).toMatchObject({
      title: 'Your CRM token was rejected',
      action: 'open_settings',
    });
    expect(describeError({ kind: 'auth', message: 'x', source: 'gmail' }, 'mailbox')).toMatchObject({
      title: 'Gmail needs you to sign in again',
      action: 'reconnect',
    });
  });

  it('advises on the form in the settings context and on retrying in the panel', () => {
    const network = new RemoteError({ kind: 'network', message: 'fetch failed', source: 'crm' });
    expect(describeError(network, 'settings').text).toContain('check the base URL');
    expect(describeError(network, 'crm')).toMatchObject({ action: 'retry' });
    expect(describeError({ kind: 'network', message: 'x', source: 'outlook' }, 'mailbox').text).toBe(
      'Outlook could not be reached. Check your connection; the sync tries again on its next run.',
    );
  });

  it('lists invalid settings field by field, and says when to retry after a rate limit', () => {
    const invalid = {
      kind: 'invalid_settings' as const,
      message: 'Invalid settings',
      issues: [
        { path: 'crm.baseUrl', message: 'Invalid URL' },
        { path: 'syncFrequencyMinutes', message: 'Invalid input' },
      ],
    };
    expect(describeError(invalid, 'settings').text).toBe(
      'crm.baseUrl: Invalid URL; syncFrequencyMinutes: Invalid input',
    );
    expect(
      describeError(toErrorInfo(new CrmError('rate_limited', '429', { retryAfterMs: 30_000 })), 'crm').text,
    ).toBe('The CRM asked us to slow down. Try again in 30 s.');
  });

  it('names the OAuth vendor when a mailbox sign-in is not set up', () => {
    expect(describeError({ kind: 'not_configured', message: '', source: 'outlook' }, 'mailbox').text).toBe(
      'Add the Microsoft OAuth client id in the settings first.',
    );
  });

  it('names the real redirect URI in the registration advice, the one Firefox gives included', () => {
    const chrome = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
    // Firefox's identity.getRedirectURL(): a hash of the add-on id under extensions.allizom.org (made up here).
    const firefox = 'https://2c127fa4b2c2a34a3e3d9a0e2a1b0c9d8e7f6a5b.extensions.allizom.org/';
    for (const [providerCode, source, where] of [
      ['AADSTS9002326', 'outlook', '“Single-page application”'],
      ['AADSTS50011', 'outlook', 'Authentication'],
      ['redirect_uri_mismatch', 'gmail', '“Authorized redirect URIs”'],
    ] as const) {
      for (const redirectUri of [chrome, firefox]) {
        const wording = describeError(
          { kind: 'not_configured', message: 'x', source, providerCode, redirectUri },
          'mailbox',
        );
        expect(wording.text).toContain(redirectUri);
        expect(wording.text).toContain(where);
        expect(wording.text).not.toContain('<extension id>');
        expect(wording.action).toBe('open_settings');
      }
      // Without it (an old stored error), the advice says where the page shows it.
      expect(
        describeError({ kind: 'not_configured', message: 'x', source, providerCode }, 'mailbox').text,
      ).toContain('the extension’s redirect URI (shown under Mail provider apps in the settings)');
    }
  });

  it('words each registration refusal with what to change, and where', () => {
    const word = (source: 'gmail' | 'outlook', providerCode: string) =>
      describeError({ kind: 'not_configured', message: 'x', source, providerCode }, 'settings');
    expect(word('outlook', 'AADSTS50011')).toMatchObject({
      title: 'The redirect URI is not registered with Microsoft',
    });
    expect(word('outlook', 'AADSTS700016')).toMatchObject({
      title: 'Microsoft does not know this application',
      text: expect.stringMatching(/Application \(client\) id under Mail provider apps.*tenant/),
    });
    expect(word('outlook', 'AADSTS65001')).toMatchObject({
      title: 'An administrator must approve the app',
      text: expect.stringContaining('“Grant admin consent”'),
    });
    expect(word('gmail', 'invalid_client')).toMatchObject({
      title: 'Google refused the OAuth client',
      text: expect.stringContaining('store its current client secret again'),
    });
    expect(word('gmail', 'redirect_uri_mismatch').title).toBe(
      'The redirect URI is not registered with Google',
    );
    // Google's codes mean nothing for another service's sign-in.
    expect(
      describeError(
        { kind: 'not_configured', message: 'x', source: 'crm', providerCode: 'invalid_client' },
        'crm',
      ).title,
    ).toBe('Connect your CRM');
  });

  it('names the provider and the account to sign in as again, and why, when a mailbox needs the user', () => {
    expect(
      describeError({ kind: 'auth', message: 'x', source: 'outlook' }, 'mailbox', {
        account: 'ana@contoso.example',
      }).text,
    ).toBe(
      'Microsoft no longer accepts the saved sign-in (it was revoked or has expired), so syncing is paused. Sign in to Microsoft again as ana@contoso.example to resume syncing; it continues where it stopped.',
    );
    expect(
      describeError(
        { kind: 'auth', message: 'x', source: 'outlook', providerCode: 'AADSTS700084' },
        'mailbox',
        {
          account: 'ana@contoso.example',
        },
      ).text,
    ).toBe(
      'Microsoft ends the extension’s sign-in after 24 hours, and it could not be renewed without you (AADSTS700084), so syncing is paused. Sign in to Microsoft again as ana@contoso.example to resume syncing; it continues where it stopped.',
    );
    expect(
      describeError({ kind: 'auth', message: 'x', source: 'gmail' }, 'mailbox', { account: 'rep@acme.test' })
        .text,
    ).toContain('Sign in to Google again as rep@acme.test to resume syncing');
    expect(describeError({ kind: 'auth', message: 'x', source: 'gmail' }, 'mailbox').text).toContain(
      'Sign in to Google again to resume syncing',
    );
  });

  it('says a closed sign-in window may have shown a registration error, naming the redirect URI', () => {
    const redirectUri = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
    expect(
      describeError({ kind: 'cancelled', message: 'x', source: 'outlook', redirectUri }, 'mailbox').text,
    ).toBe(
      `The sign-in to Outlook was cancelled before it finished. Nothing was changed. If the sign-in window showed an error (such as AADSTS50011 or AADSTS700016), the app registration must list ${redirectUri} as a redirect URI, and the client id under Mail provider apps must be the registration’s.`,
    );
    expect(describeError({ kind: 'cancelled', message: 'x', source: 'crm' }, 'settings').text).toBe(
      'The sign-in to the CRM was cancelled before it finished. Nothing was changed.',
    );
  });
});
