import type { z } from 'zod';
import type { AuditWindowDays, SyncAuditReport } from '../../lib/audit/SyncAuditReport';
import type { CrmSignInRequest, CrmType } from '../../lib/crm/vendors/crmVendors';
import type { MailboxWriteAccess } from '../../lib/mail/sync/mailboxMarkMessages';
import type {
  ExtensionStatus,
  MailboxStatus,
  Messages,
  TestConnectionResult,
} from '../../lib/messaging/messages';
import type { BrowserSidePanel } from '../../lib/platform/browserSidePanel';
import type { PolicyView } from '../../lib/policy/PolicyView';
import type { CrmConnection, Settings, SettingsInput } from '../../lib/settings/Settings';
import { formatOptionsRoute, type OptionsRoute } from '../../lib/setup/optionsRoute';

/** The typed runtime-message sender (`sendToBackground` in the extension, a fake in tests). */
export type SendToBackground = <K extends keyof Messages & string>(
  type: K,
  payload: z.input<Messages[K]['request']>,
) => Promise<z.output<Messages[K]['response']>>;

export type MailProvider = MailboxStatus['provider'];

/** A shallow patch: the background merges top-level keys, so nested objects are sent whole. */
export type SettingsPatch = Partial<SettingsInput>;

/**
 * Everything the options page and the popup may ask of the extension. Components get it
 * as a prop and never touch `browser.*` themselves, so they render the same in a test
 * with a fake `send`.
 */
export interface ExtensionApi {
  getStatus(): Promise<ExtensionStatus>;
  getSettings(): Promise<Settings>;
  /** The organisation's policy: who manages the extension, what is locked, what was ignored and why. */
  getPolicy(): Promise<PolicyView>;
  /**
   * Calls `listener` when the organisation's policy may have changed (the browser's policy or
   * the CRM's organisation settings); returns the unsubscribe. Absent where nothing tells.
   */
  onPolicyChanged?(listener: () => void): () => void;
  /** Rejects with an ExtensionError / RemoteError of kind `invalid_settings` when the merged settings are invalid. */
  updateSettings(patch: SettingsPatch): Promise<Settings>;
  testConnection(crm: CrmConnection): Promise<TestConnectionResult>;
  /**
   * A CRM sign-in in the browser's identity window ("Sign in with Salesforce", "Sign in with
   * HubSpot"): the vendor and its own fields; the result becomes the saved connection.
   */
  crmSignIn(request: z.input<typeof CrmSignInRequest>): Promise<TestConnectionResult>;
  /** Forgets the rep's tokens of a signed-in CRM. */
  crmSignOut(vendor: CrmType): Promise<void>;
  /**
   * Asks the browser for host permission on the CRM's origin. Must be the first thing a
   * click handler does: browsers only show the prompt during a user gesture.
   */
  requestOriginPermission(origin: string): Promise<boolean>;
  /** Connects a new mailbox, or re-authenticates an existing one of the same account. */
  connectMailbox(provider: MailProvider): Promise<MailboxStatus>;
  connectSharedMailbox(address: string): Promise<MailboxStatus>;
  disconnectMailbox(id: string): Promise<void>;
  setPrimaryMailbox(id: string): Promise<void>;
  /** Starts a sync of one mailbox, or of all of them; resolves to how many started. */
  syncNow(id?: string): Promise<number>;
  /** Retries failed outbox items (all failed ones when no ids are given); resolves to how many. */
  retryOutbox(ids?: string[]): Promise<number>;
  /** Opens the options page, at a set-up step or the full settings when `route` is given. */
  openOptions(route?: OptionsRoute): Promise<void>;
  /** Stores the OAuth client secret in the background ('' removes it); it is never read back. */
  setOAuthClientSecret(provider: MailProvider, secret: string): Promise<{ configured: boolean }>;
  /** Which providers have a client secret stored. */
  getOAuthClientSecretStatus(): Promise<Record<MailProvider, boolean>>;
  /** The redirect URI the mailbox sign-ins use, which the admin registers with the app. */
  getOAuthRedirectUri(): Promise<string>;
  /** The last sync audit of every mailbox that has one. */
  getAudits(): Promise<SyncAuditReport[]>;
  /** Starts a sync audit of a mailbox; resolves with its first (running) report. */
  startAudit(mailboxId: string, days: AuditWindowDays): Promise<SyncAuditReport>;
  /** Sends the last audit's missing messages to the CRM, once. */
  logMissing(mailboxId: string): Promise<SyncAuditReport>;
  /** Per mailbox, whether labels / categories and archiving can be written, and if not, why. */
  getMailboxWriteAccess(): Promise<MailboxWriteAccess[]>;
  /** Asks the provider for write access (a consent window per mailbox, or for `id` only). */
  requestMailboxWriteAccess(id?: string): Promise<MailboxWriteAccess[]>;
  /**
   * Opens the browser's side panel in this window (Chrome's sidePanel, Firefox's sidebar);
   * absent where the browser has none. Must be the first thing a click handler does.
   */
  openSidePanel?: () => Promise<void>;
}

