import { ContentScriptContext } from 'wxt/utils/content-script-context';

/**
 * WXT's content-script context, minus the part a web page can trigger. WXT ends an older
 * copy of a content script when a newer one announces itself with a DOM CustomEvent on
 * `document` (and a `window.postMessage` naming the extension id): any page script can
 * dispatch the same event and end our panel, and read the id from the message
 * (node_modules/wxt/dist/utils/content-script-context.mjs, stopOldScripts /
 * listenForNewerScripts; https://github.com/wxt-dev/wxt/pull/1364 and /pull/1938).
 *
 * Our content scripts are declared in the manifest and never injected a second time, so
 * there is no newer copy to make way for: this context neither announces itself nor
 * listens for announcements. It still ends when the extension itself goes away (reload,
 * update, uninstall): WXT's `isInvalid` checks `browser.runtime.id` on every timer tick and
 * event this context wraps.
 */
export class PageProofContext extends ContentScriptContext {
  override stopOldScripts(): void {}
  override listenForNewerScripts(): void {}
}

/**
 * A page-proof context in place of the one WXT created for `main`. The WXT context may
 * still be ended by the page; nothing of ours hangs on it.
 */
export function pageProofContext(
  wxtContext: ContentScriptContext,
  contentScriptName: string,
): PageProofContext {
  return new PageProofContext(contentScriptName, wxtContext.options);
}
