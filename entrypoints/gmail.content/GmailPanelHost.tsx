import type { PanelHost } from '../../lib/mail/gmail/page/PanelHost';
import { mountPanelFrame, type PanelFrame, type PanelFrameOptions } from '../../lib/platform/mountPanelFrame';

/**
 * The panel page (an extension page, entrypoints/panel) framed inside InboxSDK's sidebar
 * element: Gmail's scripts see an iframe of another origin, which they can neither read nor
 * click into. The frame takes the panel's content height.
 */
export function createGmailPanelHost(
  options: Pick<PanelFrameOptions, 'extensionUrl' | 'expect' | 'onError'>,
): PanelHost {
  const frames = new WeakMap<HTMLElement, PanelFrame>();
  return {
    render(element, snapshot) {
      let frame = frames.get(element);
      if (!frame) {
        frame = mountPanelFrame(element, { ...options, fitHeight: true });
        frame.element.style.height = '400px';
        frames.set(element, frame);
      }
      frame.update({
        type: 'state',
        snapshot,
        pageError: null,
        userAddresses: snapshot.mailbox ? [snapshot.mailbox] : [],
        theme: null,
        dock: null,
      });
    },
    unmount(element) {
      frames.get(element)?.destroy();
      frames.delete(element);
    },
  };
}
