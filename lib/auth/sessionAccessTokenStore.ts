import type { StoredTokens, TokenStore } from './TokenManager';

/** The part of `browser.storage.session` used here (memory only, gone when the browser closes). */
export interface SessionArea {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(key: string): Promise<void>;
}

const keyOf = (mailboxId: string) => `accessToken:${mailboxId}`;

/**
 * Access tokens in `storage.session` (kept in memory, never written to disk, and not
 * readable by content scripts by default:
 * https://developer.chrome.com/docs/extensions/reference/api/storage#property-session),
 * everything else (refresh token, scopes, expiries) in the persistent store. After a browser
 * restart the access token is gone and TokenManager refreshes it, as for an expired one.
 */
export function sessionAccessTokenStore(persistent: TokenStore, session: SessionArea): TokenStore {
  return {
    async get(mailboxId) {
      const stored = await persistent.get(mailboxId);
      if (!stored) return null;
      const held = (await session.get(keyOf(mailboxId)))[keyOf(mailboxId)] as
        | { accessToken?: unknown; expiresAt?: unknown }
        | undefined;
      const live = typeof held?.accessToken === 'string' && typeof held.expiresAt === 'number';
      return {
        ...stored,
        accessToken: live ? (held.accessToken as string) : '',
        expiresAt: live ? (held.expiresAt as number) : 0,
      };
    },
    async set(mailboxId, tokens: StoredTokens) {
      await session.set({
        [keyOf(mailboxId)]: { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt },
      });
      await persistent.set(mailboxId, { ...tokens, accessToken: '', expiresAt: 0 });
    },
    async delete(mailboxId) {
      await session.remove(keyOf(mailboxId));
      await persistent.delete(mailboxId);
    },
  };
}
