import { createRoot } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { createPanelApiFromMessaging } from '../../components/panel/PanelApi';
import { PanelFrameApp } from '../../components/panel/PanelFrameApp';
import { acceptPanelFrameHost } from '../../lib/platform/acceptPanelFrameHost';
import { sendToBackground } from '../../lib/platform/runtime';

// The panel page, framed by the Outlook and Gmail content scripts (lib/platform/mountPanelFrame).
const api = createPanelApiFromMessaging(sendToBackground, browser.storage.local);
const root = createRoot(document.getElementById('root')!);
const render = (props: Omit<Parameters<typeof PanelFrameApp>[0], 'api'>) =>
  root.render(<PanelFrameApp api={api} {...props} />);

render({ link: null, refused: false });
acceptPanelFrameHost(
  window,
  (secret) => sendToBackground('panel.frame.claim', { secret }),
  (link) => render({ link, refused: false }),
  (error) => {
    console.warn('CRM panel frame refused', error);
    render({ link: null, refused: true });
  },
);
