import type { createClient } from '../../lib/messaging/client';
import { deriveMessageClient, type MessageClient, type SendMessage } from '../../lib/messaging/messageClient';
import { MESSAGES, type Messages } from '../../lib/messaging/messages';
import { type MessagesSentBy, messagesSentBy } from '../../lib/messaging/protocol';

/** The messages a content script may send: the only ones the panel can ask for. */
export const PANEL_MESSAGES = messagesSentBy(MESSAGES, 'content');
export type PanelMessages = MessagesSentBy<Messages, 'content'>;

/**
 * Everything the panel can ask of the outside world: one method per panel message,
 * derived from the message table (`api.thread.open({ snapshot, preferCache })`), and
 * the panel's own preferences. The components never touch `browser.*` or the network, so
 * the same tree runs in the Outlook shadow root, the Gmail sidebar and in tests with a fake.
 */
export type PanelApi = MessageClient<PanelMessages> & {
  loadCollapsed(): Promise<boolean>;
  saveCollapsed(collapsed: boolean): Promise<void>;
};

export type CreateContactInput = Parameters<PanelApi['contact']['create']>[0];

/** The typed sender from lib/messaging/client (what `sendToBackground` is). */
export type BackgroundSend = ReturnType<typeof createClient<Messages>>;

/**
 * The subset of `browser.storage.local` the panel needs, so a host can pass that object
 * directly and tests can pass a Map-backed fake. Deliberately not localStorage: that
 * would be the webmail origin's storage, readable by the page.
 */
export interface KeyValueStorage {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

export const COLLAPSED_STORAGE_KEY = 'crmPanel.collapsed';

/** Keeps values for the lifetime of the page only; the default when a host passes no storage. */
export function createMemoryStorage(): KeyValueStorage {
  const values = new Map<string, unknown>();
  return {
    async get(key) {
      return values.has(key) ? { [key]: values.get(key) } : {};
    },
    async set(items) {
      for (const [key, value] of Object.entries(items)) values.set(key, value);
    },
  };
}

export function createPanelApiFromMessaging(
  send: BackgroundSend,
  storage: KeyValueStorage = createMemoryStorage(),
): PanelApi {
  return {
    ...deriveMessageClient(PANEL_MESSAGES, send as SendMessage),
    async loadCollapsed() {
      const stored = await storage.get(COLLAPSED_STORAGE_KEY);
      return stored[COLLAPSED_STORAGE_KEY] === true;
    },
    saveCollapsed: (collapsed) => storage.set({ [COLLAPSED_STORAGE_KEY]: collapsed }),
  };
}
