import { browser } from 'wxt/browser';
import { createClient } from '../messaging/client';
import { MESSAGES } from '../messaging/messages';

/** The typed sender every content script and extension page uses to talk to the background. */
export const sendToBackground = createClient(MESSAGES, (envelope) => browser.runtime.sendMessage(envelope));

export function extensionVersion(): string {
  return browser.runtime.getManifest().version;
}
