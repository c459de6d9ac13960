import type { Page } from 'playwright-core';
import type { ExtensionBrowser } from './launchExtensionBrowser';

/**
 * The side panel for a webmail tab, as an extension page pinned to it (`sidepanel.html?tab=<id>`
 * follows that tab as the browser's side panel follows the active one). The browser's own side
 * panel opens only at a person's gesture (toolbar, shortcut, the popup's button), which a test
 * or the headless demo cannot give. `origin`: the tab's webmail origin (one such tab is open).
 */
export async function openPinnedSidePanel(browser: ExtensionBrowser, origin: string): Promise<Page> {
  const tabId = await browser.serviceWorker.evaluate(async (o) => {
    const { chrome } = globalThis as unknown as {
      chrome: { tabs: { query(q: { url: string }): Promise<{ id?: number }[]> } };
    };
    const [tab] = await chrome.tabs.query({ url: `${o}/*` });
    return tab?.id ?? null;
  }, origin);
  if (tabId === null) throw new Error(`No tab of ${origin} is open for the side panel`);
  const side = await browser.newPage();
  await side.goto(browser.extensionUrl(`sidepanel.html?tab=${tabId}`));
  return side;
}
