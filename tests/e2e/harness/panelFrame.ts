import type { FrameLocator, Locator, Page } from 'playwright-core';
import { MIN_VISIBLE_MS } from '../../../components/panel/PanelClickGuard';

/**
 * The CRM panel as a test (or the demo) finds it: an extension page framed by the content
 * script inside `<crm-sidebar-panel>`. Playwright enters the frame (another origin, another
 * process) through the DevTools protocol, which page script cannot; the page itself only
 * sees the iframe element.
 */
export const PANEL_HOST = 'crm-sidebar-panel';

/**
 * A person looks at the panel before clicking in it; Playwright clicks the moment a button is
 * actionable. The panel refuses a click on a panel that has been visible for less than
 * MIN_VISIBLE_MS (components/panel/PanelClickGuard.ts: a decoy pulled away just before the click),
 * so a click on anything inside the panel frame first waits that long after the target shows.
 * Clicks elsewhere are untouched.
 */
const SETTLE_BEFORE_PANEL_CLICK_MS = MIN_VISIBLE_MS + 150;
let clicksSettled = false;
function settlePanelClicks(locator: Locator): void {
  if (clicksSettled) return;
  clicksSettled = true;
  const proto = Object.getPrototypeOf(locator) as {
    click: (this: Locator, options?: Parameters<Locator['click']>[0]) => Promise<void>;
  };
  const click = proto.click;
  proto.click = async function (this: Locator, options) {
    if (String(this).includes(`${PANEL_HOST} > iframe`)) {
      await this.waitFor({ state: 'visible', timeout: options?.timeout });
      await new Promise((resolve) => setTimeout(resolve, SETTLE_BEFORE_PANEL_CLICK_MS));
    }
    return click.call(this, options);
  };
}

export function panelFrame(page: Page): FrameLocator {
  const frame = page.frameLocator(`${PANEL_HOST} > iframe`);
  settlePanelClicks(frame.locator('body'));
  return frame;
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
