import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MailboxAuthError } from '../../../lib/auth/MailboxAuthError';
import { OAuthGrantError } from '../../../lib/auth/OAuthClient';
import { CrmError } from '../../../lib/crm/CrmError';
import { describeError } from '../../../lib/errors/describeError';
import { ErrorInfo, ExtensionError } from '../../../lib/errors/ErrorInfo';
import { toErrorInfo } from '../../../lib/errors/toErrorInfo';
import { ProviderRequestError } from '../../../lib/mail/sync/ProviderRequestError';
import { createClient } from '../../../lib/messaging/client';
import { RemoteError } from '../../../lib/messaging/protocol';
import { createRouter } from '../../../lib/messaging/router';
import { DEFAULT_SETTINGS, mergeSettings } from '../../../lib/settings/Settings';

describe('toErrorInfo', () => {
  it('keeps a CrmError’s kind, status and Retry-After, from the CRM', () => {
    const info = toErrorInfo(new CrmError('rate_limited', 'slow down', { status: 429, retryAfterMs: 7000 }));
    expect(info).toEqual({
      kind: 'rate_limited',
      message: 'slow down',
      source: 'crm',
      status: 429,
      retryAfterMs: 7000,
    });
  });

  it('calls an error it does not recognise internal, never a network problem', () => {
    expect(toErrorInfo(new TypeError('x is undefined'))).toEqual({
      kind: 'internal',
      message: 'x is undefined',
    });
    expect(toErrorInfo('plain string')).toEqual({ kind: 'internal', message: 'plain string' });
  });

  it('maps a mailbox whose grant is gone to auth from that provider', () => {
    const info = toErrorInfo(new MailboxAuthError('outlook', 'outlook:rep@contoso.test', 'refresh_rejected'));
    expect(info).toMatchObject({ kind: 'auth', source: 'outlook' });
  });

  it.each([
    [0, 'timeout', true, 'network'],
    [401, 'unauthorized', false, 'auth'],
    [403, 'insufficientPermissions', false, 'auth'],
    [403, 'rateLimitExceeded', true, 'rate_limited'],
    [429, 'TooManyRequests', true, 'rate_limited'],
    [404, 'notFound', false, 'not_found'],
    [503, 'backendError', true, 'server'],
    [400, 'invalidArgument', false, 'invalid_request'],
  ] as const)('maps a provider %i (%s) to %s', (status, code, retryable, kind) => {
    const info = toErrorInfo(new ProviderRequestError('gmail', status, code, 'm', retryable, null));
    expect(info).toMatchObject({ kind, source: 'gmail' });
  });

  it('maps an OAuth access_denied to cancelled and invalid_grant to auth', () => {
    expect(toErrorInfo(new OAuthGrantError('access_denied', undefined), 'gmail')).toMatchObject({
      kind: 'cancelled',
      source: 'gmail',
    });
    expect(
      toErrorInfo(new OAuthGrantError('invalid_grant', 'Token has been expired or revoked.')),
    ).toMatchObject({
      kind: 'auth',
    });
  });

  it('names the provider whose sign-in refused, so a mailbox refusal is never worded as the CRM’s', () => {
    const refused = new OAuthGrantError(
      'invalid_grant',
      'AADSTS50173: The provided grant has expired.',
      'outlook',
    );
    expect(toErrorInfo(refused)).toMatchObject({
      kind: 'auth',
      source: 'outlook',
      providerCode: 'AADSTS50173',
    });
    expect(describeError(toErrorInfo(refused), 'mailbox').title).toBe('Outlook needs you to sign in again');
    // HubSpot's sign-in is the CRM's.
    expect(toErrorInfo(new OAuthGrantError('invalid_grant', 'x', 'hubspot'))).toMatchObject({
      source: 'crm',
    });
  });

  it('maps AADSTS9002326 (a registration that is no single-page application) to not_configured', () => {
    const refused = new OAuthGrantError(
      'invalid_request',
      "AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.\r\nTrace ID: 0",
      'outlook',
    );
    expect(toErrorInfo(refused)).toMatchObject({
      kind: 'not_configured',
      source: 'outlook',
      providerCode: 'AADSTS9002326',
    });
  });

  it('maps the registration refusals to not_configured, keyed by the code that needs the change', () => {
    const entra = (error: string, description: string) =>
      toErrorInfo(
        new OAuthGrantError(error, `${description}\r\nTrace ID: 0`, 'outlook', 'https://x.chromiumapp.org/'),
      );
    expect(
      entra(
        'unauthorized_client',
        "AADSTS700016: Application with identifier 'a' was not found in the directory 'contoso.example'.",
      ),
    ).toMatchObject({
      kind: 'not_configured',
      providerCode: 'AADSTS700016',
      redirectUri: 'https://x.chromiumapp.org/',
    });
    expect(
      entra(
        'invalid_grant',
        "AADSTS70002: Error validating credentials. AADSTS50011: The reply address 'b' does not match the reply address 'c' provided when requesting Authorization code.",
      ),
    ).toMatchObject({ kind: 'not_configured', providerCode: 'AADSTS50011' });
    expect(
      entra(
        'invalid_grant',
        "AADSTS65001: The user or administrator has not consented to use the application with ID 'a' named 'b'. Send an interactive authorization request for this user and resource.",
      ),
    ).toMatchObject({ kind: 'not_configured', providerCode: 'AADSTS65001' });
    // The user declining at Entra's consent page is a cancellation (PuzzleServer/mainpuzzleserver#571).
    expect(
      entra('consent_required', 'AADSTS65004: User declined to consent to access the app.'),
    ).toMatchObject({
      kind: 'cancelled',
      providerCode: 'AADSTS65004',
    });
    expect(toErrorInfo(new OAuthGrantError('access_denied', undefined, 'gmail'))).toMatchObject({
      kind: 'cancelled',
      source: 'gmail',
    });
    expect(toErrorInfo(new OAuthGrantError('redirect_uri_mismatch', 'Bad Request', 'gmail'))).toMatchObject({
      kind: 'not_configured',
      providerCode: 'redirect_uri_mismatch',
    });
    expect(toErrorInfo(new OAuthGrantError('invalid_client', 'Unauthorized', 'gmail'))).toMatchObject({
      kind: 'not_configured',
      providerCode: 'invalid_client',
    });
    // HubSpot's invalid_client is the CRM sign-in's own, not Google's advice.
    expect(
      toErrorInfo(new OAuthGrantError('invalid_client', 'missing or invalid client secret', 'hubspot')),
    ).toEqual({
      kind: 'auth',
      message: 'OAuth error invalid_client: missing or invalid client secret',
      source: 'crm',
    });
  });

  it('maps a zod failure to invalid_response and a Dexie failure to storage', async () => {
    const parsed = z.object({ id: z.string() }).safeParse({ id: 3 });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(toErrorInfo(parsed.error)).toMatchObject({ kind: 'invalid_response' });
    const db = new Dexie('closed-db-test');
    db.version(1).stores({ rows: '&id' });
    db.close({ disableAutoOpen: true });
    const closed = await db
      .table('rows')
      .get('a')
      .catch((e: unknown) => e);
    expect(toErrorInfo(closed)).toMatchObject({ kind: 'storage', source: 'extension' });
  });

  it('passes a RemoteError’s info through, and every mapped value parses as ErrorInfo', () => {
    const remote = new RemoteError({ kind: 'conflict', message: 'taken' });
    expect(toErrorInfo(remote)).toBe(remote.info);
    for (const e of [
      new CrmError('server', 'x'),
      new ExtensionError('not_configured', 'y', { source: 'gmail' }),
      1,
    ])
      expect(ErrorInfo.safeParse(toErrorInfo(e)).success).toBe(true);
  });
});

