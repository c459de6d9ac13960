import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { classifySender } from '../../../lib/messaging/classifySender';
import { MESSAGES } from '../../../lib/messaging/messages';
import type { MessageSpec } from '../../../lib/messaging/protocol';

/**
 * Issue 14, finding 1: who may send what. Sender shapes follow Chrome's runtime.MessageSender
 * (https://developer.chrome.com/docs/extensions/reference/api/runtime#type-MessageSender):
 * pages of the extension report its chrome-extension:// URL, content scripts their tab's URL.
 */
const OWN = {
  id: 'abcdefghijklmnopabcdefghijklmnop',
  origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
};

describe('classifySender', () => {
  it('tells extension pages, content scripts and strangers apart', () => {
    expect(classifySender({ id: OWN.id, url: `${OWN.origin}/popup.html` }, OWN).context).toBe('extension');
    // The options page open in a tab is still an extension page.
    expect(
      classifySender({ id: OWN.id, url: `${OWN.origin}/options.html`, tab: { id: 4 } }, OWN).context,
    ).toBe('extension');
    expect(
      classifySender({ id: OWN.id, url: 'https://outlook.office.com/mail/inbox', tab: { id: 4 } }, OWN)
        .context,
    ).toBe('content');
    expect(classifySender({ id: 'someone-else', url: `${OWN.origin}/popup.html` }, OWN).context).toBe(
      'unknown',
    );
    expect(classifySender({ id: OWN.id }, OWN).context).toBe('unknown');
    // A page URL without a tab, or not https, is not one of our content scripts.
    expect(classifySender({ id: OWN.id, url: 'https://mail.google.com/' }, OWN).context).toBe('unknown');
    expect(classifySender({ id: OWN.id, url: 'http://mail.google.com/', tab: { id: 1 } }, OWN).context).toBe(
      'unknown',
    );
    // A look-alike origin that only starts with ours.
    expect(classifySender({ id: OWN.id, url: `${OWN.origin}x/popup.html` }, OWN).context).toBe('unknown');
  });
});

describe('the message table', () => {
  const entries = Object.entries(MESSAGES as Record<string, MessageSpec>);

  it('keeps settings, tokens, mailboxes, connection tests and status for extension pages', () => {
    const extensionOnly = entries
      .filter(([, spec]) => !spec.senders.includes('content'))
      .map(([type]) => type);
    for (const type of [
      'status.get',
      'settings.get',
      'settings.update',
      'crm.testConnection',
      'mailbox.connect',
      'mailbox.disconnect',
      'mailbox.setPrimary',
      'mailbox.syncNow',
    ]) {
      expect(extensionOnly).toContain(type);
    }
  });

  it('never answers a content script with anything that can hold a token', () => {
    const leaks: string[] = [];
    for (const [type, spec] of entries) {
      if (!spec.senders.includes('content')) continue;
      const schema = JSON.stringify(z.toJSONSchema(spec.response, { io: 'output', unrepresentable: 'any' }));
      if (/"(token|accessToken|refreshToken|idToken|apiKey|secret|password)"\s*:/i.test(schema))
        leaks.push(type);
    }
    expect(leaks).toEqual([]);
  });
});
