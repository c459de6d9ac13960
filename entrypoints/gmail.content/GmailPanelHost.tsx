import { createRoot, type Root } from 'react-dom/client';
import type { PanelApi } from '../../components/panel/PanelApi';
import { PanelRoot } from '../../components/panel/PanelRoot';
import type { PanelHost } from '../../lib/mail/gmail/page/PanelHost';

/**
 * The shared CRM panel inside InboxSDK's sidebar element, in a closed shadow root so Gmail's
 * CSS and ours cannot reach each other and Gmail's scripts cannot reach the panel.
 */
export function createGmailPanelHost(api: PanelApi): PanelHost {
  const roots = new WeakMap<HTMLElement, Root>();
  const shadows = new WeakMap<HTMLElement, ShadowRoot>();
  return {
    render(element, snapshot) {
      let root = roots.get(element);
      if (!root) {
        // Closed: Gmail's page script gets null from element.shadowRoot, so it can neither read
        // the contact card nor reach the panel's buttons. The root is kept only in `roots`.
        let shadow = shadows.get(element);
        if (!shadow) {
          shadow = element.attachShadow({ mode: 'closed' });
          shadows.set(element, shadow);
        }
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
