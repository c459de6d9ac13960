import { z } from 'zod';

/**
 * THE closed set of things that can go wrong, shared by the background, the panel, the
 * popup and the options page. A thrown error becomes one of these in `toErrorInfo`; each is
 * worded for people in `describeError`. A new kind is added here, and the compiler then
 * points at the wording table (and every test fake) that must learn it.
 */
export const ErrorKind = z.enum([
  /** Something must be set up first: the CRM's URL or token, an OAuth client id. */
  'not_configured',
  /** The service refused our credentials (CRM token 401/403, mailbox grant revoked or expired). */
  'auth',
  /** The user stopped it: closed the sign-in window or declined consent. */
  'cancelled',
  /** The service has no such thing (404). */
  'not_found',
  /** The service already has it (409). */
  'conflict',
  /** The service rejected our request as malformed or too large (400/413); retrying will not help. */
  'invalid_request',
  /** Settings that do not pass the settings schema; `issues` says which fields. */
  'invalid_settings',
  /** The connected CRM cannot do this at all (a capability its connector declares absent). */
  'unsupported',
  /** The service asked us to slow down (429, Gmail's rate-limit 403s). */
  'rate_limited',
  /** The service failed on its side (5xx). */
  'server',
  /** No answer: offline, DNS, refused connection, timeout. */
  'network',
  /** An answer that does not match the service's contract or the provider's documented shape. */
  'invalid_response',
  /** A runtime message the background could not accept (unknown type, bad payload). */
  'invalid_message',
  /** A thread larger than the sidebar takes from a page (subject, recipients, messages); nothing was sent. */
  'too_large',
  /** The background did not answer, or answered something unreadable. */
  'invalid_reply',
  /** The browser's storage (IndexedDB) failed: quota, a closed database, a blocked upgrade. */
  'storage',
  /** A bug: anything not covered above. */
  'internal',
]);
export type ErrorKind = z.infer<typeof ErrorKind>;

/** Which service the failure came from, so one kind can be worded for the CRM or a mailbox. */
export const ErrorSource = z.enum(['crm', 'gmail', 'outlook', 'extension']);
export type ErrorSource = z.infer<typeof ErrorSource>;

/**
 * The sub-cases of a kind whose advice differs, as a closed set per kind; each is worded in
 * describeError and nowhere else. A code belongs to exactly one kind (`ERROR_CODES`).
 */
export const ERROR_CODES = {
  not_configured: [
    /** No CRM connection is saved (address and token). */
    'crm_not_connected',
    /** HubSpot with a private app: its token and the rep's HubSpot login email are missing. */
    'hubspot_token_missing',
    /** HubSpot with per-rep OAuth: the rep has not signed in (or signed out). */
    'hubspot_not_signed_in',
    /** Salesforce: nobody signed in yet. */
    'salesforce_not_signed_in',
    /** The sign-in needs the team's token exchange server (it adds the client secret) and none is set. */
    'token_exchange_missing',
    /** The token exchange server refused to handle this provider (not set up there). */
    'token_exchange_refused',
    /** The mailbox provider's OAuth client id is missing from the settings. */
    'oauth_client_id_missing',
    /** The provider needs the OAuth client secret and neither it nor a token exchange server is set. */
    'oauth_client_secret_missing',
  ],
  auth: [
    /** The rep's CRM sign-in (HubSpot or Salesforce OAuth) ended or was refused: sign in again. */
    'crm_sign_in_ended',
    /** The CRM has no user with the rep's login email. */
    'crm_user_unknown',
    /** Only the rep who logged an email, or an admin, may remove, move or redact it (403). */
    'activity_not_yours',
    /** The mailbox's sign-in cannot be renewed without a window: the rep signs in again. */
    'mailbox_renewal_unavailable',
    /** Renewing the mailbox's sign-in returned another account than the mailbox's. */
    'mailbox_account_changed',
    /** Microsoft refused the shared mailbox: no access to it, or Mail.Read.Shared not granted. */
    'shared_mailbox_denied',
    /** A shared mailbox is read with the rep's own Outlook sign-in, and none is connected. */
    'shared_mailbox_needs_own',
  ],
  invalid_response: [
    /** Salesforce's token answer did not say which instance the org is on. */
    'salesforce_instance_missing',
    /** A Graph delta page had neither a next page nor a delta link. */
    'graph_delta_incomplete',
  ],
} as const satisfies Partial<Record<ErrorKind, readonly string[]>>;

type CodesOf<K> = K extends keyof typeof ERROR_CODES ? (typeof ERROR_CODES)[K][number] : never;
/** The codes a kind may carry (none for kinds without sub-cases). */
export type ErrorCodeOf<K extends ErrorKind> = CodesOf<K>;

export const ErrorCode = z.enum(
  Object.values(ERROR_CODES).flat() as [CodesOf<ErrorKind>, ...CodesOf<ErrorKind>[]],
);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorIssue = z.object({ path: z.string(), message: z.string() });
export type ErrorIssue = z.infer<typeof ErrorIssue>;

/** The serialisable form of a failure: runtime replies, the event log, stored outbox and mailbox rows. */
export const ErrorInfo = z.object({
  kind: ErrorKind,
  /** Technical detail for logs and "details" disclosures; never contains a token. */
  message: z.string(),
  source: ErrorSource.optional(),
  status: z.number().optional(),
  retryAfterMs: z.number().optional(),
  /**
   * The provider's own code for the failure where the advice depends on it (Entra's
   * `AADSTS9002326`: the app registration must change); also shown in details.
   */
  providerCode: z.string().max(64).optional(),
  /**
   * The redirect URI the sign-in used (`identity.getRedirectURL()`), so advice about the app
   * registration names the exact one to register.
   */
  redirectUri: z.url().max(2048).optional(),
  /** Field-level problems (`invalid_settings`, `invalid_request` with a validation body). */
  issues: z.array(ErrorIssue).optional(),
  /** The sub-case of the kind, where its advice differs (`ERROR_CODES`). */
  code: ErrorCode.optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;

/** A stored error that may predate ErrorInfo (a bare message) read as ErrorInfo. */
export function storedErrorInfo(value: ErrorInfo | string | null | undefined): ErrorInfo | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return { kind: 'internal', message: value };
  const parsed = ErrorInfo.safeParse(value);
  return parsed.success
    ? parsed.data
    : { kind: 'internal', message: String((value as { message?: unknown }).message ?? '') };
}

/** Zod's issues as "field path: problem" pairs, for `invalid_settings` and `invalid_message`. */
export function issuesOf(error: z.ZodError): ErrorIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/**
 * A failure raised by extension code that is not a CRM or provider call (settings
 * validation, a missing OAuth client id, a closed sign-in window). CRM calls raise
 * `CrmError`, provider calls `ProviderRequestError` / `MailboxAuthError`.
 */
export class ExtensionError<K extends ErrorKind = ErrorKind> extends Error {
  override readonly name = 'ExtensionError';
  constructor(
    readonly kind: K,
    message: string,
    readonly details: {
      source?: ErrorSource;
      issues?: ErrorIssue[];
      redirectUri?: string;
      code?: ErrorCodeOf<K>;
    } = {},
  ) {
    super(message);
  }
}

/** Raised on the sending side of a runtime message when the background answers with an error. */
export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
  get kind(): ErrorKind {
    return this.info.kind;
  }
}
