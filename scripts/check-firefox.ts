/**
 * Loads the Firefox build (.output/firefox-mv3) into Debian's firefox-esr, headless, over
 * WebDriver BiDi (puppeteer-core; webExtension.install, https://w3c.github.io/webdriver-bidi/#module-webExtension),
 * which fails unless Firefox accepts the manifest and loads the add-on. The extension's own
 * pages cannot be opened from here: Firefox refuses BiDi navigation to moz-extension:// URLs
 * ("Navigation ... is not allowed in this context") and page scripts may not link to them,
 * so the popup and options pages are checked in Chromium (tests/e2e) only.
 * Usage: tsx scripts/check-firefox.ts [extension dir]
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import puppeteer from 'puppeteer-core';

const extensionDir = resolve(process.argv[2] ?? '.output/firefox-mv3');
const firefox = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const ADDON_ID = 'crm-sidebar@example.com';

async function main(): Promise<void> {
  if (!existsSync(resolve(extensionDir, 'manifest.json'))) throw new Error(`No build at ${extensionDir}`);
  const started = Date.now();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefox,
    headless: true,
  });
  try {
    const id = await browser.installExtension(extensionDir);
    if (id !== ADDON_ID) throw new Error(`Firefox installed ${id}, expected ${ADDON_ID}`);
    console.log(
      `Firefox ${await browser.version()}: installed ${id} from ${extensionDir} (${Date.now() - started} ms)`,
    );
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error('Firefox check failed:', error);
  process.exit(1);
});
