import type { Page } from 'playwright-core';

/**
 * Playwright cannot answer the browser's own permission prompt of permissions.request
 * (https://github.com/microsoft/playwright/issues/32755), so in this tab only the prompt is
 * answered "Allow", and every origin asked for is recorded (`askedOrigins`).
 */
export async function answerPermissionPromptsWithAllow(page: Page): Promise<void> {
  await page.evaluate(() => {
    const asked: string[] = [];
    const w = window as unknown as {
      __permissionRequests: string[];
      chrome: {
        permissions: { request: (p: { origins?: string[] }, cb?: (ok: boolean) => void) => unknown };
      };
    };
    w.__permissionRequests = asked;
    w.chrome.permissions.request = (permissions, callback) => {
      asked.push(...(permissions.origins ?? []));
      callback?.(true);
      return Promise.resolve(true);
    };
  });
}

/** The origins the tab asked for since answerPermissionPromptsWithAllow. */
export function askedOrigins(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __permissionRequests: string[] }).__permissionRequests);
}
