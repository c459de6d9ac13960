import type { Page } from 'playwright-core';
import type { ExtensionBrowser } from './launchExtensionBrowser';

/**
 * Sends a runtime message to the background from an extension page, the way the
 * options page does, and returns the raw reply envelope.
 */
export async function sendExtensionMessage(
  browser: ExtensionBrowser,
  type: string,
  payload: unknown,
  page?: Page,
): Promise<{ ok: boolean; data?: unknown; error?: { kind: string; message: string } }> {
  const own = page ?? (await browser.newPage());
  try {
    if (!own.url().startsWith('chrome-extension://')) await own.goto(browser.extensionUrl('popup.html'));
    return await own.evaluate(
      ([t, p]) =>
        (
          globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<never> } } }
        ).chrome.runtime.sendMessage({ type: t, payload: p }),
      [type, payload] as const,
    );
  } finally {
    if (!page) await own.close();
  }
}

export async function configureCrm(browser: ExtensionBrowser, baseUrl: string, token: string): Promise<void> {
  const reply = await sendExtensionMessage(browser, 'settings.update', {
    patch: { crm: { type: 'rest', baseUrl, token } },
  });
  if (!reply.ok) throw new Error(`settings.update failed: ${JSON.stringify(reply.error)}`);
}
