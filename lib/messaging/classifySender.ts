import { OUTLOOK_HOSTS } from '../mail/outlook/page/hosts';
import type { Webmail } from './protocol';
import type { SenderInfo } from './router';

/** The Gmail content script's host (its manifest match, entrypoints/gmail.content). */
export const GMAIL_HOST = 'mail.google.com';

/** The parts of `runtime.MessageSender` the decision needs (Chrome and Firefox both set them). */
export interface RuntimeSender {
  id?: string;
  url?: string;
  tab?: { id?: number };
}

export interface OwnExtension {
  id: string;
  /** `chrome-extension://<id>` or `moz-extension://<uuid>`, without a trailing slash. */
  origin: string;
}

/**
 * Tells our extension pages from our content scripts by the sender's URL: a page of the
 * extension has the extension's own origin (even when the options page is open in a tab),
 * a content script reports the URL of the web page it runs in. `runtime.onMessage` only
 * hears our own extension, but `id` is checked anyway so a future `onMessageExternal`
 * listener cannot inherit the rule by mistake.
 * https://developer.chrome.com/docs/extensions/reference/api/runtime#type-MessageSender
 */
export function classifySender(sender: RuntimeSender, extension: OwnExtension): SenderInfo {
  const tabId = sender.tab?.id;
  const base = { ...(tabId === undefined ? {} : { tabId }), ...(sender.url ? { url: sender.url } : {}) };
  if (sender.id !== extension.id || !sender.url) return { context: 'unknown', ...base };
  if (originOf(sender.url) === extension.origin) return { context: 'extension', ...base };
  if (tabId !== undefined && originOf(sender.url)?.startsWith('https://')) {
    const webmail = webmailOf(sender.url);
    return { context: 'content', ...base, ...(webmail ? { webmail } : {}) };
  }
  return { context: 'unknown', ...base };
}

/** Which webmail an https URL belongs to, by its exact host (the content scripts' matches). */
export function webmailOf(url: string): Webmail | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' || parsed.port !== '') return undefined;
  if (parsed.hostname === GMAIL_HOST) return 'gmail';
  if ((OUTLOOK_HOSTS as readonly string[]).includes(parsed.hostname)) return 'outlook';
  return undefined;
}

function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    // Extension origins are opaque to URL.origin in some engines ("null"); build them by hand.
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}
