import type { Contact, TaskInput } from '../../lib/crm/contract';
import type { ThreadSnapshot } from '../../lib/mail/MailMessage';
import type { createClient } from '../../lib/messaging/client';
import type { Messages } from '../../lib/messaging/messages';
import type { MessageLogStatus, ThreadView } from '../../lib/panel/ThreadView';

export interface CreateContactInput {
  name: string;
  email: string;
  companyId: string | null;
}

/**
 * Everything the panel can ask of the outside world. The components never touch
 * `browser.*` or the network, so the same tree runs in the Outlook shadow root, the
 * Gmail sidebar and in tests with a fake.
 */
export interface PanelApi {
  openThread(snapshot: ThreadSnapshot, options: { preferCache: boolean }): Promise<ThreadView>;
  logMessages(snapshot: ThreadSnapshot, providerMessageIds: string[]): Promise<MessageLogStatus[]>;
  createContact(input: CreateContactInput): Promise<{ contact: Contact; existed: boolean }>;
  /** Create a follow-up task a keyword rule suggested. */
  createTask(task: TaskInput): Promise<{ status: 'created' | 'existing' }>;
  /** Re-queue the outbox's failed deliveries. */
  retryFailed(): Promise<void>;
  openOptions(): void;
  loadCollapsed(): Promise<boolean>;
  saveCollapsed(collapsed: boolean): Promise<void>;
}

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
    openThread: (snapshot, { preferCache }) => send('thread.open', { snapshot, preferCache }),
    async logMessages(snapshot, providerMessageIds) {
      const answer = await send('thread.log', { snapshot, providerMessageIds });
      return answer.messages;
    },
    createContact: (input) => send('contact.create', input),
    createTask: (task) => send('task.create', { task }),
    async retryFailed() {
      await send('outbox.retry', {});
    },
    openOptions() {
      // Fire-and-forget from a click handler; a background that cannot open the page
      // has nothing useful to tell the panel, but the failure should not be silent.
      send('options.open', {}).catch((error: unknown) => console.warn('Could not open the settings', error));
    },
    async loadCollapsed() {
      const stored = await storage.get(COLLAPSED_STORAGE_KEY);
      return stored[COLLAPSED_STORAGE_KEY] === true;
    },
    saveCollapsed: (collapsed) => storage.set({ [COLLAPSED_STORAGE_KEY]: collapsed }),
  };
}
