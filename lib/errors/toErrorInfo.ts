import { Dexie } from 'dexie';
import { z } from 'zod';
import { isMailboxAuthError } from '../auth/MailboxAuthError';
import { OAuthGrantError } from '../auth/OAuthClient';
import { CrmError } from '../crm/CrmError';
import { ProviderRequestError } from '../mail/sync/ProviderRequestError';
import { RemoteError } from '../messaging/protocol';
import { type ErrorInfo, type ErrorKind, type ErrorSource, ExtensionError, issuesOf } from './ErrorInfo';

/** OAuth error codes (RFC 6749 §4.1.2.1 and §5.2) that mean the user said no, not that something broke. */
const CANCELLED_OAUTH_ERRORS = new Set(['access_denied', 'consent_required', 'interaction_required']);

/**
 * Entra refusals that no sign-in fixes, only a change to the app registration:
 * AADSTS9002326, a cross-origin (extension) redemption for a redirect URI that is not on the
 * "Single-page application" platform (MicrosoftDocs/azure-docs#62164).
 */
const APP_REGISTRATION_ERRORS = new Set(['AADSTS9002326']);

function providerKind(error: ProviderRequestError): ErrorKind {
  if (error.status === 0) return 'network';
  // A 2xx whose body lacks what the provider documents (e.g. Graph's /me without `mail`).
  if (error.status < 400) return 'invalid_response';
  if (error.status === 401 || (error.status === 403 && !error.retryable)) return 'auth';
  if (error.status === 404) return 'not_found';
  if (error.status === 409) return 'conflict';
  if (error.status === 429 || error.retryable) return error.status >= 500 ? 'server' : 'rate_limited';
  if (error.status >= 500) return 'server';
  return 'invalid_request';
}

/**
 * THE mapper from anything thrown to the closed set of kinds. Used by the runtime-message
 * router, the event log, the outbox and the mailbox sync, so one failure has one kind
 * wherever it is seen. An error we do not recognise is `internal` (a bug), never guessed
 * to be a network problem.
 */
export function toErrorInfo(error: unknown, source?: ErrorSource): ErrorInfo {
  // Already mapped on the other side of a runtime message.
  if (error instanceof RemoteError) return error.info;
  if (error instanceof CrmError) {
    return {
      kind: error.kind,
      message: error.message,
      source: 'crm',
      ...(error.status !== undefined ? { status: error.status } : {}),
      ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    };
  }
  if (error instanceof ExtensionError) {
    return {
      kind: error.kind,
      message: error.message,
      ...((error.details.source ?? source) ? { source: error.details.source ?? source } : {}),
      ...(error.details.issues ? { issues: error.details.issues } : {}),
    };
  }
  if (isMailboxAuthError(error)) return { kind: 'auth', message: error.message, source: error.provider };
  if (error instanceof ProviderRequestError) {
    return {
      kind: providerKind(error),
      message: error.message,
      source: error.provider,
      ...(error.status ? { status: error.status } : {}),
      ...(error.retryAfterMs !== null ? { retryAfterMs: error.retryAfterMs } : {}),
    };
  }
  if (error instanceof OAuthGrantError) {
    const from = source ?? (error.provider === 'hubspot' ? 'crm' : error.provider);
    // Entra starts each error_description with its AADSTS code (v2-oauth2-auth-code-flow, "Error response").
    const aadsts = /^AADSTS\d+/.exec(error.description ?? '')?.[0];
    return {
      kind:
        aadsts !== undefined && APP_REGISTRATION_ERRORS.has(aadsts)
          ? 'not_configured'
          : CANCELLED_OAUTH_ERRORS.has(error.error)
            ? 'cancelled'
            : 'auth',
      message: error.message,
      ...(from ? { source: from } : {}),
      ...(aadsts ? { providerCode: aadsts } : {}),
    };
  }
  if (error instanceof z.ZodError) {
    // A shape we parse at a boundary did not match: the other side answered something unexpected.
    return {
      kind: 'invalid_response',
      message: `Unexpected data: ${issuesOf(error)
        .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
        .join('; ')}`,
      ...(source ? { source } : {}),
    };
  }
  // Dexie wraps every IndexedDB failure (quota, closed database, blocked upgrade) in a DexieError.
  if (error instanceof Dexie.DexieError)
    return { kind: 'storage', message: error.message, source: 'extension' };
  const message = error instanceof Error ? error.message || error.name : String(error);
  return { kind: 'internal', message, ...(source ? { source } : {}) };
}
