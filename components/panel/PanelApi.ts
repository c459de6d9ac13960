import type { createClient } from '../../lib/messaging/client';
import { deriveMessageClient, type MessageClient, type SendMessage } from '../../lib/messaging/messageClient';
import { MESSAGES, type Messages } from '../../lib/messaging/messages';
import { FEATURE_MESSAGES, type FeatureMessages } from '../../lib/panel/features/panelFeatures';

/** The panel's own messages (the features' come from their registry). */
const PANEL_CORE_MESSAGES = [
  'thread.open',
  'thread.log',
  'contact.create',
  'outbox.retry',
  'options.open',
] as const;

/**
 * What the panel page (entrypoints/panel, an extension page) may ask the background: its
 * thread, its writes and the options page, nothing of the settings or tokens.
 */
export type PanelMessages = Pick<Messages, (typeof PANEL_CORE_MESSAGES)[number]> & FeatureMessages;
export const PANEL_MESSAGES: PanelMessages = {
  ...(Object.fromEntries(PANEL_CORE_MESSAGES.map((type) => [type, MESSAGES[type]])) as Pick<
    Messages,
    (typeof PANEL_CORE_MESSAGES)[number]
  >),
  ...FEATURE_MESSAGES,
};

/**
 * Everything the panel can ask of the outside world: one method per panel message,
 * derived from the message table (`api.thread.open({ snapshot, preferCache })`), and
 * the panel's own preferences. The components never touch `browser.*` or the network, so
 * the same tree runs in the panel page (framed in Outlook and Gmail) and in tests with a fake.
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
