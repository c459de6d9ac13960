import { createRoot } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { createPanelApiFromMessaging } from '../../components/panel/PanelApi';
import { PanelFrameApp } from '../../components/panel/PanelFrameApp';
import { acceptPanelFrameHost } from '../../lib/platform/acceptPanelFrameHost';
import { markPanelTiming, PANEL_TIMING } from '../../lib/platform/panelTiming';
import { sendToBackground } from '../../lib/platform/runtime';

// The panel page, framed by the Outlook and Gmail content scripts (lib/platform/mountPanelFrame).
markPanelTiming(PANEL_TIMING.evaluated);
const timedSend: typeof sendToBackground = async (type, payload) => {
  if (type !== 'thread.open') return sendToBackground(type, payload);
  markPanelTiming(PANEL_TIMING.threadOpenSent);
  try {
    return await sendToBackground(type, payload);
  } finally {
    markPanelTiming(PANEL_TIMING.threadOpenAnswered);
  }
};
const api = createPanelApiFromMessaging(timedSend, browser.storage.local);
const root = createRoot(document.getElementById('root')!);
const render = (props: Omit<Parameters<typeof PanelFrameApp>[0], 'api'>) =>
  root.render(<PanelFrameApp api={api} {...props} />);

render({ link: null, refused: false });
acceptPanelFrameHost(
  window,
  async (secret) => {
    markPanelTiming(PANEL_TIMING.claimSent);
    const claimed = await sendToBackground('panel.frame.claim', { secret });
    markPanelTiming(PANEL_TIMING.claimed);
    return claimed;
  },
  (link) => render({ link, refused: false }),
  (error) => {
    console.warn('CRM panel frame refused', error);
    render({ link: null, refused: true });
  },
);
