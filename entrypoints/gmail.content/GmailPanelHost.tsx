import { createRoot, type Root } from 'react-dom/client';
import type { PanelApi } from '../../components/panel/PanelApi';
import { PanelRoot } from '../../components/panel/PanelRoot';
import type { PanelHost } from '../../lib/mail/gmail/page/PanelHost';

/**
 * The shared CRM panel inside InboxSDK's sidebar element, in a shadow root so Gmail's CSS
 * and ours cannot reach each other.
 */
export function createGmailPanelHost(api: PanelApi): PanelHost {
  const roots = new WeakMap<HTMLElement, Root>();
  return {
    render(element, snapshot) {
      let root = roots.get(element);
      if (!root) {
        const shadow = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
        const container = element.ownerDocument.createElement('div');
        shadow.append(container);
        root = createRoot(container);
        roots.set(element, root);
      }
      root.render(
        <PanelRoot
          snapshot={snapshot}
          api={api}
          userAddresses={snapshot.mailbox ? [snapshot.mailbox] : []}
        />,
      );
    },
    unmount(element) {
      roots.get(element)?.unmount();
      roots.delete(element);
    },
  };
}
