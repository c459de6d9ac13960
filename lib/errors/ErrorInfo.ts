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
export class ExtensionError extends Error {
  override readonly name = 'ExtensionError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: { source?: ErrorSource; issues?: ErrorIssue[]; redirectUri?: string } = {},
  ) {
    super(message);
  }
}
