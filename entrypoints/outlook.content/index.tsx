import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import type { ErrorInfo } from '../../lib/errors/ErrorInfo';
import { ThreadReadWatchdog } from '../../lib/health/ThreadReadWatchdog';
import { ThreadSnapshot } from '../../lib/mail/MailMessage';
import { OUTLOOK_MATCHES } from '../../lib/mail/outlook/page/hosts';
import { startOutlookComposeLogger } from '../../lib/mail/outlook/page/OutlookComposeLogger';
import type { OutlookContentConfig } from '../../lib/mail/outlook/page/outlookMessages';
import {
  DEFAULT_DOCK_STATE,
  DOCK_STORAGE_KEY,
  type DockState,
  dockedWidth,
  parseDockState,
  themeFromBackground,
} from '../../lib/mail/outlook/page/outlookPanelDock';
import { parseOutlookUrl } from '../../lib/mail/outlook/page/parseOutlookUrl';
import {
  type OutlookAccount,
  readOutlookAccount,
  readOutlookReadingPane,
} from '../../lib/mail/outlook/page/readOutlookReadingPane';
import { snapshotRefusal } from '../../lib/mail/snapshotRefusal';
import { mountPanelFrame } from '../../lib/platform/mountPanelFrame';
import { pageProofContext } from '../../lib/platform/PageProofContext';
import type { PANEL_FRAME_PATH } from '../../lib/platform/panelFrameProtocol';
import { sendToBackground } from '../../lib/platform/runtime';

// About a frame: short enough to feel instant, long enough to coalesce the burst of mutations
// of one pane swap (the open -> card benchmark counts it in every open).
const REREAD_DELAY_MS = 16;

const DEFAULT_CONFIG: OutlookContentConfig = { logComposeByDefault: true, connectedMailboxes: [] };

/** The background's settings; the background may not answer yet (then the defaults). */
async function readConfig(): Promise<OutlookContentConfig> {
  try {
    return await sendToBackground('outlook.config.get', {});
  } catch {
    return DEFAULT_CONFIG;
  }
}

/** What makes two readings the same thread state, so React only re-renders on a real change. */
function snapshotKey(s: ThreadSnapshot | null): string {
  if (!s) return '';
  return JSON.stringify([
    s.threadId,
    s.subject,
    s.mailbox,
    s.messages.map((m) => [
      m.providerMessageId,
      m.from?.address,
      m.to.length,
      m.cc.length,
      m.partial,
      m.date,
    ]),
  ]);
}

