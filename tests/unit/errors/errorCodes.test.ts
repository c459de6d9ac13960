import { describe, expect, it } from 'vitest';
import { describeError, type ErrorContext } from '../../../lib/errors/describeError';
import {
  ERROR_CODES,
  type ErrorCode,
  ErrorInfo,
  type ErrorKind,
  ExtensionError,
} from '../../../lib/errors/ErrorInfo';
import { errorInfoOf } from '../../../lib/errors/errorInfoOf';
import { toErrorInfo } from '../../../lib/errors/toErrorInfo';

const CONTEXTS: ErrorContext[] = ['crm', 'mailbox', 'settings'];
const SOURCE_OF: Partial<Record<ErrorCode, ErrorInfo['source']>> = {
  mailbox_renewal_unavailable: 'gmail',
  mailbox_account_changed: 'outlook',
  oauth_client_id_missing: 'gmail',
  oauth_client_secret_missing: 'gmail',
  token_exchange_refused: 'outlook',
  graph_delta_incomplete: 'outlook',
};

describe('error codes (sub-cases of a kind)', () => {
  it('every code is worded for its kind in every context, differently from the kind without a code', () => {
    for (const [kind, codes] of Object.entries(ERROR_CODES) as [ErrorKind, readonly ErrorCode[]][]) {
      for (const code of codes) {
        const source = SOURCE_OF[code] ?? 'crm';
        for (const context of CONTEXTS) {
          const coded = describeError({ kind, code, message: 'detail', source }, context);
          const plain = describeError({ kind, message: 'detail', source }, context);
          expect(coded.kind).toBe(kind);
          expect(`${coded.title} ${coded.text}`, `${kind}/${code} in ${context}`).not.toMatch(
            /undefined|\[object|Something went wrong/,
          );
          // A code exists because its advice differs.
          if (
            code !== 'crm_not_connected' &&
            !(kind === 'not_configured' && code === 'oauth_client_id_missing')
          )
            expect(coded, `${kind}/${code} in ${context}`).not.toEqual(plain);
        }
      }
    }
  });

  it('a code is stored and sent with its ErrorInfo, and one outside the closed set is refused', () => {
    expect(ErrorInfo.parse({ kind: 'auth', message: 'x', code: 'crm_sign_in_ended' }).code).toBe(
      'crm_sign_in_ended',
    );
    expect(ErrorInfo.safeParse({ kind: 'auth', message: 'x', code: 'crm.hubspotSignedInAt' }).success).toBe(
      false,
    );
  });

  it('the three "not configured" connections are told apart by code, worded only in describeError', () => {
    const title = (code: ErrorCode) =>
      describeError({ kind: 'not_configured', code, message: '', source: 'crm' }, 'settings').text;
    expect(
      new Set(
        ['crm_not_connected', 'hubspot_token_missing', 'salesforce_not_signed_in'].map((c) =>
          title(c as ErrorCode),
        ),
      ).size,
    ).toBe(3);
  });

  it('the shared mapping keeps an ExtensionError’s code, and describeError needs no background mapper for it', () => {
    const error = new ExtensionError('auth', 'another account', {
      source: 'outlook',
      code: 'mailbox_account_changed',
    });
    expect(errorInfoOf(error)).toEqual(toErrorInfo(error));
    expect(describeError(error, 'mailbox', { account: 'sam@contoso.example' }).text).toContain(
      'Sign in to Microsoft again as sam@contoso.example',
    );
  });
});
