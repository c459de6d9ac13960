/**
 * Why a mailbox can no longer be used until the user signs in again. The caller marks the
 * mailbox "needs re-authentication" and stops its sync; a Reconnect resumes from the cursor.
 */
export type MailboxAuthReason =
  /** The provider rejected the access token even after a refresh (401). */
  | 'unauthorized'
  /** The refresh token was refused: expired, revoked consent, password change (`invalid_grant`). */
  | 'refresh_rejected'
  /** There is no refresh token stored for the mailbox. */
  | 'no_credentials'
  /** The token lacks a scope the request needs (403 insufficient permissions). */
  | 'insufficient_scope';

/**
 * A mailbox's credentials are unusable. The message never contains a token: it names the
 * provider, the mailbox and the reason only, so it is safe to log and to show.
 */
export class MailboxAuthError extends Error {
  override readonly name = 'MailboxAuthError';
  constructor(
    readonly provider: 'gmail' | 'outlook',
    readonly mailboxId: string,
    readonly reason: MailboxAuthReason,
    detail?: string,
    /** The provider's code for the refusal (Entra's `AADSTS700084`, `AADSTS65001`), for the advice. */
    readonly providerCode?: string,
  ) {
    super(
      `${provider} mailbox ${mailboxId} needs re-authentication (${reason}${detail ? `: ${detail}` : ''})`,
    );
  }
}

export function isMailboxAuthError(error: unknown): error is MailboxAuthError {
  return error instanceof MailboxAuthError;
}
