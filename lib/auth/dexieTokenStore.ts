import type { CrmSidebarDb } from '../store/db';
import type { StoredTokens, TokenStore } from './TokenManager';

/** Tokens in the extension's database (background only; never sent to a content script). */
export function dexieTokenStore(db: CrmSidebarDb): TokenStore {
  return {
    async get(mailboxId) {
      const row = await db.tokens.get(mailboxId);
      if (!row || typeof row.accessToken !== 'string') return null;
      return row as unknown as StoredTokens;
    },
    async set(mailboxId, tokens) {
      await db.tokens.put({ mailboxId, ...tokens });
    },
    async delete(mailboxId) {
      await db.tokens.delete(mailboxId);
    },
  };
}
