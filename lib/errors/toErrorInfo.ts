import { Dexie } from 'dexie';
import { isMailboxAuthError } from '../auth/MailboxAuthError';
import { OAuthGrantError } from '../auth/OAuthClient';
import { CrmError } from '../crm/CrmError';
import { ProviderRequestError } from '../mail/sync/ProviderRequestError';
import type { ErrorInfo, ErrorKind, ErrorSource } from './ErrorInfo';
import { internalErrorInfo, sharedErrorInfo } from './errorInfoOf';

/**
 * OAuth error codes (RFC 6749 §4.1.2.1 and §5.2) that mean the user said no, not that something
 * broke: `access_denied` (the user declined; microsoftgraph/microsoft-graph-docs#6949), and
 * Entra's decline at the consent page, `consent_required` with "AADSTS65004: User declined to
 * consent to access the app." (PuzzleServer/mainpuzzleserver#571). AADSTS65001 is not one:
 * see APP_REGISTRATION_ERRORS.
 */
const CANCELLED_OAUTH_ERRORS = new Set(['access_denied', 'consent_required', 'interaction_required']);

/**
 * Entra refusals that no sign-in fixes, only a change to the app registration or the
 * settings (worded in describeError), with where each one's text is quoted:
 * - AADSTS9002326: a cross-origin (extension) redemption for a redirect URI that is not on
 *   the "Single-page application" platform (MicrosoftDocs/azure-docs#62164);
 * - AADSTS50011: "The redirect URI '…' specified in the request does not match the redirect
 *   URIs configured for the application '<client id>'." (unoplatform/uno.todo#180); at the
 *   token endpoint after AADSTS70002 (PartnerCenterSamples/Reseller-Web-Application#73);
 * - AADSTS700016: "Application with identifier '<client id>' was not found in the directory
 *   '<tenant>'. … You may have sent your authentication request to the wrong tenant."
 *   (MicrosoftDocs/azure-docs#21690; the token endpoint's body with error_codes [700016]
 *   in vippsas/vipps-developers#244);
 * - AADSTS65001: "The user or administrator has not consented to use the application with
 *   ID '…'. Send an interactive authorization request for this user and resource.",
 *   invalid_grant with suberror consent_required (MicrosoftDocs/azure-docs#39189); where
 *   users may not consent, only an administrator can
 *   (Azure-Samples/active-directory-dotnet-native-headless#10).
 */
const APP_REGISTRATION_ERRORS = new Set(['AADSTS9002326', 'AADSTS50011', 'AADSTS700016', 'AADSTS65001']);

/**
 * Google token endpoint errors that mean the OAuth client in the settings is wrong:
 * `redirect_uri_mismatch` (a redirect URI not registered for the client;
 * developers.google.com/identity/protocols/oauth2/web-server#authorization-errors-redirect-uri-mismatch,
 * at the token endpoint in googleapis/google-api-nodejs-client#3013) and `invalid_client`,
 * 401 "Unauthorized" for a wrong secret (SocialiteProviders/Providers#564) or "The OAuth
 * client was not found." for a wrong client id (Edujugon/laravel-google-ads#17).
 */
const GOOGLE_CLIENT_ERRORS = new Set(['redirect_uri_mismatch', 'invalid_client']);

/** The AADSTS code the advice is keyed by: one that needs a registration change, else the first. */
function entraCode(codes: string[]): string | undefined {
  return codes.find((code) => APP_REGISTRATION_ERRORS.has(code)) ?? codes[0];
}

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
 * THE background's mapper from anything thrown to the closed set of kinds: the errors of
 * its services (CRM, mailbox providers, OAuth, IndexedDB) and, through `sharedErrorInfo`,
 * those every context raises. Used by the runtime-message router, the event log, the
 * outbox and the mailbox sync, so one failure has one kind wherever it is seen. An error
 * we do not recognise is `internal` (a bug), never guessed to be a network problem.
 * Background only: it carries the service error classes (and Dexie) with it.
 */
export function toErrorInfo(error: unknown, source?: ErrorSource): ErrorInfo {
  if (error instanceof CrmError) {
    return {
      kind: error.kind,
      message: error.message,
      source: 'crm',
      ...(error.status !== undefined ? { status: error.status } : {}),
      ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
      ...(error.code ? { code: error.code } : {}),
    };
  }
  if (isMailboxAuthError(error))
    return {
      kind: 'auth',
      message: error.message,
      source: error.provider,
      ...(error.providerCode ? { providerCode: error.providerCode } : {}),
    };
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
    const from =
      source ?? (error.provider === 'hubspot' || error.provider === 'salesforce' ? 'crm' : error.provider);
    const aadsts = entraCode(error.aadstsCodes);
    const googleClient = error.provider === 'gmail' && GOOGLE_CLIENT_ERRORS.has(error.error);
    const providerCode = aadsts ?? (googleClient ? error.error : undefined);
    return {
      kind:
        (aadsts !== undefined && APP_REGISTRATION_ERRORS.has(aadsts)) || googleClient
          ? 'not_configured'
          : CANCELLED_OAUTH_ERRORS.has(error.error)
            ? 'cancelled'
            : 'auth',
      message: error.message,
      ...(from ? { source: from } : {}),
      ...(providerCode ? { providerCode } : {}),
      ...(error.redirectUri ? { redirectUri: error.redirectUri } : {}),
    };
  }
  const shared = sharedErrorInfo(error, source);
  if (shared) return shared;
  // Dexie wraps every IndexedDB failure (quota, closed database, blocked upgrade) in a DexieError.
  if (error instanceof Dexie.DexieError)
    return { kind: 'storage', message: error.message, source: 'extension' };
  return internalErrorInfo(error, source);
}
