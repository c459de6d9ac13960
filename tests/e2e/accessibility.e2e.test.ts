import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../server/seed';
import { type AxeReport, axeReport } from './harness/axe';
import { configureCrm } from './harness/extensionMessages';
import { conversation, openOutlookConversation, withReply } from './harness/outlookConversations';
import { PANEL_HOST, panelFrame, panel as panelOf, panelPageFrame } from './harness/panelFrame';
import { type ReferenceCrm, startReferenceCrm } from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

const me = { name: SEED.demoUser.name, address: SEED.demoUser.email };
const alice = { name: SEED.contacts.primary.name, address: SEED.contacts.primary.email };
const stranger = { name: 'Noor Haddad', address: 'noor.haddad@unlisted-prospect.example' };

type Scheme = 'light' | 'dark';

/** What a check must show: no violation, contrast measured on real text, none left unmeasured. */
function expectClean(report: AxeReport): void {
  expect(report.violations).toEqual([]);
  expect(report.contrastUnmeasured).toEqual([]);
  expect(report.contrastChecked).toBeGreaterThan(0);
}

/**
 * axe-core checks of what the user sees, in the light and the dark colour scheme (the
 * system setting, emulated with page.emulateMedia): no serious or critical violation,
 * colour contrast (WCAG 2 AA, axe's color-contrast rule) measured and sufficient on every
 * text, and no text whose contrast axe could not measure.
 */
describe('accessibility (axe-core) of the panel, the options page and the popup, light and dark', () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;
  const figures: string[] = [];

  beforeAll(async () => {
    crm = await startReferenceCrm();
    // The shipped build: the panel is an extension page framed in the webmail page, and axe
    // runs in that frame (over DevTools, like Playwright's frame locators).
    env = await startE2eEnvironment();
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
  });
  afterAll(async () => {
    console.log(`colour contrast per view (axe color-contrast):\n  ${figures.join('\n  ')}`);
    await env?.close();
    await crm?.close();
  });

  async function pageIn(scheme: Scheme): Promise<Page> {
    const page = await env.browser.newPage();
    await page.emulateMedia({ colorScheme: scheme });
    return page;
  }

  async function check(label: string, page: Page | Frame, include?: string): Promise<void> {
    const report = await axeReport(page, include);
    figures.push(
      `${label}: ${report.contrastChecked} texts measured, ${report.contrastGlyphs} glyphs not judged`,
    );
    expectClean(report);
  }

  for (const scheme of ['light', 'dark'] as const) {
    // Outlook's own theme and the system's can differ: the panel follows Outlook's (the
    // dock reads the page), so each system scheme is checked against both page themes.
    for (const outlookDark of [false, true]) {
      it(`the panel with a contact card and an unknown sender (system ${scheme}, Outlook ${outlookDark ? 'dark' : 'light'})`, async () => {
        const page = await pageIn(scheme);
        await openOutlookConversation(page, [
          withReply(
            conversation(`CONV-AXE-${scheme}-${outlookDark}`, 'Accessibility check', alice, [me]),
            stranger,
            [me],
            {
              date: '2026-11-21T10:02:00Z',
            },
          ),
        ]);
        if (outlookDark)
          await page.evaluate(() =>
            (
              window as unknown as { __outlookFixture: { setDark(d: boolean): void } }
            ).__outlookFixture.setDark(true),
          );
        const panel = panelOf(page);
        await panel.getByRole('article', { name: SEED.contacts.primary.name }).waitFor({ timeout: 15_000 });
        await panel.getByRole('button', { name: 'Create contact' }).waitFor();
        if (outlookDark)
          await panelFrame(page).locator('.crm-dock[data-theme="dark"]').waitFor({ state: 'attached' });
        // Only the panel: the webmail page around it is not ours. The frame has a title (frame-title).
        expect(await page.locator(`${PANEL_HOST} > iframe`).getAttribute('title')).toBe('CRM sidebar');
        await check(
          `panel, system ${scheme}, Outlook ${outlookDark ? 'dark' : 'light'}`,
          await panelPageFrame(page),
        );
        await page.close();
      });
    }

    it(`the options page and the guided set-up (${scheme})`, async () => {
      const page = await pageIn(scheme);
      await page.goto(env.browser.extensionUrl('options.html'));
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Test connection' }).waitFor();
      await check(`options, ${scheme}`, page);
      await page.goto(env.browser.extensionUrl('options.html#setup/connect'));
      await page.getByRole('button', { name: 'Test connection' }).waitFor();
      await check(`set-up, ${scheme}`, page);
      await page.close();
    });

    it(`the popup (${scheme})`, async () => {
      const page = await pageIn(scheme);
      await page.goto(env.browser.extensionUrl('popup.html'));
      await page.getByTestId('version').waitFor();
      await check(`popup, ${scheme}`, page);
      await page.close();
    });
  }

  it('the panel saying the CRM cannot be reached (light and dark)', async () => {
    await crm.stop();
    try {
      for (const scheme of ['light', 'dark'] as const) {
        const page = await pageIn(scheme);
        // Someone never looked up before, so no cached answer can stand in for the CRM.
        const nobody = { name: `Offline ${scheme}`, address: `offline.${scheme}@unreached-crm.example` };
        await openOutlookConversation(page, [
          conversation(`CONV-AXE-DOWN-${scheme}`, 'CRM down', nobody, [me]),
        ]);
        await panelOf(page).getByRole('button', { name: 'Retry' }).waitFor({ timeout: 30_000 });
        await check(`panel, CRM unreachable, ${scheme}`, await panelPageFrame(page));
        await page.close();
      }
    } finally {
      await crm.restart();
    }
  });
});
