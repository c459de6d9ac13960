import { SingleFlight } from '../async/SingleFlight';
import type { AccessTokenProvider } from './AccessTokenProvider';
import { MailboxAuthError } from './MailboxAuthError';
import { OAuthGrantError, type OAuthTokens } from './OAuthClient';

/** Tokens of one mailbox, as stored by the background (never sent to a content script). */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms after which the refresh token is refused (Entra SPA: 24 h after sign-in). */
  refreshTokenExpiresAt?: number | null;
  scopes: string[];
}

/** Background-only token storage (Dexie or `storage.local` in the extension). */
export interface TokenStore {
  get(mailboxId: string): Promise<StoredTokens | null>;
  set(mailboxId: string, tokens: StoredTokens): Promise<void>;
  /** Forgets the mailbox's tokens (disconnect). */
  delete(mailboxId: string): Promise<void>;
}

// OAuth errors that mean the grant itself is gone: only a new sign-in helps. Microsoft
// reports revoked consent and password resets as invalid_grant (with AADSTS codes) or
// interaction_required / consent_required.
const DEAD_GRANT_ERRORS = new Set([
  'invalid_grant',
  'interaction_required',
  'consent_required',
  'login_required',
]);

export interface TokenManagerOptions {
  provider: 'gmail' | 'outlook';
  store: TokenStore;
  /** Usually `(rt, expiry) => refreshTokens(config, rt, { refreshTokenExpiresAt: expiry })`. */
  refresh: (refreshToken: string, refreshTokenExpiresAt: number | null) => Promise<OAuthTokens>;
  /**
   * A new sign-in without the user (`prompt=none`, not interactive), for providers whose
   * refresh tokens expire on a schedule (Entra SPA, 24 h). Tried before that expiry and when
   * a refresh is refused; only when it fails too does the mailbox need the user.
   */
  renew?: (mailboxId: string) => Promise<OAuthTokens>;
  /** Renew this long before the refresh token's fixed expiry (default 2 h). */
  renewAheadMs?: number;
  /** Refresh this long before the stated expiry, so a token never dies mid-request. */
  refreshAheadMs?: number;
  /** Sees every stored token set (e.g. to show when the sign-in runs out). */
  onSaved?: (mailboxId: string, tokens: StoredTokens) => Promise<void> | void;
  now?: () => number;
}

// A failed silent renewal is not retried on every request: the provider's session is gone
// or the browser refused; trying again this much later is enough.
const RENEWAL_RETRY_MS = 15 * 60_000;

/**
 * Hands out valid access tokens per mailbox: the stored one while it has time left, else a
 * refreshed one. Concurrent callers share one refresh (a refresh token used twice at once
 * can invalidate itself where providers rotate them). A refused refresh becomes
 * `MailboxAuthError`, whose message never contains a token.
 */
export class TokenManager {
  private readonly refreshes = new SingleFlight<string>();
  private readonly refreshAheadMs: number;
  private readonly renewAheadMs: number;
  private readonly now: () => number;
  private readonly renewalFailedAt = new Map<string, number>();

  constructor(private readonly options: TokenManagerOptions) {
    this.refreshAheadMs = options.refreshAheadMs ?? 120_000;
    this.renewAheadMs = options.renewAheadMs ?? 2 * 60 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Stores the tokens from a fresh authorization (connect or Reconnect). */
  async save(mailboxId: string, tokens: OAuthTokens): Promise<void> {
    this.renewalFailedAt.delete(mailboxId);
    await this.store(mailboxId, { ...tokens });
  }

  private async store(mailboxId: string, tokens: StoredTokens): Promise<void> {
    await this.options.store.set(mailboxId, tokens);
    await this.options.onSaved?.(mailboxId, tokens);
  }

  async getAccessToken(mailboxId: string, options: { forceRefresh?: boolean } = {}): Promise<string> {
    const stored = await this.options.store.get(mailboxId);
    if (stored === null) throw new MailboxAuthError(this.options.provider, mailboxId, 'no_credentials');
    if (
      !options.forceRefresh &&
      !this.renewalDue(mailboxId, stored) &&
      stored.expiresAt - this.refreshAheadMs > this.now()
    )
      return stored.accessToken;
    return this.refreshes.run(mailboxId, () => this.refresh(mailboxId));
  }

  /** The refresh token runs out soon and a silent renewal may be tried (again). */
  private renewalDue(mailboxId: string, stored: StoredTokens): boolean {
    const expiry = stored.refreshTokenExpiresAt ?? null;
    if (!this.options.renew || expiry === null || expiry - this.renewAheadMs > this.now()) return false;
    const failedAt = this.renewalFailedAt.get(mailboxId);
    return failedAt === undefined || failedAt + RENEWAL_RETRY_MS <= this.now();
  }

  /** Silent sign-in; stores and returns the new tokens, or null when it did not work. */
  private async tryRenew(mailboxId: string): Promise<StoredTokens | null> {
    const renew = this.options.renew;
    if (!renew) return null;
    try {
      const fresh = await renew(mailboxId);
      this.renewalFailedAt.delete(mailboxId);
      const tokens: StoredTokens = { ...fresh };
      await this.store(mailboxId, tokens);
      return tokens;
    } catch {
      // login_required, a closed browser session, a refused window: the user is needed once
      // the refresh token itself runs out; until then refreshing goes on.
      this.renewalFailedAt.set(mailboxId, this.now());
      return null;
    }
  }

  /** The function API clients take as `getAccessToken`. */
  accessTokenProvider(mailboxId: string): AccessTokenProvider {
    return (options) => this.getAccessToken(mailboxId, options);
  }

  private async refresh(mailboxId: string): Promise<string> {
    // Re-read inside the flight: a caller that waited may find another already refreshed.
    const stored = await this.options.store.get(mailboxId);
    if (stored?.refreshToken == null)
      throw new MailboxAuthError(this.options.provider, mailboxId, 'no_credentials');
    if (this.renewalDue(mailboxId, stored)) {
      const renewed = await this.tryRenew(mailboxId);
      if (renewed) return renewed.accessToken;
    }
    let fresh: OAuthTokens;
    try {
      fresh = await this.options.refresh(stored.refreshToken, stored.refreshTokenExpiresAt ?? null);
    } catch (error) {
      if (error instanceof OAuthGrantError && DEAD_GRANT_ERRORS.has(error.error)) {
        // The refresh token is dead (expired SPA token, revoked): a silent sign-in may still work.
        const renewed = this.options.renew ? await this.tryRenew(mailboxId) : null;
        if (renewed) return renewed.accessToken;
        throw new MailboxAuthError(
          this.options.provider,
          mailboxId,
          'refresh_rejected',
          error.error,
          error.aadstsCodes[0],
        );
      }
      throw error;
    }
    await this.store(mailboxId, {
      accessToken: fresh.accessToken,
      // Google does not rotate refresh tokens; Microsoft does. Keep whichever is newest.
      refreshToken: fresh.refreshToken ?? stored.refreshToken,
      expiresAt: fresh.expiresAt,
      refreshTokenExpiresAt: fresh.refreshTokenExpiresAt ?? stored.refreshTokenExpiresAt ?? null,
      scopes: fresh.scopes,
    });
    return fresh.accessToken;
  }
}
