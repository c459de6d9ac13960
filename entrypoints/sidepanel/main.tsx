import { createRoot } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { createPanelApiFromMessaging } from '../../components/panel/PanelApi';
import { SidePanelApp, type SidePanelHost } from '../../components/panel/SidePanelApp';
import { sendToBackground } from '../../lib/platform/runtime';

// The browser's side panel (Chrome's side_panel, Firefox's sidebar_action): the shared panel
// for the active tab's thread, read through the mailbox API by the background.
const api = createPanelApiFromMessaging(sendToBackground, browser.storage.local);
// `?tab=<id>`: a panel opened in its own window for one tab follows that tab, not the window's.
const pinnedTab = Number(new URLSearchParams(location.search).get('tab')) || null;
const windowId = browser.windows.getCurrent().then((w) => w.id ?? null);

const host: SidePanelHost = {
  thread: async () =>
    sendToBackground('sidepanel.thread', {
      windowId: pinnedTab === null ? await windowId : null,
      tabId: pinnedTab,
    }),
  onActiveTabChange(listener) {
    const activated = ({ windowId: changed }: { windowId: number }) =>
      void windowId.then((mine) =>
        pinnedTab === null && (mine === null || mine === changed) ? listener() : undefined,
      );
    // The address of a webmail tab is visible to the extension (its host permissions).
    const updated = (tabId: number, change: { url?: string }, tab: { active: boolean }) => {
      if (change.url && (pinnedTab === null ? tab.active : tabId === pinnedTab)) listener();
    };
    browser.tabs.onActivated.addListener(activated);
    browser.tabs.onUpdated.addListener(updated);
    return () => {
      browser.tabs.onActivated.removeListener(activated);
      browser.tabs.onUpdated.removeListener(updated);
    };
  },
  openOptions: async (route) => {
    await sendToBackground('options.open', route ? { route } : {});
  },
};

createRoot(document.getElementById('root')!).render(<SidePanelApp api={api} host={host} />);
