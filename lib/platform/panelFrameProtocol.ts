import { z } from 'zod';
import { ErrorInfo } from '../errors/ErrorInfo';
import { ThreadSnapshot } from '../mail/MailMessage';
import { DockState } from '../mail/outlook/page/outlookPanelDock';
import { Webmail } from '../messaging/protocol';

/**
 * What a content script and the panel frame it made (entrypoints/panel) say to each other.
 *
 * The content script registers a one-time secret with the background (panel.frame.expect),
 * then posts it with one end of a MessageChannel to its frame, targeted at the extension's
 * origin: the page never sees it (postMessage delivers to that origin only,
 * https://html.spec.whatwg.org/multipage/web-messaging.html#dom-window-postmessage), and the
 * frame keeps the channel only once the background confirms the secret (panel.frame.claim).
 * From then on thread and layout go over the channel, which page script has no handle on.
 * The frame asks the background for the card and sends every write itself.
 */
export const PANEL_FRAME_PATH = '/panel.html' as const;
export const PANEL_FRAME_CONNECT = 'crm-sidebar-panel-connect';

export const PanelFrameConnect = z.object({
  type: z.literal(PANEL_FRAME_CONNECT),
  secret: z.string().regex(/^[0-9a-f]{32,64}$/),
});
export type PanelFrameConnect = z.infer<typeof PanelFrameConnect>;

/** Host to frame: everything the panel shows that only the page knows. */
export const PanelFrameState = z.object({
  type: z.literal('state'),
  snapshot: ThreadSnapshot.nullable(),
  pageError: ErrorInfo.nullable(),
  /** The webmail account's addresses (the background leaves the CRM user out, not the mailbox). */
  userAddresses: z.array(z.string().max(320)).max(20),
  /** The page's theme where the host can tell it (Outlook); null: the system's scheme. */
  theme: z.enum(['light', 'dark']).nullable(),
  /** The Outlook dock: its state and the width it takes in this window; null in Gmail's sidebar. */
  dock: z.object({ state: DockState, width: z.number().int().min(0).max(10_000) }).nullable(),
});
export type PanelFrameState = z.infer<typeof PanelFrameState>;

/** Frame to host: the rep collapsed, expanded or resized the dock. */
export const PanelFrameDockChange = z.object({ type: z.literal('dock'), state: DockState });
export type PanelFrameDockChange = z.infer<typeof PanelFrameDockChange>;

/** Frame to host, in Gmail's sidebar: the panel's content height, which the frame takes. */
export const PanelFrameHeight = z.object({
  type: z.literal('height'),
  height: z.number().int().min(0).max(100_000),
});
export type PanelFrameHeight = z.infer<typeof PanelFrameHeight>;

export const PanelFrameHost = Webmail;

/** 128 random bits in hex, for panel.frame.expect. */
export function newPanelFrameSecret(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}
