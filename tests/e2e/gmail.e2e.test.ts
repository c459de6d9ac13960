import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INBOXSDK_APP_ID } from '../../lib/mail/gmail/page/inboxSdkAppId';
import { contentScriptRuns } from './harness/contentScriptWorld';
import { sendExtensionMessage } from './harness/extensionMessages';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

/**
 * Gmail's real page cannot be reproduced offline, so this proves what can be proven: the
 * content script runs on https://mail.google.com/mail/u/0/, InboxSDK's page-world script
 * is injected through the background (MV3 way), and a page without Gmail's interface
 * leaves no panel and no console errors.
 */
describe('Gmail content script', () => {
  let env: E2eEnvironment;
  beforeAll(async () => {
    env = await startE2eEnvironment();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('loads InboxSDK with the shipped app id when none is configured (no set-up needed)', async () => {
    const page = await env.browser.newPage();
    const debug: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'debug') debug.push(m.text());
    });
    await page.goto('https://mail.google.com/mail/u/0/#inbox');
    await expect.poll(() => contentScriptRuns(page, env.browser.extensionId)).toBe(true);
    await expect
      .poll(
        () =>
          debug.filter((t) => t.includes(`InboxSDK app id from default: ${DEFAULT_INBOXSDK_APP_ID}`)).length,
        // The content script asks the background for its settings first (a cold service worker).
        { timeout: 15_000 },
      )
      .toBe(1);
    // InboxSDK started: its page-world script was injected through the background.
    await expect
      .poll(
        () => page.evaluate(() => (window as unknown as { __InboxSDKInjected?: boolean }).__InboxSDKInjected),
        { timeout: 20_000 },
      )
      .toBe(true);
    await page.close();
  });

  it('injects InboxSDK’s page-world script through the background and shows no panel off Gmail', async () => {
    const reply = await sendExtensionMessage(env.browser, 'settings.update', {
      patch: { inboxSdkAppId: 'sdk_e2e_fixture_0' },
    });
    expect(reply.ok).toBe(true);
    const page = await env.browser.newPage();
    const debug: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'debug') debug.push(m.text());
    });
    await page.goto('https://mail.google.com/mail/u/1/#inbox');
    await expect
      .poll(() => debug.some((t) => t.includes('InboxSDK app id from settings: sdk_e2e_fixture_0')))
      .toBe(true);
    await expect
      .poll(
        () => page.evaluate(() => (window as unknown as { __InboxSDKInjected?: boolean }).__InboxSDKInjected),
        {
          timeout: 20_000,
        },
      )
      .toBe(true);
    // Give InboxSDK time to look for Gmail's interface and fail to find it.
    await page.waitForTimeout(3_000);
    expect(await page.locator('[data-testid="crm-panel"]').count()).toBe(0);
    const errors = env.browser.pageErrors.filter((e) => e.startsWith('https://mail.google.com'));
    // InboxSDK asks Google's hosts for a few assets, which this closed network cannot
    // resolve; anything else (a thrown error, a storm of retries) is a failure.
    const unresolvedAssets = errors.filter((e) => e.includes('net::ERR_NAME_NOT_RESOLVED'));
    expect(errors.filter((e) => !unresolvedAssets.includes(e))).toEqual([]);
    expect(unresolvedAssets.length).toBeLessThanOrEqual(5);
    await page.close();
  });
});
