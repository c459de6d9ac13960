import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentScriptRuns } from './harness/contentScriptWorld';
import { panel } from './harness/panelFrame';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

describe('the built extension in Chromium', () => {
  let env: E2eEnvironment;
  beforeAll(async () => {
    env = await startE2eEnvironment();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('starts its service worker', async () => {
    expect(env.browser.serviceWorker.url()).toMatch(/^chrome-extension:\/\/[a-p]{32}\/background\.js$/);
    const version = await env.browser.serviceWorker.evaluate(
      () =>
        (
          globalThis as unknown as { chrome: { runtime: { getManifest(): { version: string } } } }
        ).chrome.runtime.getManifest().version,
    );
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('frames the panel page (an extension page) on an Outlook reading page', async () => {
    const page = await env.browser.newPage();
    await page.goto(
      'https://outlook.office.com/mail/inbox/id/AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQAPnHs',
    );
    const host = page.locator('crm-sidebar-panel');
    await expect.poll(() => host.count(), { timeout: 15_000 }).toBe(1);
    // The page sees an iframe of the extension's origin, nothing of what it shows.
    expect(await host.locator('iframe').getAttribute('src')).toBe(env.browser.extensionUrl('panel.html'));
    await panel(page).waitFor({ state: 'attached', timeout: 15_000 });
    await page.close();
  });

  it('runs the Gmail content script on mail.google.com', async () => {
    const page = await env.browser.newPage();
    await page.goto('https://mail.google.com/mail/u/0/#inbox');
    await expect.poll(() => contentScriptRuns(page, env.browser.extensionId), { timeout: 15_000 }).toBe(true);
    await page.close();
  });

  it('opens the popup and shows the version and connection state', async () => {
    const page = await env.browser.newPage();
    await page.goto(env.browser.extensionUrl('popup.html'));
    await expect.poll(() => page.getByTestId('version').textContent()).toMatch(/Version \d+\.\d+\.\d+/);
    expect(await page.getByTestId('crm-state').textContent()).toBeTruthy();
    await page.close();
  });

  it('opens the options page', async () => {
    const page = await env.browser.newPage();
    await page.goto(env.browser.extensionUrl('options.html'));
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('settings');
    await page.close();
  });
});
