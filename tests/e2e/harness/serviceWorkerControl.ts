import type { CDPSession, Page } from 'playwright-core';
import type { ExtensionBrowser } from './launchExtensionBrowser';

interface WorkerVersion {
  versionId: string;
  scriptURL: string;
  runningStatus: 'stopped' | 'starting' | 'running' | 'stopping';
}

export interface ServiceWorkerControl {
  /** Stops the extension's service worker now (DevTools ServiceWorker.stopWorker) and waits until it is stopped. */
  stop(): Promise<void>;
  /** Times the worker was seen stopping (ours and the browser's own). */
  readonly stopsSeen: number;
  /** Times the worker was seen starting. */
  readonly startsSeen: number;
  readonly runningStatus: string;
  detach(): Promise<void>;
}

/**
 * The DevTools protocol's ServiceWorker domain on a page-level session of the extension's
 * own page: it reports the worker's versions and stops it like chrome://serviceworker-internals
 * "Stop" (the way Chromium ends an idle MV3 worker: no more events, timers and in-flight
 * fetches die with it). A runtime message from any extension page starts it again.
 */
export async function controlServiceWorker(
  browser: ExtensionBrowser,
  page: Page,
): Promise<ServiceWorkerControl> {
  const cdp: CDPSession = await browser.context.newCDPSession(page);
  const prefix = `chrome-extension://${browser.extensionId}/`;
  let current: WorkerVersion | null = null;
  let stopsSeen = 0;
  let startsSeen = 0;
  cdp.on('ServiceWorker.workerVersionUpdated', (event: { versions: WorkerVersion[] }) => {
    for (const version of event.versions) {
      if (!version.scriptURL.startsWith(prefix)) continue;
      const before = current?.runningStatus;
      current = version;
      if (version.runningStatus === 'stopped' && before !== 'stopped') stopsSeen++;
      if (version.runningStatus === 'running' && before !== 'running') startsSeen++;
    }
  });
  await cdp.send('ServiceWorker.enable');
  const waitFor = async (test: () => boolean, what: string) => {
    const deadline = Date.now() + 15_000;
    while (!test()) {
      if (Date.now() > deadline)
        throw new Error(`service worker: ${what} (status ${current?.runningStatus})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await waitFor(() => current !== null, 'no version reported');
  return {
    async stop() {
      // An event (a message from the page, an alarm) can wake the worker again as it stops, so the
      // stop is asked again each second until the worker is seen stopped.
      const deadline = Date.now() + 15_000;
      // A function, not the narrowed variable: the CDP listener above changes `current`.
      const status = (): string | undefined => current?.runningStatus;
      while (status() !== 'stopped') {
        if (Date.now() > deadline)
          throw new Error(`service worker: did not stop (status ${current?.runningStatus})`);
        await cdp.send('ServiceWorker.stopWorker', { versionId: current!.versionId });
        const retryAt = Date.now() + 1_000;
        while (status() !== 'stopped' && Date.now() < retryAt) await new Promise((r) => setTimeout(r, 20));
      }
    },
    get stopsSeen() {
      return stopsSeen;
    },
    get startsSeen() {
      return startsSeen;
    },
    get runningStatus() {
      return current?.runningStatus ?? 'unknown';
    },
    async detach() {
      await cdp.detach().catch(() => undefined);
    },
  };
}
