import type { Webmail } from '../messaging/protocol';
import { PanelFrameConnect, PanelFrameState } from './panelFrameProtocol';

export interface PanelFrameHostLink {
  host: Webmail;
  /** Called with the newest state so far, then every state the host sends (parsed; anything else is dropped). */
  onState(listener: (state: PanelFrameState) => void): void;
  send(message: unknown): void;
}

/**
 * The panel page's side of lib/platform/mountPanelFrame: waits for the host's secret and
 * channel, has the background confirm the secret was registered by a content script of this
 * tab (`claim`), and only then listens on that channel. Anything else posted to the frame,
 * page script's guesses included, is ignored; a secret the background does not confirm is
 * reported through `onRefused` and its channel dropped.
 */
export function acceptPanelFrameHost(
  win: Window,
  claim: (secret: string) => Promise<{ host: Webmail }>,
  onLink: (link: PanelFrameHostLink) => void,
  onRefused: (error: unknown) => void,
): () => void {
  let current: MessagePort | null = null;
  const listener = (event: MessageEvent) => {
    // Only the window that embeds this frame hands it a channel.
    if (event.source !== win.parent || win.parent === win) return;
    const hello = PanelFrameConnect.safeParse(event.data);
    const port = event.ports[0];
    if (!hello.success || !port) return;
    claim(hello.data.secret).then(
      ({ host }) => {
        current?.close();
        current = port;
        // The view subscribes after it renders: the newest state waits for it.
        let listenerOfState: ((state: PanelFrameState) => void) | null = null;
        let latest: PanelFrameState | null = null;
        port.onmessage = (message) => {
          const state = PanelFrameState.safeParse(message.data);
          if (!state.success) return;
          latest = state.data;
          listenerOfState?.(state.data);
        };
        onLink({
          host,
          onState(l) {
            listenerOfState = l;
            if (latest) l(latest);
          },
          send: (message) => port.postMessage(message),
        });
      },
      (error: unknown) => {
        port.close();
        onRefused(error);
      },
    );
  };
  win.addEventListener('message', listener);
  return () => {
    win.removeEventListener('message', listener);
    current?.close();
  };
}
