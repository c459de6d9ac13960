import { SingleFlight } from '../mail/sync/SingleFlight';
import type { AccessTokenProvider } from './AccessTokenProvider';
import { MailboxAuthError } from './MailboxAuthError';
import { OAuthGrantError, type OAuthTokens } from './OAuthClient';

/** Tokens of one mailbox, as stored by the background (never sent to a content script). */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch ms. */
  expiresAt: number;
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
  /** Usually `(rt) => refreshTokens(config, rt)`. */
  refresh: (refreshToken: string) => Promise<OAuthTokens>;
  /** Refresh this long before the stated expiry, so a token never dies mid-request. */
  refreshAheadMs?: number;
  now?: () => number;
}

/**
 * Hands out valid access tokens per mailbox: the stored one while it has time left, else a
 * refreshed one. Concurrent callers share one refresh (a refresh token used twice at once
 * can invalidate itself where providers rotate them). A refused refresh becomes
 * `MailboxAuthError`, whose message never contains a token.
 */
export class TokenManager {
  private readonly refreshes = new SingleFlight<string>();
  private readonly refreshAheadMs: number;
  private readonly now: () => number;

  constructor(private readonly options: TokenManagerOptions) {
    this.refreshAheadMs = options.refreshAheadMs ?? 120_000;
    this.now = options.now ?? Date.now;
  }

  /** Stores the tokens from a fresh authorization (connect or Reconnect). */
  async save(mailboxId: string, tokens: OAuthTokens): Promise<void> {
    await this.options.store.set(mailboxId, { ...tokens });
  }

  async getAccessToken(mailboxId: string, options: { forceRefresh?: boolean } = {}): Promise<string> {
    const stored = await this.options.store.get(mailboxId);
    if (stored === null) throw new MailboxAuthError(this.options.provider, mailboxId, 'no_credentials');
    if (!options.forceRefresh && stored.expiresAt - this.refreshAheadMs > this.now())
      return stored.accessToken;
    return this.refreshes.run(mailboxId, () => this.refresh(mailboxId));
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
    let fresh: OAuthTokens;
    try {
      fresh = await this.options.refresh(stored.refreshToken);
    } catch (error) {
      if (error instanceof OAuthGrantError && DEAD_GRANT_ERRORS.has(error.error)) {
        throw new MailboxAuthError(this.options.provider, mailboxId, 'refresh_rejected', error.error);
      }
      throw error;
    }
    await this.options.store.set(mailboxId, {
      accessToken: fresh.accessToken,
      // Google does not rotate refresh tokens; Microsoft does. Keep whichever is newest.
      refreshToken: fresh.refreshToken ?? stored.refreshToken,
      expiresAt: fresh.expiresAt,
      scopes: fresh.scopes,
    });
    return fresh.accessToken;
  }
}
