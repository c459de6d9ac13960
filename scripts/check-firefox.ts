/**
 * Loads the Firefox build (.output/firefox-mv3) into Debian's firefox-esr, headless, over
 * WebDriver BiDi (puppeteer-core; webExtension.install, https://w3c.github.io/webdriver-bidi/#module-webExtension),
 * which fails unless Firefox accepts the manifest and loads the add-on. The extension's own
 * pages cannot be opened from here: Firefox refuses BiDi navigation to moz-extension:// URLs
 * ("Navigation ... is not allowed in this context") and page scripts may not link to them,
 * so the popup and options pages are checked in Chromium (tests/e2e) only.
 *
 * The side panel is Firefox's sidebar (`sidebar_action`): the check makes sure the build declares
 * it with a page that exists and loads its script, and that Firefox installs the add-on with it
 * (an invalid `sidebar_action` fails the install). The sidebar's document itself cannot be
 * reached from here either: it lives in the browser's own window, not in a browsing context
 * BiDi lists, and `sidebarAction.open()` is refused outside a user action in the extension
 * (https://developer.mozilla.org/en-US/docs/Mozilla/Add-ons/WebExtensions/API/sidebarAction/open);
 * its rendering is the same page Chromium's side panel e2e test drives (tests/e2e/sidePanel.e2e.test.ts).
 * Usage: tsx scripts/check-firefox.ts [extension dir]
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import puppeteer from 'puppeteer-core';

const extensionDir = resolve(process.argv[2] ?? '.output/firefox-mv3');
const firefox = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const ADDON_ID = 'crm-sidebar@example.com';

/** The sidebar page the manifest declares, with the script it loads, both present in the build. */
function checkSidebar(): string {
  const manifest = JSON.parse(readFileSync(resolve(extensionDir, 'manifest.json'), 'utf8')) as {
    sidebar_action?: { default_panel?: string };
    commands?: Record<string, unknown>;
  };
  const panel = manifest.sidebar_action?.default_panel;
  if (!panel) throw new Error('The Firefox build declares no sidebar_action.default_panel');
  const html = readFileSync(resolve(extensionDir, panel), 'utf8');
  const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
  if (scripts.length === 0) throw new Error(`${panel} loads no script`);
  for (const src of scripts)
    if (!existsSync(resolve(extensionDir, src.replace(/^\//, ''))))
      throw new Error(`${panel} loads ${src}, which is not in the build`);
  if (!manifest.commands?._execute_sidebar_action)
    throw new Error('The Firefox build has no keyboard shortcut for the sidebar (_execute_sidebar_action)');
  return panel;
}

async function main(): Promise<void> {
  if (!existsSync(resolve(extensionDir, 'manifest.json'))) throw new Error(`No build at ${extensionDir}`);
  const sidebar = checkSidebar();
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
      `Firefox ${await browser.version()}: installed ${id} from ${extensionDir} with its sidebar ${sidebar} (${Date.now() - started} ms)`,
    );
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error('Firefox check failed:', error);
  process.exit(1);
});
