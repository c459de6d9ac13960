import { createRoot, type Root } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { createPanelApiFromMessaging } from '../../components/panel/PanelApi';
import { PanelRoot } from '../../components/panel/PanelRoot';
import { ThreadSnapshot } from '../../lib/mail/MailMessage';
import { OUTLOOK_MATCHES } from '../../lib/mail/outlook/page/hosts';
import { parseOutlookUrl } from '../../lib/mail/outlook/page/parseOutlookUrl';
import {
  type OutlookAccount,
  readOutlookAccount,
  readOutlookReadingPane,
} from '../../lib/mail/outlook/page/readOutlookReadingPane';
import { sendToBackground } from '../../lib/platform/runtime';

// Short enough to feel instant, long enough to coalesce the burst of mutations of one pane swap.
const REREAD_DELAY_MS = 40;

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
  async main(ctx) {
    const api = createPanelApiFromMessaging(sendToBackground, browser.storage.local);
    let root: Root | null = null;
    let current: ThreadSnapshot | null = null;
    let currentKey = '';
    // The deeplink read view has no folder pane: keep the account the page showed before.
    let account: OutlookAccount = { address: null, name: null };

    const render = () =>
      root?.render(
        <PanelRoot snapshot={current} api={api} userAddresses={account.address ? [account.address] : []} />,
      );

    const ui = await createShadowRootUi<Root>(ctx, {
      name: 'crm-sidebar-panel',
      position: 'inline',
      anchor: 'body',
      append: 'last',
      onMount(container) {
        // A fixed column over the right edge: Outlook's own flex layout is never touched.
        const frame = document.createElement('div');
        frame.style.cssText =
          'position:fixed;top:56px;right:8px;width:340px;max-height:calc(100vh - 72px);overflow:auto;z-index:2147483000;';
        container.append(frame);
        root = createRoot(frame);
        render();
        return root;
      },
      onRemove(r) {
        r?.unmount();
        root = null;
      },
    });
    ui.mount();

    const read = () => {
      const seen = readOutlookAccount(document);
      account = { address: seen.address ?? account.address, name: seen.name ?? account.name };
      const raw = readOutlookReadingPane(document, parseOutlookUrl(location.href), {
        url: location.href,
        account,
      });
      const parsed = raw ? ThreadSnapshot.safeParse(raw) : null;
      const next = parsed?.success ? parsed.data : null;
      const key = snapshotKey(next);
      if (key === currentKey) return;
      currentKey = key;
      current = next;
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
    ctx.onInvalidated(() => observer.disconnect());
    ctx.addEventListener(window, 'wxt:locationchange', schedule);
    read();
  },
});