describe('errors across the runtime-message boundary', () => {
  it('the background’s invalid settings arrive as invalid_settings with field issues', async () => {
    const specs = {
      'settings.update': {
        request: z.object({ patch: z.record(z.string(), z.unknown()) }),
        response: z.object({}),
        senders: ['extension'] as const,
      },
    };
    const router = createRouter(
      specs,
      {
        'settings.update': async ({ patch }) => {
          mergeSettings(DEFAULT_SETTINGS, patch);
          return {};
        },
      },
      toErrorInfo,
    );
    const send = createClient(specs, (envelope) => router(envelope, { context: 'extension' }));
    const error = await send('settings.update', { patch: { syncFrequencyMinutes: 7 } }).catch((e) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.info).toMatchObject({
      kind: 'invalid_settings',
      issues: [expect.objectContaining({ path: 'syncFrequencyMinutes' })],
    });
  });

  it('a reply with a kind outside the closed set is refused as invalid_reply', async () => {
    const specs = { ping: { request: z.object({}), response: z.object({}), senders: ['content'] as const } };
    const send = createClient(specs, async () => ({
      ok: false,
      error: { kind: 'auth_cancelled', message: 'x' },
    }));
    await expect(send('ping', {})).rejects.toMatchObject({ kind: 'invalid_reply' });
  });

  it('a bad payload is answered as invalid_message with the field issues', async () => {
    const specs = {
      ping: { request: z.object({ n: z.number() }), response: z.object({}), senders: ['content'] as const },
    };
    const router = createRouter(specs, { ping: async () => ({}) }, toErrorInfo);
    const reply = await router(
      { type: 'ping', payload: { n: 'one' } },
      { context: 'content', webmail: 'outlook' },
    );
    expect(reply).toMatchObject({ ok: false, error: { kind: 'invalid_message', issues: [{ path: 'n' }] } });
  });
});
