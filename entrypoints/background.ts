import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { MESSAGES } from '../lib/messaging/messages';
import { createRouter } from '../lib/messaging/router';

export default defineBackground({
  type: 'module',
  main() {
    const route = createRouter(MESSAGES, {
      'status.get': async () => ({
        version: browser.runtime.getManifest().version,
        crmConfigured: false,
        crmBaseUrl: '',
        crmUser: null,
        outbox: { pending: 0, failed: 0, delivered: 0 },
        outboxFailures: [],
        mailboxes: [],
      }),
    });
    browser.runtime.onMessage.addListener((message, sender) =>
      route(message, { tabId: sender.tab?.id, url: sender.url }),
    );
  },
});
