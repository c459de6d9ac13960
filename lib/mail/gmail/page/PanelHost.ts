import type { ThreadSnapshot } from '../../MailMessage';

/**
 * The seam between the Gmail adapter and the panel UI. The adapter owns the InboxSDK
 * sidebar element and the thread's lifecycle; the host owns what is drawn inside it.
 */
export interface PanelHost {
  /** Draw (or redraw) the panel for `snapshot` in `element`. Called on every change of the thread. */
  render(element: HTMLElement, snapshot: ThreadSnapshot): void;
  /** The thread was closed: release whatever `render` mounted in `element`. */
  unmount(element: HTMLElement): void;
}
