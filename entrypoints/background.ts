// InboxSDK's MV3 half: injects pageWorld.js into Gmail tabs on request (its own listener).
import '@inboxsdk/core/background.js';
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import type { WebAuthFlow } from '../lib/auth/OAuthClient';
import type { CrmSidebarBackground } from '../lib/background/CrmSidebarBackground';
import { composeBackground } from '../lib/background/composeBackground';
import { ORG_SETTINGS_PERIOD_MINUTES } from '../lib/background/OrgSettingsSync';
import { ExtensionError } from '../lib/errors/ErrorInfo';
import { toErrorInfo } from '../lib/errors/toErrorInfo';
import { readGmailPagePeople } from '../lib/mail/gmail/page/readGmailPagePeople';
import { classifySender } from '../lib/messaging/classifySender';
import { MESSAGES } from '../lib/messaging/messages';
import { createRouter } from '../lib/messaging/router';
import { POLICY_REVISION_KEY } from '../lib/policy/policyRevision';
import { watchManagedStorage } from '../lib/policy/watchManagedStorage';
import { openCrmSidebarDb } from '../lib/store/db';

const OUTBOX_ALARM = 'outbox-drain';
const SYNC_ALARM = 'mailbox-sync';
const ORG_SETTINGS_ALARM = 'org-settings';
/** Declared in wxt.config.ts's `commands`. */
const OPEN_SIDE_PANEL_COMMAND = 'open-side-panel';

export default defineBackground({
  type: 'module',
  main() {
    const { service, mailboxes, settings, orgSettings, events, handlers } = composeBackground({
      db: openCrmSidebarDb(),
      version: browser.runtime.getManifest().version,
      webAuthFlow,
      sessionArea: browser.storage.session,
      scheduleOutboxDrain: async (at) => {
        if (at === null) await browser.alarms.clear(OUTBOX_ALARM);
        // Alarms, not timers: the service worker may be gone by then.
        else await browser.alarms.create(OUTBOX_ALARM, { when: Math.max(at, Date.now() + 1_000) });
      },
      openOptionsPage,
      // The browser reports a tab's URL for the webmail hosts the extension may read.
      tabUrl: async (target) => (await sidePanelTab(target))?.url ?? null,
      // The page reader runs in the tab's isolated world (host permission for mail.google.com).
      readGmailPage: async (target) => {
        const tab = await sidePanelTab(target);
        if (tab?.id === undefined) return null;
        const [frame] = await browser.scripting.executeScript({
          target: { tabId: tab.id },
          func: readGmailPagePeople,
        });
        return frame?.result ?? null;
      },
    });
    const route = createRouter(
      MESSAGES,
      handlers,
      toErrorInfo,
      // A message refused for its sender is somebody trying: recorded, never only answered.
      ({ type, sender, error }) =>
        void events
          .append('warn', 'message.refused', error.message, {
            type,
            context: sender.context,
            host: hostOf(sender.url),
            tabId: sender.tabId,
          })
          .catch((logError: unknown) => console.error('Recording a refused message failed', logError)),
    );
    // `chrome-extension://<id>/` (Chrome) or `moz-extension://<uuid>/` (Firefox), without the slash.
    const ownExtension = { id: browser.runtime.id, origin: browser.runtime.getURL('/').replace(/\/$/, '') };
    // A new install opens the guided set-up; updates and browser restarts do not.
    browser.runtime.onInstalled.addListener(({ reason }) => {
      if (reason !== 'install') return;
      void events.guard('setup', 'setup.open_failed', 'Opening the guided set-up', () =>
        openOptionsPage('#setup'),
      );
    });
    browser.runtime.onMessage.addListener((message, sender) => {
      // InboxSDK's own messages are answered by its listener; a second reply would race it.
      if (isInboxSdkMessage(message)) return undefined;
      return route(message, classifySender(sender, ownExtension));
    });
    // The side panel from the keyboard (Chrome and Edge; Firefox's sidebar has its own
    // `_execute_sidebar_action` command). A command is a user gesture, which sidePanel.open needs.
    browser.commands?.onCommand.addListener((command, tab) => {
      if (command !== OPEN_SIDE_PANEL_COMMAND || tab?.windowId === undefined) return;
      void events.guard('sidepanel', 'sidepanel.open_failed', 'Opening the side panel', () =>
        browser.sidePanel.open({ windowId: tab.windowId }),
      );
    });
    // Nobody awaits an alarm: whatever fails there is recorded, with its kind, for the popup.
    browser.alarms.onAlarm.addListener((alarm) => {
      if (alarm.name === OUTBOX_ALARM)
        return events.guard('outbox', 'outbox.drain.failed', 'Delivering logged emails to the CRM', () =>
          service.drainOutbox(),
        );
      if (alarm.name === ORG_SETTINGS_ALARM)
        return events.guard(
          'policy',
          'org_settings.failed',
          'Reading the organisation’s settings in the CRM',
          () => orgSettings.refresh(),
        );
      if (alarm.name === SYNC_ALARM)
        return events.guard('sync', 'sync.failed', 'Scheduled mailbox sync', () => mailboxes.syncAll());
      return undefined;
    });

    // The sync period follows the setting; re-created when it changes.
    let syncPeriod = 0;
    const scheduleSync = async () => {
      const { syncFrequencyMinutes } = await service.getSettings();
      if (syncFrequencyMinutes === syncPeriod) return;
      syncPeriod = syncFrequencyMinutes;
      await browser.alarms.create(SYNC_ALARM, { periodInMinutes: syncFrequencyMinutes, delayInMinutes: 1 });
    };
    settings.onChange((current) => {
      void events.guard('alarms', 'alarms.failed', 'Scheduling the mailbox sync', scheduleSync);
      // A new CRM connection: its organisation settings are read now, not at the next alarm.
      void events.guard(
        'policy',
        'org_settings.failed',
        'Reading the organisation’s settings in the CRM',
        () => orgSettings.refreshIfConnectionChanged(current),
      );
    });
    // Open options pages and popups read the policy again (components/shared/PolicyContext.tsx).
    settings.onOrganisationChange(
      () =>
        void events.guard('policy', 'policy.notify_failed', 'Telling open pages the policy changed', () =>
          browser.storage.session.set({ [POLICY_REVISION_KEY]: Date.now() }),
        ),
    );

    // The organisation's policy (storage.managed), applied now and whenever it changes.
    watchManagedStorage(browser.storage, settings, events);

    // A worker woken after being killed resumes whatever was in flight.
    void events.guard('startup', 'startup.failed', 'Starting the extension', async () => {
      await preconfigureDevCrm(service);
      await scheduleSync();
      await browser.alarms.create(ORG_SETTINGS_ALARM, { periodInMinutes: ORG_SETTINGS_PERIOD_MINUTES });
      await orgSettings.restore();
      await events.guard(
        'policy',
        'org_settings.failed',
        'Reading the organisation’s settings in the CRM',
        () => orgSettings.refresh(),
      );
      await service.drainOutbox();
    });
  },
});

