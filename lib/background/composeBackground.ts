import { SyncAuditService } from '../audit/SyncAuditService';
import { dexieTokenStore } from '../auth/dexieTokenStore';
import type { WebAuthFlow } from '../auth/OAuthClient';
import { type SessionArea, sessionAccessTokenStore } from '../auth/sessionAccessTokenStore';
import type { CrmConnector } from '../crm/CrmConnector';
import { CrmSignIn } from '../crm/CrmSignIn';
import { type CrmConnectorDeps, createCrmConnector } from '../crm/createCrmConnector';
import type { Messages } from '../messaging/messages';
import type { Handlers } from '../messaging/router';
import type { CrmConnection } from '../settings/Settings';
import type { CrmSidebarDb } from '../store/db';
import { EventLog } from '../store/EventLog';
import { BackgroundCore } from './BackgroundCore';
import { CrmSidebarBackground } from './CrmSidebarBackground';
import { createBackgroundHandlers } from './createBackgroundHandlers';
import { MailboxService, type MailboxServiceOptions } from './MailboxService';
import { OrgSettingsSync } from './OrgSettingsSync';
import { PageHealthService } from './PageHealthService';
import { SettingsService } from './SettingsService';
import { SidePanelThreadService } from './SidePanelThreadService';

/** What the browser gives the background; tests pass fakes. */
export interface BackgroundPlatform {
  db: CrmSidebarDb;
  version: string;
  /** `browser.identity`. */
  webAuthFlow: WebAuthFlow;
  /** `browser.storage.session`: access tokens live in memory only. */
  sessionArea: SessionArea;
  /** Wakes the background at `at` (ms) to deliver the outbox (an alarm); null cancels. */
  scheduleOutboxDrain(at: number | null): Promise<void>;
  /** Opens the options page at an address hash (`#setup/connect`), or the browser's own options tab. */
  openOptionsPage(route?: string): Promise<void>;
  /**
   * The URL of a tab, for the side panel: the one named, else the active tab of the window
   * (null: the last focused window).
   */
  tabUrl?(target: { windowId: number | null; tabId: number | null }): Promise<string | null>;
  /**
   * Runs lib/mail/gmail/page/readGmailPagePeople in that tab and answers what it returned
   * (unparsed): the side panel's fallback for Gmail when no Gmail mailbox is connected.
   */
  readGmailPage?(target: { windowId: number | null; tabId: number | null }): Promise<unknown>;
  now?: () => number;
  /** Tests: the connector for a connection, given the sign-ins' token sources. */
  createConnector?: (crm: CrmConnection, tokens: CrmConnectorDeps) => CrmConnector;
  /** Tests: provider API bases, OAuth endpoints and `fetch` of the mailbox services. */
  mailboxOptions?: Pick<
    MailboxServiceOptions,
    'apiBaseUrls' | 'oauthEndpoints' | 'fetch' | 'allowInsecureOAuth'
  >;
}

export type ComposedBackground = ReturnType<typeof composeBackground>;

/**
 * The background's composition root: every service built once, in dependency order, each
 * given what it needs when it is built (no service is patched in later). The entrypoint
 * only wires browser events to what this returns.
 *
 * settings, event log -> CRM sign-ins -> connector factory -> core (session, stores,
 * outbox) -> mailboxes (sync) -> background (panel, popup, options) -> audit -> handlers.
 */
export function composeBackground(platform: BackgroundPlatform) {
  const { db, webAuthFlow } = platform;
  const now = platform.now ?? Date.now;
  const settings = new SettingsService(db, now);
  const events = new EventLog(db, { now });
  // Access tokens live in memory only; refresh tokens in the extension's database.
  const tokenStore = sessionAccessTokenStore(dexieTokenStore(db), platform.sessionArea);
  // Every vendor's sign-in, from the vendor table; each connector gets its vendor's tokens.
  const signIns = new CrmSignIn({
    settings,
    webAuthFlow,
    sessionArea: platform.sessionArea,
    tokens: tokenStore,
    now,
  });
  const connectorFor = platform.createConnector ?? createCrmConnector;
  const core = new BackgroundCore({
    db,
    settings,
    events,
    now,
    createConnector: (crm) => connectorFor(crm, signIns.connectorDeps(crm)),
    scheduleOutboxDrain: (at) =>
      void events.guard('alarms', 'alarms.failed', 'Scheduling the next delivery', () =>
        platform.scheduleOutboxDrain(at),
      ),
  });
  // The CRM's organisation settings, applied by the settings service under a locked policy.
  const orgSettings = new OrgSettingsSync({ db, settings, sessions: core.sessions, now });
  const mailboxes = new MailboxService({
    ...platform.mailboxOptions,
    db,
    background: core,
    tokenStore,
    webAuthFlow,
    now,
  });
  const sidePanel = new SidePanelThreadService({ db, mailboxApi: (id) => mailboxes.mailboxApi(id) });
  const pageHealth = new PageHealthService({ store: platform.sessionArea, events, now });
  const service = new CrmSidebarBackground({ core, version: platform.version, mailboxes, pageHealth });
  const audits = new SyncAuditService({
    db,
    background: core,
    mailboxApi: (id) => mailboxes.mailboxApi(id),
    now,
  });
  const handlers: Handlers<Messages> = createBackgroundHandlers({
    service,
    mailboxes,
    audits,
    signIns,
    pageHealth,
    sidePanelThread: async (target) => {
      const readGmailPage = platform.readGmailPage;
      return sidePanel.threadFor(
        (await platform.tabUrl?.(target)) ?? null,
        readGmailPage ? () => readGmailPage(target) : undefined,
      );
    },
    openOptionsPage: (route) => platform.openOptionsPage(route),
  });
  return {
    settings,
    orgSettings,
    events,
    core,
    service,
    mailboxes,
    audits,
    signIns,
    pageHealth,
    handlers,
  };
}
