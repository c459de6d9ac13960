import { createRoot, type Root } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { createPanelApiFromMessaging } from '../../components/panel/PanelApi';
import { PanelRoot } from '../../components/panel/PanelRoot';
import type { ErrorInfo } from '../../lib/errors/ErrorInfo';
import { ThreadSnapshot } from '../../lib/mail/MailMessage';
import { OUTLOOK_MATCHES } from '../../lib/mail/outlook/page/hosts';
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
import { pageProofContext } from '../../lib/platform/PageProofContext';
import { sendToBackground } from '../../lib/platform/runtime';
import { dockStyles, OutlookPanelDock } from './OutlookPanelDock';

// About a frame: short enough to feel instant, long enough to coalesce the burst of mutations
// of one pane swap (the open -> card benchmark counts it in every open).
const REREAD_DELAY_MS = 16;

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
  // The panel brings its own stylesheet (PanelRoot); there is no extension CSS file to fetch.
  cssInjectionMode: 'manual',
  runAt: 'document_idle',
  // WXT's "content script started" postMessage names the extension id to the page.
  noScriptStartedPostMessage: true,
  async main(wxtContext) {
    // The page can end WXT's context with a replayed DOM event; ours it cannot (PageProofContext).
    const ctx = pageProofContext(wxtContext, 'outlook');
    const api = createPanelApiFromMessaging(sendToBackground, browser.storage.local);
    let root: Root | null = null;
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

    const setDock = (next: DockState) => {
      dock = next;
      applyLayout();
      render();
      void browser.storage.local.set({ [DOCK_STORAGE_KEY]: next });
    };

    const render = () =>
      root?.render(
        <>
          <style>{dockStyles}</style>
          <OutlookPanelDock
            state={dock}
            width={dockedWidth(dock, window.innerWidth)}
            theme={theme}
            onChange={setDock}
          >
            <PanelRoot
              snapshot={current}
              pageError={pageError}
              api={api}
              userAddresses={account.address ? [account.address] : []}
            />
          </OutlookPanelDock>
        </>,
      );

    const ui = await createShadowRootUi<Root>(ctx, {
      name: 'crm-sidebar-panel',
      position: 'inline',
      anchor: 'body',
      // Closed: page script gets null from host.shadowRoot, so it cannot read the contact
      // card or reach the buttons. Key events typed into the panel do not reach the page.
      // Only the copy for Playwright's locator-driven e2e suites and the demo opens it
      // (scripts/writeOpenShadowRootBuild.ts rewrites this one literal in the built script).
      mode: 'closed',
      isolateEvents: true,
      append: 'last',
      onMount(container) {
        root = createRoot(container);
        applyLayout();
        render();
        return root;
      },
      onRemove(r) {
        r?.unmount();
        root = null;
      },
    });
    ui.mount();

    const readTheme = () => {
      const next = themeFromBackground(getComputedStyle(document.body).backgroundColor);
      if (next === theme) return false;
      theme = next;
      return true;
    };

    const read = () => {
      const seen = readOutlookAccount(document);
      account = { address: seen.address ?? account.address, name: seen.name ?? account.name };
      const raw = readOutlookReadingPane(document, parseOutlookUrl(location.href), {
        url: location.href,
        account,
      });
      const parsed = raw ? ThreadSnapshot.safeParse(raw) : null;
      const next = parsed?.success ? parsed.data : null;
      const refused = parsed && !parsed.success ? snapshotRefusal(parsed.error) : null;
      const key = refused
        ? `refused:${raw?.threadId ?? ''}:${JSON.stringify(refused.issues)}`
        : snapshotKey(next);
      if (key === currentKey) return;
      currentKey = key;
      current = next;
      pageError = refused;
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
