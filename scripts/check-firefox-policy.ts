/**
 * Proves that firefox-esr hands an organisation's policies.json `3rdparty` values to the
 * installed add-on and that its background applies them: writes
 * /etc/firefox/policies/policies.json (the system-wide file Firefox reads on Linux,
 * https://extensionworkshop.com/documentation/enterprise/enterprise-development/; the
 * `3rdparty` → `Extensions` → add-on id form is https://mozilla.github.io/policy-templates/#3rdparty),
 * starts Firefox headless over WebDriver BiDi (puppeteer-core), installs the Firefox build,
 * and reads the options page the add-on opens on install (`runtime.onInstalled`): it shows
 * "Managed by <organisation>" only when the background read `storage.managed` and answered
 * `policy.get` with it. The policy file is removed afterwards whatever happened; an
 * existing one is put back as it was. Writing under /etc needs root, as in CI.
 * Usage: tsx scripts/check-firefox-policy.ts [extension dir]
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const extensionDir = resolve(process.argv[2] ?? '.output/firefox-mv3');
const firefox = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const ADDON_ID = 'crm-sidebar@example.com';
const POLICY_FILE = '/etc/firefox/policies/policies.json';
const TIMEOUT_MS = 60_000;

/** A name no earlier run used, so an old page or cached value cannot pass the check. */
const organisationName = `Firefox Policy Check ${randomUUID().slice(0, 8)}`;

const policies = {
  policies: {
    '3rdparty': {
      Extensions: {
        [ADDON_ID]: {
          organisationName,
          crmType: 'rest',
          crmBaseUrl: 'https://crm.example.com',
          privacyLevel: 'metadata',
          lockedSettings: ['crmType', 'crmBaseUrl', 'privacyLevel'],
        },
      },
    },
  },
};

/**
 * The text of the add-on's options tab. Measured with firefox-esr 153.8: BiDi reports the tab's
 * URL as about:blank (the page URL puppeteer knows is the tab's first one), but the page's own
 * `location` says moz-extension://…/options.html, and its text can be read.
 */
async function optionsText(browser: Browser): Promise<string | null> {
  for (const page of (await browser.pages()) as Page[]) {
    const { href, text } = await page.evaluate(() => ({
      href: location.href,
      text: document.body?.innerText ?? '',
    }));
    if (href.startsWith('moz-extension://') && href.includes('/options.html')) return text;
  }
  return null;
}

async function main(): Promise<void> {
  if (!existsSync(resolve(extensionDir, 'manifest.json'))) throw new Error(`No build at ${extensionDir}`);
  const previous = existsSync(POLICY_FILE) ? await readFile(POLICY_FILE) : null;
  const createdDir = !existsSync(dirname(POLICY_FILE));
  await mkdir(dirname(POLICY_FILE), { recursive: true });
  await writeFile(POLICY_FILE, JSON.stringify(policies, null, 2));
  const started = Date.now();
  let browser: Browser | null = null;
  try {
    browser = await puppeteer.launch({ browser: 'firefox', executablePath: firefox, headless: true });
    const id = await browser.installExtension(extensionDir);
    if (id !== ADDON_ID) throw new Error(`Firefox installed ${id}, expected ${ADDON_ID}`);
    let text: string | null = null;
    while (Date.now() - started < TIMEOUT_MS) {
      text = await optionsText(browser).catch((error: unknown) => `(unreadable: ${String(error)})`);
      if (text?.includes(`Managed by ${organisationName}.`)) break;
      await new Promise((done) => setTimeout(done, 500));
    }
    if (!text?.includes(`Managed by ${organisationName}.`))
      throw new Error(`The add-on did not show the policy within ${TIMEOUT_MS} ms; its page said: ${text}`);
    console.log(
      `Firefox ${await browser.version()}: ${ADDON_ID} read ${POLICY_FILE} (3rdparty) and shows “Managed by ${organisationName}.” (${Date.now() - started} ms)`,
    );
  } finally {
    await browser?.close();
    // No policy file is left behind: the one found is put back, or none.
    if (previous) await writeFile(POLICY_FILE, previous);
    else {
      await rm(POLICY_FILE, { force: true });
      if (createdDir) await rmdir(dirname(POLICY_FILE)).catch(() => undefined);
      if (createdDir) await rmdir(dirname(dirname(POLICY_FILE))).catch(() => undefined);
    }
  }
}

main().catch((error: unknown) => {
  console.error('Firefox policy check failed:', error);
  process.exit(1);
});
