import { describe, expect, it } from 'vitest';
import { CrmError } from '../../../lib/crm/CrmError';
import { describeError, type ErrorContext } from '../../../lib/errors/describeError';
import { ErrorKind, ErrorSource } from '../../../lib/errors/ErrorInfo';
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
    expect(describeError(new CrmError('auth', '401'), 'crm')).toMatchObject({
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
    expect(describeError(new CrmError('rate_limited', '429', { retryAfterMs: 30_000 }), 'crm').text).toBe(
      'The CRM asked us to slow down. Try again in 30 s.',
    );
  });

  it('names the OAuth vendor when a mailbox sign-in is not set up', () => {
    expect(describeError({ kind: 'not_configured', message: '', source: 'outlook' }, 'mailbox').text).toBe(
      'Add the Microsoft OAuth client id in the settings first.',
    );
  });
});
