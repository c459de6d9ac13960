/**
 * The browser's side panel, as the extension pages (popup, options) reach it: Chrome and Edge
 * have `chrome.sidePanel` (Chrome 114+, https://developer.chrome.com/docs/extensions/reference/api/sidePanel),
 * Firefox has `sidebarAction` (https://developer.mozilla.org/en-US/docs/Mozilla/Add-ons/WebExtensions/API/sidebarAction).
 * Both open only "in response to a user action", so `open` must be the first thing a click
 * handler does: nothing may be awaited before it (the window id is read ahead, when the page loads).
 */
export interface BrowserSidePanel {
  open(): Promise<void>;
}

interface ChromeSidePanelApi {
  open(options: { windowId: number }): Promise<void>;
}
interface FirefoxSidebarActionApi {
  open(): Promise<void>;
}
interface WindowsApi {
  getCurrent(): Promise<{ id?: number }>;
}

export interface SidePanelGlobals {
  chrome?: { sidePanel?: ChromeSidePanelApi; windows?: WindowsApi };
  browser?: { sidebarAction?: FirefoxSidebarActionApi };
}

/** The side panel of the window this page is in, or null where the browser has none. */
export function browserSidePanel(
  globals: SidePanelGlobals = globalThis as SidePanelGlobals,
): BrowserSidePanel | null {
  const sidebarAction = globals.browser?.sidebarAction;
  // Firefox first: it also defines a `chrome` namespace, without sidePanel.
  if (sidebarAction?.open) return { open: () => sidebarAction.open() };
  const sidePanel = globals.chrome?.sidePanel;
  const windows = globals.chrome?.windows;
  if (!sidePanel?.open || !windows) return null;
  let windowId: number | null = null;
  const known = windows.getCurrent().then((w) => {
    windowId = w.id ?? null;
    return windowId;
  });
  return {
    async open() {
      // Synchronously within the click when the id is known (it is, a moment after load).
      if (windowId !== null) return sidePanel.open({ windowId });
      const id = await known;
      if (id === null) throw new Error('This window has no id, so its side panel cannot be opened.');
      return sidePanel.open({ windowId: id });
    },
  };
}
