import type { AuditWindowDays, SyncAuditReport } from '../audit/SyncAuditReport';
import type { MailboxStatus, Messages, TestConnectionResult } from '../messaging/messages';
import type { Handlers } from '../messaging/router';
import { createFeatureHandlers } from '../panel/features/panelFeatures';
import type { CrmSidebarBackground } from './CrmSidebarBackground';
import type { SalesforceSignInRequest } from './SalesforceSignIn';

/** What the mailbox connections and sync offer the router (wired in the background). */
export interface MailboxControls {
  connect(provider: 'gmail' | 'outlook'): Promise<MailboxStatus>;
  disconnect(id: string): Promise<void>;
  setPrimary(id: string): Promise<void>;
  syncNow(id?: string): Promise<number>;
  setClientSecret(provider: 'gmail' | 'outlook', secret: string): Promise<{ configured: boolean }>;
  clientSecretStatus(): Promise<Record<'gmail' | 'outlook', boolean>>;
  /** The redirect URI the sign-ins use, as the browser gives it. */
  redirectUri(): string;
}

/** The sync audit (lib/audit/SyncAuditService). */
export interface AuditControls {
  reports(): Promise<SyncAuditReport[]>;
  start(mailboxId: string, days: AuditWindowDays): Promise<SyncAuditReport>;
  logMissing(mailboxId: string): Promise<SyncAuditReport>;
}

export interface HandlerPlatform {
  /** `route`: an address hash of the options page (already validated), e.g. `#setup/connect`. */
  openOptionsPage(route?: string): Promise<void>;
  /** Salesforce sign-in through the browser's identity window. */
  salesforceSignIn(request: SalesforceSignInRequest): Promise<TestConnectionResult>;
  /** HubSpot per-rep OAuth through the identity window and the token exchange server. */
  hubspotSignIn(request: { clientId: string; repEmail?: string }): Promise<TestConnectionResult>;
  hubspotSignOut(): Promise<void>;
}

export function createBackgroundHandlers(
  service: CrmSidebarBackground,
  mailboxes: MailboxControls,
  platform: HandlerPlatform,
  audits: AuditControls,
): Handlers<Messages> {
  return {
    ...createFeatureHandlers(service.featureContext()),
    'status.get': () => service.status(),
    'settings.get': () => service.getSettings(),
    'settings.update': ({ patch }) => service.updateSettings(patch),
    'crm.testConnection': ({ crm }) => service.testConnection(crm),
    'crm.salesforceSignIn': (request) => platform.salesforceSignIn(request),
    'crm.hubspotSignIn': (request) => platform.hubspotSignIn(request),
    'crm.hubspotSignOut': async () => {
      await platform.hubspotSignOut();
      return {};
    },
    'thread.open': ({ snapshot, preferCache }) => service.openThread(snapshot, preferCache),
    'thread.log': async ({ snapshot, providerMessageIds }) => ({
      messages: await service.logThread(snapshot, providerMessageIds),
    }),
    'contact.create': (input) => service.createContact(input),
    'outbox.retry': async ({ ids }) => ({ retried: await service.retryOutbox(ids) }),
    'options.open': async ({ route }) => {
      await platform.openOptionsPage(route);
      return {};
    },
    'gmail.config.get': async () => {
      const settings = await service.getSettings();
      return { inboxSdkAppId: settings.inboxSdkAppId, logComposeByDefault: settings.logComposeByDefault };
    },
    'gmail.sent.log': (sent) => service.logSentMessage(sent.message),
    'mailbox.connect': ({ provider }) => mailboxes.connect(provider),
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
