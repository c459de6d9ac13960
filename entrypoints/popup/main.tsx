import { createRoot } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { PopupApp } from '../../components/popup/PopupApp';
import { createExtensionApi } from '../../components/shared/ExtensionApi';
import { browserPolicyEvents } from '../../lib/platform/browserPolicyEvents';
import { browserSidePanel } from '../../lib/platform/browserSidePanel';
import { sendToBackground } from '../../lib/platform/runtime';
import './popup.css';

const api = createExtensionApi(
  sendToBackground,
  { requestOriginPermission: (origin) => browser.permissions.request({ origins: [`${origin}/*`] }) },
  browserSidePanel(),
  browserPolicyEvents(),
);

createRoot(document.getElementById('root')!).render(<PopupApp api={api} />);