export type OptionsApi = ExtensionApi;

export type PopupApi = Pick<
  ExtensionApi,
  | 'getStatus'
  | 'getSettings'
  | 'getPolicy'
  | 'onPolicyChanged'
  | 'connectMailbox'
  | 'syncNow'
  | 'retryOutbox'
  | 'openOptions'
  | 'getAudits'
  | 'openSidePanel'
>;

export interface PlatformPermissions {
  requestOriginPermission(origin: string): Promise<boolean>;
}

/** What the page's platform tells of changes made elsewhere (`storage.onChanged` in the extension). */
export interface PlatformEvents {
  onPolicyChanged(listener: () => void): () => void;
}

export function createExtensionApi(
  send: SendToBackground,
  permissions: PlatformPermissions,
  sidePanel: BrowserSidePanel | null = null,
  events: PlatformEvents | null = null,
): ExtensionApi {
  return {
    ...(sidePanel ? { openSidePanel: () => sidePanel.open() } : {}),
    ...(events ? { onPolicyChanged: (listener: () => void) => events.onPolicyChanged(listener) } : {}),
    getStatus: () => send('status.get', {}),
    getSettings: () => send('settings.get', {}),
    getPolicy: () => send('policy.get', {}),
    updateSettings: (patch) => send('settings.update', { patch }),
    testConnection: (crm) => send('crm.testConnection', { crm }),
    crmSignIn: (request) => send('crm.signIn', request),
    crmSignOut: async (vendor) => {
      await send('crm.signOut', { vendor });
    },
    requestOriginPermission: (origin) => permissions.requestOriginPermission(origin),
    connectMailbox: (provider) => send('mailbox.connect', { provider }),
    connectSharedMailbox: (address) => send('mailbox.connectShared', { address }),
    disconnectMailbox: async (id) => {
      await send('mailbox.disconnect', { id });
    },
    setPrimaryMailbox: async (id) => {
      await send('mailbox.setPrimary', { id });
    },
    syncNow: async (id) => (await send('mailbox.syncNow', id === undefined ? {} : { id })).started,
    retryOutbox: async (ids) => (await send('outbox.retry', ids === undefined ? {} : { ids })).retried,
    openOptions: async (route) => {
      await send('options.open', route ? { route: formatOptionsRoute(route) } : {});
    },
    setOAuthClientSecret: (provider, secret) => send('oauth.clientSecret.set', { provider, secret }),
    getOAuthClientSecretStatus: () => send('oauth.clientSecret.status', {}),
    getOAuthRedirectUri: async () => (await send('oauth.redirectUri.get', {})).redirectUri,
    getAudits: async () => (await send('audit.list', {})).reports,
    startAudit: (mailboxId, days) => send('audit.start', { mailboxId, days }),
    logMissing: (mailboxId) => send('audit.logMissing', { mailboxId }),
    getMailboxWriteAccess: async () => (await send('mailbox.writeAccess.get', {})).mailboxes,
    requestMailboxWriteAccess: async (id) =>
      (await send('mailbox.writeAccess.request', id === undefined ? {} : { id })).mailboxes,
  };
}
