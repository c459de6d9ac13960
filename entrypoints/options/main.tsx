import { createRoot } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { OptionsApp } from '../../components/options/OptionsApp';
import { createExtensionApi } from '../../components/shared/ExtensionApi';
import { sendToBackground } from '../../lib/platform/runtime';
import './options.css';

const api = createExtensionApi(sendToBackground, {
  // Called straight from the Save / Test click handlers, inside the user gesture the
  // browser requires before it shows the permission prompt.
  requestOriginPermission: (origin) => browser.permissions.request({ origins: [`${origin}/*`] }),
});

createRoot(document.getElementById('root')!).render(<OptionsApp api={api} />);
