import type { AuditWindowDays, SyncAuditReport } from '../audit/SyncAuditReport';
import type { CrmSignIn } from '../crm/CrmSignIn';
import { ExtensionError } from '../errors/ErrorInfo';
import type { MailboxApi } from '../mail/sync/MailboxProvider';
import type { MailboxWriteAccess } from '../mail/sync/mailboxMarkMessages';
import { webmailOfUrl } from '../mail/webmailOfUrl';
import type { MailboxStatus, Messages } from '../messaging/messages';
import type { Handlers } from '../messaging/router';
import { createFeatureHandlers } from '../panel/features/panelFeatures';
import type { SidePanelThread } from '../panel/SidePanelThread';
import { ComposeSends, gmailComposeSend, gmailDeclinedSend, outlookComposeSend } from './ComposeSends';
import type { CrmSidebarBackground } from './CrmSidebarBackground';
import type { PageHealthService } from './PageHealthService';
import { PanelFramePairing } from './PanelFramePairing';

/** What the mailbox connections and sync offer the router (wired in the background). */
export interface MailboxControls {
  connect(provider: 'gmail' | 'outlook'): Promise<MailboxStatus>;
  connectShared(address: string): Promise<MailboxStatus>;
  disconnect(id: string): Promise<void>;
  setPrimary(id: string): Promise<void>;
  syncNow(id?: string): Promise<number>;
  setClientSecret(provider: 'gmail' | 'outlook', secret: string): Promise<{ configured: boolean }>;
  clientSecretStatus(): Promise<Record<'gmail' | 'outlook', boolean>>;
  /** The redirect URI the sign-ins use, as the browser gives it. */
  redirectUri(): string;
  /** Write access (labels, categories, archiving) per mailbox, and asking for it. */
  writeAccessStatus(): Promise<MailboxWriteAccess[]>;
  grantWriteAccess(id?: string): Promise<MailboxWriteAccess[]>;
  /** Which of a mailbox's threads hold logged mail, and whether the thread list shows a marker. */
  loggedThreads(
    provider: 'gmail' | 'outlook',
    mailbox: string,
    threadIds: readonly string[],
  ): Promise<{ threadIds: string[]; marker: boolean }>;
  /** A sync pass of the sender's mailbox right after a compose send. */
  syncAfterSend(provider: 'gmail' | 'outlook', address: string): Promise<number>;
  /** The provider's connected mailboxes (lower-cased addresses). */
  connectedAddresses(provider: 'gmail' | 'outlook'): Promise<string[]>;
  /** The connected mailbox's API (the sync's client), or null when it is not connected. */
  connectedApi(provider: 'gmail' | 'outlook', address: string): Promise<MailboxApi | null>;
}

/** The sync audit (lib/audit/SyncAuditService). */
export interface AuditControls {
  reports(): Promise<SyncAuditReport[]>;
  start(mailboxId: string, days: AuditWindowDays): Promise<SyncAuditReport>;
  logMissing(mailboxId: string): Promise<SyncAuditReport>;
}

/** The CRM sign-ins through the browser's identity window (lib/crm/CrmSignIn.ts); each saves the connection it made. */
export type CrmSignIns = Pick<CrmSignIn, 'signIn' | 'signOut'>;

export interface BackgroundHandlerDeps {
  service: CrmSidebarBackground;
  mailboxes: MailboxControls;
  audits: AuditControls;
  signIns: CrmSignIns;
  /** Whether the page integrations still read threads (the content scripts report). */
  pageHealth: Pick<PageHealthService, 'report'>;
  /** The side panel's thread: the active tab of the window (null: the last focused one). */
  sidePanelThread(target: { windowId: number | null; tabId: number | null }): Promise<SidePanelThread>;
  /** `route`: an address hash of the options page (already validated), e.g. `#setup/connect`. */
  openOptionsPage(route?: string): Promise<void>;
  /** Which panel frames their content scripts made (one per background; a fresh one in tests). */
  pairing?: PanelFramePairing;
}