/** The tab the side panel shows: the pinned one, or the active tab of its window. */
async function sidePanelTab({
  windowId,
  tabId,
}: {
  windowId: number | null;
  tabId: number | null;
}): Promise<{ id?: number; url?: string } | undefined> {
  if (tabId !== null) return browser.tabs.get(tabId);
  const [tab] = await browser.tabs.query(
    windowId === null ? { active: true, lastFocusedWindow: true } : { active: true, windowId },
  );
  return tab;
}

const webAuthFlow: WebAuthFlow = {
  getRedirectUrl: () => browser.identity.getRedirectURL(),
  launch: async (url, options) => {
    // Not interactive (a silent renewal): Chrome shows nothing and rejects if the page needs the user.
    const interactive = options?.interactive ?? true;
    // Chrome rejects when the user closes the window ("The user did not approve access."),
    // Firefox resolves without a URL; both mean the user stopped, not that something broke.
    const redirect = await browser.identity
      .launchWebAuthFlow({ url, interactive })
      .catch((error: unknown) => {
        if (interactive && error instanceof Error && /did not approve|closed|cancel/i.test(error.message))
          return undefined;
        throw error;
      });
    if (!redirect) throw new ExtensionError('cancelled', 'The sign-in window was closed before it finished.');
    return redirect;
  },
};

/** The options page at a view (`#setup/connect`); without one, the browser's own options tab. */
async function openOptionsPage(route?: string): Promise<void> {
  if (!route) return browser.runtime.openOptionsPage();
  await browser.tabs.create({ url: `${browser.runtime.getURL('/options.html')}${route}` });
}

/** `npm start` passes the local reference CRM; only fills an empty connection. */
async function preconfigureDevCrm(service: CrmSidebarBackground): Promise<void> {
  const baseUrl = import.meta.env.WXT_DEV_CRM_BASE_URL as string | undefined;
  const token = import.meta.env.WXT_DEV_CRM_TOKEN as string | undefined;
  if (!baseUrl || !token) return;
  const settings = await service.getSettings();
  if (settings.crm.baseUrl) return;
  await service.updateSettings({ crm: { type: 'rest', baseUrl, token } });
}

function hostOf(url: string | undefined): string | null {
  try {
    return url ? new URL(url).host : null;
  } catch {
    return null;
  }
}

function isInboxSdkMessage(message: unknown): boolean {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.startsWith('inboxsdk__');
}
