import { describe, expect, it } from 'vitest';
import { sessionAccessTokenStore } from '../../../lib/auth/sessionAccessTokenStore';
import type { StoredTokens, TokenStore } from '../../../lib/auth/TokenManager';
import { memorySessionArea } from '../../fakes/memorySessionArea';

function memoryStore(): TokenStore & { rows: Map<string, StoredTokens> } {
  const rows = new Map<string, StoredTokens>();
  return {
    rows,
    get: async (id) => rows.get(id) ?? null,
    set: async (id, tokens) => void rows.set(id, tokens),
    delete: async (id) => void rows.delete(id),
  };
}

const memorySession = memorySessionArea;

const TOKENS: StoredTokens = {
  accessToken: 'ya29.access',
  refreshToken: '1//refresh',
  expiresAt: 1_900_000_000_000,
  scopes: ['https://www.googleapis.com/auth/gmail.readonly'],
};

describe('sessionAccessTokenStore', () => {
  it('keeps the access token in the session area only, the rest persistently', async () => {
    const persistent = memoryStore();
    const store = sessionAccessTokenStore(persistent, memorySession());
    await store.set('gmail:rep@acme.test', TOKENS);
    expect(persistent.rows.get('gmail:rep@acme.test')).toEqual({ ...TOKENS, accessToken: '', expiresAt: 0 });
    expect(await store.get('gmail:rep@acme.test')).toEqual(TOKENS);
  });

  it('after a browser restart (empty session) hands out an expired entry, so the token is refreshed', async () => {
    const persistent = memoryStore();
    await sessionAccessTokenStore(persistent, memorySession()).set('m1', TOKENS);
    const afterRestart = sessionAccessTokenStore(persistent, memorySession());
    expect(await afterRestart.get('m1')).toEqual({ ...TOKENS, accessToken: '', expiresAt: 0 });
    await afterRestart.delete('m1');
    expect(await afterRestart.get('m1')).toBeNull();
  });
});