export function createBackgroundHandlers(deps: BackgroundHandlerDeps): Handlers<Messages> {
  const { service, mailboxes, audits, signIns } = deps;
  const pairing = deps.pairing ?? new PanelFramePairing();
  const composeSends = new ComposeSends({
    connectedApi: (provider, address) => mailboxes.connectedApi(provider, address),
    logSentMessage: (message) => service.logSentMessage(message),
    declineSentMessage: (message) => service.declineSentMessage(message),
    syncAfterSend: (provider, address) => mailboxes.syncAfterSend(provider, address),
    events: service.events,
  });
  return {
    'panel.frame.expect': async ({ secret }, sender) => {
      pairing.expect(sender, secret);
      return {};
    },
    'panel.frame.claim': async ({ secret }, sender) => ({ host: pairing.claim(sender, secret) }),
    ...createFeatureHandlers(service.featureContext()),
    'status.get': () => service.status(),
    'sidepanel.thread': (target) => deps.sidePanelThread(target),
    'page.health': async ({ signal, detail }, sender) => {
      const provider = webmailOfUrl(sender.url);
      if (!provider)
        throw new ExtensionError(
          'invalid_message',
          'page.health is only accepted from a Gmail or Outlook tab',
        );
      await deps.pageHealth.report(provider, signal, detail);
      return {};
    },
    'settings.get': () => service.editableSettings(),
    'policy.get': () => service.policyView(),
    'settings.update': ({ patch }) => service.updateEditableSettings(patch),
    'crm.testConnection': ({ crm }) => service.testConnection(crm),
    // The saved connection is tested at once, so the options page shows who signed in.
    'crm.signIn': async (request) => service.testConnection(await signIns.signIn(request)),
    'crm.signOut': async ({ vendor }) => {
      await signIns.signOut(vendor);
      return {};
    },
    'thread.open': ({ snapshot, preferCache }) => service.openThread(snapshot, preferCache),
    'thread.prefetch': async ({ snapshot }, sender) => {
      // An Outlook tab speaks for Outlook threads only (and Gmail's for Gmail's).
      if (snapshot.provider === sender.webmail) void service.prefetchThread(snapshot);
      return {};
    },
    'thread.log': async ({ snapshot, providerMessageIds }) => ({
      messages: await service.logThread(snapshot, providerMessageIds),
    }),
    'contact.create': (input) => service.createContact(input),
    'outbox.retry': async ({ ids }) => ({ retried: await service.retryOutbox(ids) }),
    'options.open': async ({ route }) => {
      await deps.openOptionsPage(route);
      return {};
    },
    'gmail.config.get': async () => {
      const settings = await service.getSettings();
      return { inboxSdkAppId: settings.inboxSdkAppId, logComposeByDefault: settings.logComposeByDefault };
    },
    // With the mailbox connected, the sent message is read through the Gmail API by the page's
    // id (its exact Message-ID; the page's own word for it is dropped), else logged under a
    // provider-derived key; see ComposeSends.
    'gmail.sent.log': (sent) => composeSends.log(gmailComposeSend(sent)),
    'gmail.sent.decline': (sent) => composeSends.decline(gmailDeclinedSend(sent)),
    'outlook.config.get': async () => ({
      logComposeByDefault: (await service.getSettings()).logComposeByDefault,
      connectedMailboxes: await mailboxes.connectedAddresses('outlook'),
    }),
    // Confirmed in Sent Items through Graph when the mailbox is connected (its exact Message-ID;
    // the page never shows one), else logged under the page's key for the send.
    'outlook.sent.log': (sent) => composeSends.log(outlookComposeSend(sent)),
    'outlook.sent.decline': (sent) => composeSends.decline(outlookComposeSend(sent)),
    'mailbox.writeAccess.get': async () => ({ mailboxes: await mailboxes.writeAccessStatus() }),
    'mailbox.writeAccess.request': async ({ id }) => ({ mailboxes: await mailboxes.grantWriteAccess(id) }),
    'mailbox.loggedThreads': ({ provider, mailbox, threadIds }) =>
      mailboxes.loggedThreads(provider, mailbox, threadIds),
    'mailbox.connect': ({ provider }) => mailboxes.connect(provider),
    'mailbox.connectShared': ({ address }) => mailboxes.connectShared(address),
    'oauth.clientSecret.set': ({ provider, secret }) => mailboxes.setClientSecret(provider, secret),
    'oauth.clientSecret.status': () => mailboxes.clientSecretStatus(),
    'oauth.redirectUri.get': async () => ({ redirectUri: mailboxes.redirectUri() }),
    'mailbox.disconnect': async ({ id }) => {
      await mailboxes.disconnect(id);
      return {};
    },
    'mailbox.setPrimary': async ({ id }) => {
      await mailboxes.setPrimary(id);
      return {};
    },
    'mailbox.syncNow': async ({ id }) => ({ started: await mailboxes.syncNow(id) }),
    'audit.list': async () => ({ reports: await audits.reports() }),
    'audit.start': ({ mailboxId, days }) => audits.start(mailboxId, days),
    'audit.logMissing': ({ mailboxId }) => audits.logMissing(mailboxId),
  };
}
