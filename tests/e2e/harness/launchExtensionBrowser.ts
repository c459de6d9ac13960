import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright-core';
import { CHROMIUM_INSTALL_HINT, chromiumPath } from './chromium';

/** The shipped Chrome build (`wxt build`): what the e2e suites, the demo and the benchmarks load. */
export const SHIPPED_BUILD_DIR = resolve(import.meta.dirname, '../../../.output/chrome-mv3');

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  serviceWorker: Worker;
  /** Console errors and uncaught page errors seen in any page, for "no console errors" checks. */
  pageErrors: string[];
  /**
   * The tab the extension opens on install (the guided set-up), or null if none came
   * within 10 s. Closed at once unless the launch asked to keep it.
   */
  firstRunPage: Promise<Page | null>;
  extensionUrl(path: string): string;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** host -> "127.0.0.1:port" */
  hostMap: Record<string, string>;
  spkiHash?: string;
  /** Load this unpacked extension instead of the build (e.g. a copy with a manifest key, for a fixed id). */
  extensionDir?: string;
  /** Default true; false shows the window (needs a display). */
  headless?: boolean;
  /** Keep the guided set-up tab the extension opens on install (default: it is closed). */
  keepFirstRunTab?: boolean;
  viewport?: { width: number; height: number } | null;
}

/**
 * Debian Chromium with the built extension loaded into a throwaway profile, webmail and
 * provider hosts resolved to local servers. The flags that stop background networking
 * matter here: without them Chromium hammers the closed network at every start.
 */
export async function launchExtensionBrowser(options: LaunchOptions): Promise<ExtensionBrowser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(`Chromium not found: install it with \`${CHROMIUM_INSTALL_HINT}\``);
  const profile = await mkdtemp(join(tmpdir(), 'crm-sidebar-e2e-'));
  const rules = Object.entries(options.hostMap)
    .map(([host, target]) => `MAP ${host} ${target}`)
    .concat('EXCLUDE 127.0.0.1')
    .join(', ');
  const extensionDir = options.extensionDir ?? SHIPPED_BUILD_DIR;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: options.headless ?? true,
    viewport: options.viewport === undefined ? { width: 1400, height: 900 } : options.viewport,
    args: [
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      `--host-resolver-rules=${rules}`,
      ...(options.spkiHash ? [`--ignore-certificate-errors-spki-list=${options.spkiHash}`] : []),
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
    ],
  });
  const pageErrors: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`${page.url()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  const serviceWorker = await findServiceWorker(context);
  const extensionId = new URL(serviceWorker.url()).host;
  const firstRunPage = findFirstRunPage(context, extensionId);
  if (!options.keepFirstRunTab) void firstRunPage.then((page) => page?.close().catch(() => undefined));
  return {
    context,
    extensionId,
    serviceWorker,
    pageErrors,
    firstRunPage,
    extensionUrl: (path) => `chrome-extension://${extensionId}/${path.replace(/^\//, '')}`,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** runtime.onInstalled opens options.html#setup in a tab of its own, shortly after the worker starts. */
async function findFirstRunPage(context: BrowserContext, extensionId: string): Promise<Page | null> {
  const url = `chrome-extension://${extensionId}/options.html#setup`;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const page = context.pages().find((p) => p.url() === url);
    if (page) return page;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

/** The worker may register before or after we look, so both the list and the event are watched. */
async function findServiceWorker(context: BrowserContext): Promise<Worker> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const worker = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'));
    if (worker) return worker;
    await context.waitForEvent('serviceworker', { timeout: 500 }).catch(() => undefined);
  }
  throw new Error('The extension service worker did not start within 30 s (is .output/chrome-mv3 built?)');
}
