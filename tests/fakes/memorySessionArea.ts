import type { SessionArea } from '../../lib/auth/sessionAccessTokenStore';

/**
 * `browser.storage.session` as the extension uses it, in memory: get(key) -> {key: value},
 * set(items), remove(key) (https://developer.chrome.com/docs/extensions/reference/api/storage#property-session).
 * A new one is what the extension finds after a browser restart: nothing.
 */
export function memorySessionArea(): SessionArea {
  const items = new Map<string, unknown>();
  return {
    get: async (key) => (items.has(key) ? { [key]: items.get(key) } : {}),
    set: async (values) => {
      for (const [k, v] of Object.entries(values)) items.set(k, v);
    },
    remove: async (key) => void items.delete(key),
  };
}