export default defineContentScript({
  matches: OUTLOOK_MATCHES,
  // The panel is an extension page with its own stylesheet; there is no CSS file to inject.
  cssInjectionMode: 'manual',
  runAt: 'document_idle',
  // WXT's "content script started" postMessage names the extension id to the page.
  noScriptStartedPostMessage: true,
  async main(wxtContext) {
    // The page can end WXT's context with a replayed DOM event; ours it cannot (PageProofContext).
    const ctx = pageProofContext(wxtContext, 'outlook');
    let current: ThreadSnapshot | null = null;
    // A thread the page shows but the snapshot limits refuse: the panel says so (nothing is sent).
    let pageError: ErrorInfo | null = null;
    let currentKey = '';
    // The deeplink read view has no folder pane: keep the account the page showed before.
    let account: OutlookAccount = { address: null, name: null };

    let dock: DockState = parseDockState(
      (await browser.storage.local.get(DOCK_STORAGE_KEY))[DOCK_STORAGE_KEY],
    );
    let theme: 'light' | 'dark' = 'light';

    // Outlook's page is narrowed by the panel's width, so the docked column sits beside the
    // reading pane instead of over it. `position: relative` makes Outlook's absolutely
    // positioned root boxes (if any) follow the narrowed <html> too.
    const layout = document.createElement('style');
    layout.id = 'crm-sidebar-outlook-layout';
    document.head.append(layout);
    ctx.onInvalidated(() => layout.remove());
    const applyLayout = () => {
      const w = dockedWidth(dock, window.innerWidth);
      layout.textContent = `html { position: relative !important; width: calc(100% - ${w}px) !important; height: 100% !important; }`;
    };

    // What this tab stored itself: its own change events must not replay older widths over
    // newer ones while the rep is still pressing keys or dragging.
    const ownWrites: string[] = [];
    const setDock = (next: DockState) => {
      dock = next;
      applyLayout();
      render();
      ownWrites.push(JSON.stringify(next));
      void browser.storage.local.set({ [DOCK_STORAGE_KEY]: next });
    };

    // The panel is an extension page in a frame (entrypoints/panel): page script cannot read
    // it (window.find, DOM) nor click into it. Only our box around it lives in the page.
    const host = document.createElement('crm-sidebar-panel');
    host.setAttribute(
      'style',
      'all: initial; position: fixed; top: 0; right: 0; bottom: 0; z-index: 2147483000; display: block;',
    );
    const frame = mountPanelFrame(host, {
      extensionUrl: (path) => browser.runtime.getURL(path as typeof PANEL_FRAME_PATH),
      expect: async (secret) => {
        await sendToBackground('panel.frame.expect', { secret });
      },
      onDockChange: setDock,
      onError: (error) => console.warn('[CRM sidebar] The panel frame could not connect', error),
    });
    document.body.append(host);
    ctx.onInvalidated(() => frame.destroy());
    ctx.onInvalidated(() => host.remove());

    const render = () => {
      const width = dockedWidth(dock, window.innerWidth);
      host.style.width = `${width}px`;
      frame.update({
        type: 'state',
        snapshot: current,
        pageError,
        userAddresses: account.address ? [account.address] : [],
        theme,
        dock: { state: dock, width },
      });
    };
    applyLayout();
    render();

    const readTheme = () => {
      const next = themeFromBackground(getComputedStyle(document.body).backgroundColor);
      if (next === theme) return false;
      theme = next;
      return true;
    };

    // Page health: a thread URL whose thread the reader cannot find in time is reported, so a
    // redesign of Outlook's page is said in the popup instead of the panel just staying empty.
    void sendToBackground('page.health', { signal: 'started', detail: '' }).catch(() => undefined);
    const health = new ThreadReadWatchdog({
      isThreadUrl: (url) => parseOutlookUrl(url).itemId !== null,
      report: (signal, detail) =>
        void sendToBackground('page.health', { signal, detail }).catch(() => undefined),
    });
    ctx.onInvalidated(() => health.stop());

    // "Log to CRM" in the compose forms (new message, reply): the same settings and rules as Gmail's.
    // Not awaited: the reading pane is read at once; a form opened before the answer gets the defaults.
    let config = DEFAULT_CONFIG;
    void readConfig().then((answer) => {
      config = answer;
    });
    const compose = startOutlookComposeLogger(document, {
      logByDefault: () => config.logComposeByDefault,
      logSentMessage: (request) => sendToBackground('outlook.sent.log', request),
      declineSentMessage: (request) => sendToBackground('outlook.sent.decline', request),
      account: () => account,
      location: () => parseOutlookUrl(location.href),
      confirmedByMailbox: (address) => config.connectedMailboxes.includes(address.toLowerCase()),
      onError: (error) => console.debug('[CRM sidebar]', error),
    });
    ctx.onInvalidated(() => compose.stop());

    const read = () => {
      health.urlChanged(location.href);
      const seen = readOutlookAccount(document);
      account = { address: seen.address ?? account.address, name: seen.name ?? account.name };
      const raw = readOutlookReadingPane(document, parseOutlookUrl(location.href), {
        url: location.href,
        account,
      });
      const parsed = raw ? ThreadSnapshot.safeParse(raw) : null;
      const next = parsed?.success ? parsed.data : null;
      if (raw) health.threadRead();
      const refused = parsed && !parsed.success ? snapshotRefusal(parsed.error) : null;
      const key = refused
        ? `refused:${raw?.threadId ?? ''}:${JSON.stringify(refused.issues)}`
        : snapshotKey(next);
      if (key === currentKey) return;
      currentKey = key;
      current = next;
      pageError = refused;
      // The background starts the lookup now; the frame's ask for this snapshot gets it.
      if (next) void sendToBackground('thread.prefetch', { snapshot: next }).catch(() => undefined);
      render();
    };

    // Outlook is a single-page app: it swaps the reading pane and pushes history entries
    // without reloading. Re-read on both, debounced, and stop when the script is invalidated.
    let pending: number | undefined;
    const schedule = () => {
      if (pending !== undefined) return;
      pending = ctx.setTimeout(() => {
        pending = undefined;
        read();
        compose.scan();
      }, REREAD_DELAY_MS);
    };
    const observer = new MutationObserver(schedule);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    // Outlook switches its theme by restyling the page, not by replacing it.
    // getComputedStyle forces a style pass: only on a theme change, never on every pane swap.
    const themeObserver = new MutationObserver(() => {
      if (readTheme()) render();
    });
    themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
    themeObserver.observe(document.documentElement, {
      attributes: true,
      attributeFilter: ['class', 'style'],
    });
    ctx.onInvalidated(() => themeObserver.disconnect());
    ctx.addEventListener(window, 'resize', () => {
      applyLayout();
      render();
    });
    // Another Outlook tab resized or collapsed the panel: follow it.
    const onStorage = (changes: Record<string, { newValue?: unknown }>, area: string) => {
      if (area !== 'local' || !changes[DOCK_STORAGE_KEY]) return;
      const own = ownWrites.indexOf(JSON.stringify(changes[DOCK_STORAGE_KEY].newValue));
      if (own >= 0) {
        ownWrites.splice(0, own + 1);
        return;
      }
      dock = parseDockState(changes[DOCK_STORAGE_KEY].newValue ?? DEFAULT_DOCK_STATE);
      applyLayout();
      render();
    };
    browser.storage.onChanged.addListener(onStorage);
    ctx.onInvalidated(() => browser.storage.onChanged.removeListener(onStorage));
    ctx.onInvalidated(() => observer.disconnect());
    ctx.addEventListener(window, 'wxt:locationchange', schedule);
    if (readTheme()) render();
    read();
  },
});
