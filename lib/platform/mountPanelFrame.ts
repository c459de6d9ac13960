import {
  newPanelFrameSecret,
  PANEL_FRAME_CONNECT,
  PANEL_FRAME_PATH,
  type PanelFrameConnect,
  PanelFrameDockChange,
  PanelFrameHeight,
  type PanelFrameState,
} from './panelFrameProtocol';

export interface PanelFrameOptions {
  /** `browser.runtime.getURL` of the extension. */
  extensionUrl(path: string): string;
  /** Registers the secret with the background (panel.frame.expect) before it is posted. */
  expect(secret: string): Promise<void>;
  /** The rep collapsed, expanded or resized the Outlook dock in the frame. */
  onDockChange?(change: PanelFrameDockChange['state']): void;
  onError?(error: unknown): void;
  /** Size the frame to the panel's content (Gmail's sidebar); else it fills `parent`. */
  fitHeight?: boolean;
}

export interface PanelFrame {
  readonly element: HTMLIFrameElement;
  /** Sends the thread and layout to the frame (kept and re-sent if the frame reloads). */
  update(state: PanelFrameState): void;
  destroy(): void;
}

/**
 * The panel page (an extension page, entrypoints/panel) in an iframe the content script
 * places. Page script sees an iframe of another origin: it can neither read the panel
 * (window.find, DOM, selection) nor send it events. Thread and layout reach the frame over
 * a MessageChannel handed over with a one-time secret (lib/platform/panelFrameProtocol).
 */
export function mountPanelFrame(parent: HTMLElement, options: PanelFrameOptions): PanelFrame {
  const doc = parent.ownerDocument;
  const frameUrl = options.extensionUrl(PANEL_FRAME_PATH);
  const frameOrigin = new URL(frameUrl).origin === 'null' ? originOf(frameUrl) : new URL(frameUrl).origin;
  const iframe = doc.createElement('iframe');
  iframe.src = frameUrl;
  iframe.title = 'CRM sidebar';
  // No referrer: the panel page has no business with the mail URL (it gets the thread by message).
  iframe.referrerPolicy = 'no-referrer';
  iframe.setAttribute(
    'style',
    'all: initial; display: block; border: 0; width: 100%; height: 100%; color-scheme: normal; background: transparent;',
  );
  let port: MessagePort | null = null;
  let last: PanelFrameState | null = null;
  let destroyed = false;

  // The secret is registered while the frame loads, not after: the registration is what wakes
  // a stopped service worker, so its start overlaps the frame's document and bundle instead of
  // following them. It is still registered before it is posted, and used once.
  const register = () => {
    const secret = newPanelFrameSecret();
    const registered = options.expect(secret);
    registered.catch(() => undefined);
    return { secret, registered };
  };
  let early: ReturnType<typeof register> | null = register();

  const connect = async () => {
    const { secret, registered } = early ?? register();
    early = null;
    await registered;
    if (destroyed || !iframe.contentWindow) return;
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => {
      const change = PanelFrameDockChange.safeParse(event.data);
      if (change.success) options.onDockChange?.(change.data.state);
      const height = PanelFrameHeight.safeParse(event.data);
      if (height.success && options.fitHeight) iframe.style.height = `${Math.max(120, height.data.height)}px`;
    };
    const hello: PanelFrameConnect = { type: PANEL_FRAME_CONNECT, secret };
    // Targeted at the extension's origin: if the page navigated the frame elsewhere, nobody gets it.
    iframe.contentWindow.postMessage(hello, frameOrigin, [channel.port2]);
    port?.close();
    port = channel.port1;
    if (last) port.postMessage(last);
  };
  // Every load (the first, and a reload of the frame) gets a fresh secret and channel.
  iframe.addEventListener('load', () => void connect().catch((error) => options.onError?.(error)));
  parent.append(iframe);

  return {
    element: iframe,
    update(state) {
      last = state;
      port?.postMessage(state);
    },
    destroy() {
      destroyed = true;
      port?.close();
      port = null;
      iframe.remove();
    },
  };
}

/** `moz-extension://<uuid>` (opaque to URL.origin in some engines), built by hand. */
function originOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}
