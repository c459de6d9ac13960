import { createRoot, type Root } from 'react-dom/client';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { OUTLOOK_MATCHES } from '../../lib/mail/outlook/hosts';

export default defineContentScript({
  matches: OUTLOOK_MATCHES,
  cssInjectionMode: 'ui',
  runAt: 'document_idle',
  async main(ctx) {
    const ui = await createShadowRootUi<Root>(ctx, {
      name: 'crm-sidebar-panel',
      position: 'inline',
      anchor: 'body',
      append: 'last',
      onMount(container) {
        const root = createRoot(container);
        root.render(<section aria-label="CRM sidebar" data-testid="crm-panel" />);
        return root;
      },
      onRemove(root) {
        root?.unmount();
      },
    });
    ui.mount();
  },
});
