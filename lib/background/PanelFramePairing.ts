import { ExtensionError } from '../errors/ErrorInfo';
import type { Webmail } from '../messaging/protocol';
import type { SenderInfo } from '../messaging/router';

/** Long enough for a frame to load on a busy machine; a secret is used once anyway. */
const SECRET_LIFETIME_MS = 60_000;
/** Gmail makes one panel per open thread view; more than this in one tab at once is not ours. */
const MAX_PENDING_PER_TAB = 8;

interface Pending {
  secret: string;
  webmail: Webmail;
  expiresAt: number;
}

/**
 * Tells the panel frame a content script made from one a page made. The panel page is
 * web-accessible on the webmail hosts, so page script can frame it too; it cannot learn the
 * secret the content script registers here (a runtime message) and posts to its own frame
 * (postMessage with the extension's origin as target, delivered to nobody else). A frame
 * that cannot claim a secret of its own tab gets no thread and shows nothing.
 *
 * The same split as the inline menus of password managers (bitwarden/clients,
 * apps/browser/src/autofill/overlay/inline-menu: the iframe's port is set up with the
 * background, never with the page).
 */
export class PanelFramePairing {
  private readonly pending = new Map<number, Pending[]>();

  constructor(private readonly now: () => number = Date.now) {}

  expect(sender: SenderInfo, secret: string): void {
    if (sender.context !== 'content' || sender.tabId === undefined || !sender.webmail)
      throw new ExtensionError('invalid_message', 'Only a webmail tab’s content script can frame the panel');
    const now = this.now();
    const list = (this.pending.get(sender.tabId) ?? []).filter((p) => p.expiresAt > now);
    list.push({ secret, webmail: sender.webmail, expiresAt: now + SECRET_LIFETIME_MS });
    this.pending.set(sender.tabId, list.slice(-MAX_PENDING_PER_TAB));
  }

  /** The webmail whose content script made this frame; throws for any secret not pending in its own tab. */
  claim(sender: SenderInfo, secret: string): Webmail {
    const tabId = sender.tabId;
    const list = tabId === undefined ? undefined : this.pending.get(tabId);
    const now = this.now();
    const index = list?.findIndex((p) => p.secret === secret && p.expiresAt > now) ?? -1;
    if (sender.context !== 'extension' || tabId === undefined || !list || index < 0)
      throw new ExtensionError(
        'invalid_message',
        'This panel frame was not made by the extension in this tab, so it shows nothing',
      );
    const [claimed] = list.splice(index, 1);
    if (list.length === 0) this.pending.delete(tabId);
    return claimed!.webmail;
  }
}
