import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toErrorInfo } from '../../../lib/errors/toErrorInfo';
import { classifySender } from '../../../lib/messaging/classifySender';
import { MESSAGES } from '../../../lib/messaging/messages';
import type { MessageSpec } from '../../../lib/messaging/protocol';
import {
  createRouter,
  type Handlers,
  type RefusedMessage,
  type SenderInfo,
} from '../../../lib/messaging/router';

/**
 * Who may send what (docs/SECURITY.md, "A content script's world may be driven by the page").
 * Sender shapes follow Chrome's runtime.MessageSender
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

const entries = Object.entries(MESSAGES as Record<string, MessageSpec>);

describe('the message table', () => {
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

describe('the webmail a content script runs in', () => {
  it('is told from the sender URL’s exact host, https only', () => {
    const at = (url: string) => classifySender({ id: OWN.id, url, tab: { id: 3 } }, OWN).webmail;
    expect(at('https://mail.google.com/mail/u/0/#inbox')).toBe('gmail');
    expect(at('https://outlook.office.com/mail/inbox')).toBe('outlook');
    expect(at('https://outlook.cloud.microsoft/mail/')).toBe('outlook');
    expect(at('https://mail.google.com.attacker.example/')).toBeUndefined();
    expect(at('https://attacker.example/mail.google.com')).toBeUndefined();
    expect(at('https://mail.google.com:8443/')).toBeUndefined();
    // An extension page is not a webmail page, even framed in one.
    expect(
      classifySender({ id: OWN.id, url: `${OWN.origin}/panel.html`, tab: { id: 3 } }, OWN),
    ).toMatchObject({
      context: 'extension',
    });
  });
});

describe('the router’s sender rules', () => {
  const handlers = Object.fromEntries(
    Object.keys(MESSAGES).map((type) => [type, async () => ({})]),
  ) as unknown as Handlers<typeof MESSAGES>;
  const outlookTab: SenderInfo = {
    context: 'content',
    tabId: 7,
    url: 'https://outlook.office.com/mail/inbox',
    webmail: 'outlook',
  };
  const gmailTab: SenderInfo = {
    context: 'content',
    tabId: 8,
    url: 'https://mail.google.com/mail/u/0/',
    webmail: 'gmail',
  };

  it('refuses every CRM read and write from a content script, and records each refusal', async () => {
    const refused: RefusedMessage[] = [];
    const route = createRouter(MESSAGES, handlers, toErrorInfo, (r) => refused.push(r));
    const writes = [
      'thread.open',
      'thread.log',
      'contact.create',
      'outbox.retry',
      'deal.choose',
      'deal.clear',
      'match.correct',
      'match.uncorrect',
      'neverLog.add',
      'neverLog.remove',
      'task.create',
      'panel.frame.claim',
    ];
    for (const type of writes) {
      const reply = await route({ type, payload: {} }, outlookTab);
      expect(reply).toEqual({
        ok: false,
        error: { kind: 'invalid_message', message: `${type} is not accepted from a content script` },
      });
    }
    expect(refused.map((r) => r.type)).toEqual(writes);
    expect(refused[0]!.sender).toEqual(outlookTab);
  });

  it('takes gmail.* only from Gmail tabs, and nothing from a content script on another host', async () => {
    const refused: RefusedMessage[] = [];
    const route = createRouter(MESSAGES, handlers, toErrorInfo, (r) => refused.push(r));
    expect(await route({ type: 'gmail.config.get', payload: {} }, outlookTab)).toEqual({
      ok: false,
      error: {
        kind: 'invalid_message',
        message: 'gmail.config.get is not accepted from a content script on outlook.office.com',
      },
    });
    expect(await route({ type: 'gmail.config.get', payload: {} }, gmailTab)).toMatchObject({ ok: false });
    // And outlook.* only from Outlook tabs.
    expect(await route({ type: 'outlook.config.get', payload: {} }, gmailTab)).toMatchObject({
      ok: false,
      error: { message: 'outlook.config.get is not accepted from a content script on mail.google.com' },
    });
    expect(refused).toHaveLength(2);
    const elsewhere: SenderInfo = { context: 'content', tabId: 9, url: 'https://attacker.example/' };
    expect(
      await route({ type: 'panel.frame.expect', payload: { secret: 'ab'.repeat(16) } }, elsewhere),
    ).toMatchObject({
      ok: false,
      error: { message: 'panel.frame.expect is not accepted from a content script on attacker.example' },
    });
    expect(
      await route({ type: 'panel.frame.expect', payload: { secret: 'ab'.repeat(16) } }, outlookTab),
    ).toEqual({
      ok: true,
      data: {},
    });
  });

  it('lets content scripts send only what frames the panel (and starts its lookup), the compose logs, health and the thread-list marker', () => {
    const content = entries.filter(([, spec]) => spec.senders.includes('content')).map(([type]) => type);
    expect(content.sort()).toEqual(
      [
        'gmail.config.get',
        'gmail.sent.decline',
        'gmail.sent.log',
        'mailbox.loggedThreads',
        'outlook.config.get',
        'outlook.sent.decline',
        'outlook.sent.log',
        'page.health',
        'panel.frame.expect',
        'thread.prefetch',
      ].sort(),
    );
  });
});
