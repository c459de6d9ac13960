import { describe, expect, it } from 'vitest';
import { PanelFramePairing } from '../../../lib/background/PanelFramePairing';
import type { SenderInfo } from '../../../lib/messaging/router';

const SECRET = 'a1'.repeat(16);
const host = (tabId: number): SenderInfo => ({
  context: 'content',
  tabId,
  url: 'https://outlook.office.com/mail/inbox',
  webmail: 'outlook',
});
const frame = (tabId: number): SenderInfo => ({
  context: 'extension',
  tabId,
  url: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/panel.html',
});

describe('PanelFramePairing', () => {
  it('pairs the frame of the same tab once, with the host’s webmail', () => {
    const pairing = new PanelFramePairing();
    pairing.expect(host(4), SECRET);
    expect(pairing.claim(frame(4), SECRET)).toBe('outlook');
    // Used up: a second frame (one the page made, say) cannot claim it again.
    expect(() => pairing.claim(frame(4), SECRET)).toThrow(/not made by the extension/);
  });

  it('refuses a secret of another tab, a guessed one, an expired one, and a content script claiming', () => {
    let now = 0;
    const pairing = new PanelFramePairing(() => now);
    pairing.expect(host(4), SECRET);
    expect(() => pairing.claim(frame(5), SECRET)).toThrow();
    expect(() => pairing.claim(frame(4), 'b2'.repeat(16))).toThrow();
    expect(() => pairing.claim(host(4), SECRET)).toThrow();
    now = 61_000;
    expect(() => pairing.claim(frame(4), SECRET)).toThrow();
  });

  it('takes secrets only from a webmail tab’s content script', () => {
    const pairing = new PanelFramePairing();
    expect(() => pairing.expect(frame(4), SECRET)).toThrow(/content script/);
    expect(() =>
      pairing.expect({ context: 'content', tabId: 4, url: 'https://attacker.example/' }, SECRET),
    ).toThrow();
  });
});
