import * as InboxSDK from '@inboxsdk/core';
import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import type { PageHealthSignal } from '../../lib/health/PageIntegrationHealth';
import { isGmailThreadUrl, ThreadReadWatchdog } from '../../lib/health/ThreadReadWatchdog';
import { startGmailComposeLogger } from '../../lib/mail/gmail/page/GmailComposeLogger';
import { startGmailThreadAdapter } from '../../lib/mail/gmail/page/GmailThreadAdapter';
import { startGmailThreadRowMarker } from '../../lib/mail/gmail/page/GmailThreadRowMarker';
import type { GmailContentConfig } from '../../lib/mail/gmail/page/gmailMessages';
import { resolveInboxSdkAppId } from '../../lib/mail/gmail/page/inboxSdkAppId';
import { parseGmailAccountUrl } from '../../lib/mail/gmail/page/parseGmailAccountUrl';
import {
  createOriginalMessageIdReader,
  INBOXSDK_IK_ATTRIBUTE,
} from '../../lib/mail/gmail/page/readOriginalMessageId';
import { pageProofContext } from '../../lib/platform/PageProofContext';
import type { PANEL_FRAME_PATH } from '../../lib/platform/panelFrameProtocol';
import { sendToBackground } from '../../lib/platform/runtime';
import { createGmailPanelHost } from './GmailPanelHost';

const LOG_PREFIX = '[CRM sidebar]';
// InboxSDK's load() never settles on a page where it finds no Gmail (it does not reject),
// so "not found" is a timeout that only ever prints once.
const GMAIL_NOT_FOUND_AFTER_MS = 30_000;
/** A small inline icon: a data URL needs no web_accessible_resources entry. */
const PANEL_ICON_URL = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect x="2" y="4" width="20" height="16" rx="3" fill="#1a73e8"/><circle cx="9" cy="11" r="3" fill="#fff"/><path d="M4.5 18c.8-2.6 2.5-4 4.5-4s3.7 1.4 4.5 4z" fill="#fff"/><path d="M15 9h5M15 12h5M15 15h3" stroke="#fff" stroke-width="1.5"/></svg>',
)}`;

/** The background's settings; the background may not answer yet (then the defaults). */
async function readConfig(): Promise<GmailContentConfig> {
  try {
    return await sendToBackground('gmail.config.get', {});
  } catch {
    return { inboxSdkAppId: '', logComposeByDefault: true };
  }
}

/** Same-origin GET with the user's Gmail cookies; Firefox needs the page's own fetch for that. */
function pageFetch(url: string): Promise<{ status: number; text: string }> {
  const pageWindow = (globalThis as { content?: { fetch?: typeof fetch } }).content;
  const fetchInPage = pageWindow?.fetch?.bind(pageWindow) ?? fetch;
  return fetchInPage(url, { credentials: 'include' }).then(async (r) => ({
    status: r.status,
    text: await r.text(),
  }));
}

export default defineContentScript({
  matches: ['https://mail.google.com/mail/*'],
  runAt: 'document_idle',
  // WXT's "content script started" postMessage names the extension id to the page.
  noScriptStartedPostMessage: true,
  async main(wxtContext) {
    // The page can end WXT's context with a replayed DOM event; ours it cannot (PageProofContext).
    const ctx = pageProofContext(wxtContext, 'gmail');
    const config = await readConfig();
    // Settings, then the build's WXT_INBOXSDK_APP_ID, then the shipped id InboxSDK verifies itself.
    const { appId, source } = resolveInboxSdkAppId(
      config.inboxSdkAppId,
      import.meta.env.WXT_INBOXSDK_APP_ID ?? '',
    );
    console.debug(`${LOG_PREFIX} InboxSDK app id from ${source}: ${appId}`);

    // Page health (lib/health): InboxSDK failing to start, or thread URLs without a thread view.
    const reportHealth = (signal: PageHealthSignal, detail: string) =>
      void sendToBackground('page.health', { signal, detail }).catch(() => undefined);
    const health = new ThreadReadWatchdog({ isThreadUrl: isGmailThreadUrl, report: reportHealth });
    const notFound = setTimeout(() => {
      console.info(
        `${LOG_PREFIX} InboxSDK has not found Gmail's interface on this page; the CRM panel stays off.`,
      );
    }, GMAIL_NOT_FOUND_AFTER_MS);
    let sdk: InboxSDK.InboxSDK;
    try {
      sdk = await InboxSDK.load(2, appId, {
        appName: 'CRM Sidebar',
        appIconUrl: PANEL_ICON_URL,
      });
    } catch (error) {
      console.info(`${LOG_PREFIX} InboxSDK could not start here; the CRM panel stays off.`, String(error));
      reportHealth('start_failed', String(error).slice(0, 300));
      return;
    } finally {
      clearTimeout(notFound);
    }
    if (ctx.isInvalid) return;

    const pageUrl = () => location.href;
    const resolveInternetMessageId = createOriginalMessageIdReader({
      fetchPage: pageFetch,
      readIk: () => document.head.getAttribute(INBOXSDK_IK_ATTRIBUTE),
      pageUrl,
    });
    const reportError = (error: unknown) => console.debug(LOG_PREFIX, error);

    const threads = startGmailThreadAdapter(sdk, {
      panelHost: createGmailPanelHost({
        extensionUrl: (path) => browser.runtime.getURL(path as typeof PANEL_FRAME_PATH),
        expect: async (secret) => {
          await sendToBackground('panel.frame.expect', { secret });
        },
        onError: reportError,
      }),
      iconUrl: PANEL_ICON_URL,
      pageUrl,
      createPanelElement: () => document.createElement('div'),
      resolveInternetMessageId,
      onError: reportError,
    });
    const compose = startGmailComposeLogger(sdk, {
      logByDefault: () => config.logComposeByDefault,
      logSentMessage: (request) => sendToBackground('gmail.sent.log', request),
      declineSentMessage: (request) => sendToBackground('gmail.sent.decline', request),
      accountIndex: () => parseGmailAccountUrl(location.href)?.accountIndex ?? null,
      resolveInternetMessageId,
      onError: reportError,
    });
    const marker = startGmailThreadRowMarker(sdk, {
      loggedThreads: (r) => sendToBackground('mailbox.loggedThreads', r),
      onError: reportError,
    });
    // Gmail changes threads by the address's hash; InboxSDK then shows the thread view.
    reportHealth('started', '');
    const unregisterHealth = sdk.Conversations.registerThreadViewHandler(() => health.threadRead());
    ctx.addEventListener(window, 'hashchange', () => health.urlChanged(location.href));
    health.urlChanged(location.href);
    ctx.onInvalidated(() => {
      unregisterHealth();
      health.stop();
      threads.stop();
      compose.stop();
      marker.stop();
    });
  },
});
