import type { FrameLocator, Locator, Page } from 'playwright-core';

/**
 * The CRM panel as a test (or the demo) finds it: an extension page framed by the content
 * script inside `<crm-sidebar-panel>`. Playwright enters the frame (another origin, another
 * process) through the DevTools protocol, which page script cannot; the page itself only
 * sees the iframe element.
 */
export const PANEL_HOST = 'crm-sidebar-panel';

export function panelFrame(page: Page): FrameLocator {
  return page.frameLocator(`${PANEL_HOST} > iframe`);
}

/** The panel's root section (data-testid="crm-panel"). */
export function panel(page: Page): Locator {
  return panelFrame(page).locator('[data-testid="crm-panel"]');
}

/** The Outlook dock around the panel (collapse, resize). */
export function panelDock(page: Page): Locator {
  return panelFrame(page).locator('.crm-dock');
}

/** The panel frame as a Playwright Frame (for evaluating in the panel page, axe, timings). */
export async function panelPageFrame(page: Page, timeout = 15_000) {
  const handle = await page.locator(`${PANEL_HOST} > iframe`).elementHandle({ timeout });
  const frame = await handle?.contentFrame();
  if (!frame) throw new Error('The CRM panel frame is not there');
  return frame;
}
