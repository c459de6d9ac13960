import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../server/seed';
import { contentScriptWorld, inClosedShadowRoot } from './harness/contentScriptWorld';
import { configureCrm, sendExtensionMessage } from './harness/extensionMessages';
import { conversation, openOutlookConversation } from './harness/outlookConversations';
import { type ReferenceCrm, startReferenceCrm } from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

/**
 * Issue 14 as an attacker tried it, on the shipped build (closed shadow roots): a content
 * script's world asking for privileged messages (finding 1), page script reading and
 * clicking the panel (finding 4), and page script replaying WXT's "content script started"
 * event (finding 7).
 */
const me = { name: SEED.demoUser.name, address: SEED.demoUser.email };
const alice = { name: SEED.contacts.primary.name, address: SEED.contacts.primary.email };
const ben = { name: SEED.contacts.withAlternate.name, address: SEED.contacts.withAlternate.email };
const HOST = 'crm-sidebar-panel';

async function panelText(page: Page): Promise<string> {
  const panel = await inClosedShadowRoot(page, HOST, '[data-testid="crm-panel"]');
  return (await panel?.textContent()) ?? '';
}

describe('security: the page and content scripts against the extension', () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;

  beforeAll(async () => {
    crm = await startReferenceCrm();
    env = await startE2eEnvironment();
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
  });
  afterAll(async () => {
    await env?.close();
    await crm?.close();
  });

  async function activitiesWithSubject(subject: string): Promise<number> {
    const { body } = await crm.api<{ activities: { subject: string }[] }>(
      `/contacts/${SEED.contacts.primary.id}/activities?limit=100`,
    );
    return body.activities.filter((a) => a.subject === subject).length;
  }

  it('answers no privileged message to a content script’s world, and returns no token (finding 1)', async () => {
    const page = await env.browser.newPage();
    await openOutlookConversation(page, [conversation('SEC-1', 'Security one', alice, [me])]);
    await expect.poll(() => panelText(page), { timeout: 15_000 }).toContain(SEED.contacts.primary.name);
    const world = await contentScriptWorld(page, env.browser.extensionId);
    const replies = await world.evaluate<
      Record<string, { ok: boolean; error?: { kind: string; message: string } }>
    >(
      `(async () => {
        const attempts = {
          'settings.get': {},
          'settings.update': { patch: { crm: { type: 'rest', baseUrl: 'https://attacker.example', token: 'x' } } },
          'crm.testConnection': { crm: { type: 'rest', baseUrl: 'https://attacker.example', token: 'x' } },
          'status.get': {},
          'mailbox.connect': { provider: 'gmail' },
        };
        const replies = {};
        for (const [type, payload] of Object.entries(attempts)) {
          replies[type] = await chrome.runtime.sendMessage({ type, payload });
        }
        return replies;
      })()`,
    );
    await world.close();
    for (const [type, reply] of Object.entries(replies)) {
      expect({ type, reply }).toMatchObject({
        type,
        reply: {
          ok: false,
          error: { kind: 'invalid_message', message: `${type} is not accepted from a content script` },
        },
      });
    }
    expect(JSON.stringify(replies)).not.toContain(crm.handle.token);

    // Nothing changed, and the options page (an extension page) is still answered.
    const settings = await sendExtensionMessage(env.browser, 'settings.get', {});
    expect(settings).toMatchObject({ ok: true, data: { crm: { baseUrl: crm.handle.url } } });
    // The background refuses what the options page refuses: no plain-http CRM off this computer.
    const http = await sendExtensionMessage(env.browser, 'settings.update', {
      patch: { crm: { type: 'rest', baseUrl: 'http://attacker.example', token: 'x' } },
    });
    expect(http).toMatchObject({ ok: false, error: { kind: 'invalid_settings' } });
    await page.close();
  });

  it('keeps the panel out of page script’s reach, and acts only on real clicks (finding 4)', async () => {
    const subject = 'Security four (scripted click)';
    const page = await env.browser.newPage();
    await openOutlookConversation(page, [conversation('SEC-4', subject, alice, [me])]);
    await expect.poll(() => panelText(page), { timeout: 15_000 }).toContain('Acme Robotics');

    // Page script: no shadow root on the host, no panel text anywhere it can walk.
    const seen = await page.evaluate((host) => {
      const texts: string[] = [document.body.innerText];
      for (const el of document.querySelectorAll('*'))
        if (el.shadowRoot) texts.push(el.shadowRoot.textContent ?? '');
      return { shadowRoot: document.querySelector(host)?.shadowRoot ?? null, text: texts.join('\n') };
    }, HOST);
    expect(seen.shadowRoot).toBeNull();
    expect(seen.text).not.toContain('Acme Robotics');

    // Even code that reaches the button (our own content-script world can) cannot log by script.
    const world = await contentScriptWorld(page, env.browser.extensionId);
    const clicked = await world.evaluate<boolean>(
      `(() => {
        const root = chrome.dom.openOrClosedShadowRoot(document.querySelector(${JSON.stringify(HOST)}));
        const button = root && root.querySelector('button[aria-label^="Log email"]');
        if (!button) return false;
        button.click();
        button.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
        return true;
      })()`,
    );
    await world.close();
    expect(clicked).toBe(true);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await activitiesWithSubject(subject)).toBe(0);

    // A real click (a trusted mouse event at the button) logs it.
    const button = await inClosedShadowRoot(page, HOST, 'button[aria-label^="Log email"]');
    expect(button).not.toBeNull();
    await button!.click({ force: true });
    await expect.poll(() => activitiesWithSubject(subject), { timeout: 15_000 }).toBe(1);
    await page.close();
  });

  it('survives a replayed "content script started" event and tells the page nothing about itself (finding 7)', async () => {
    const page = await env.browser.newPage();
    // Page script from the first byte: every message posted to the window is recorded.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __seenMessages: string[] }).__seenMessages = seen;
      window.addEventListener('message', (event) => seen.push(JSON.stringify(event.data)));
    });
    await openOutlookConversation(page, [
      conversation('SEC-7A', 'Security seven', alice, [me]),
      conversation('SEC-7B', 'Security seven, second thread', ben, [me]),
    ]);
    await expect.poll(() => panelText(page), { timeout: 15_000 }).toContain(SEED.contacts.primary.name);

    const leaked = await page.evaluate((id) => {
      const seen = (window as unknown as { __seenMessages: string[] }).__seenMessages;
      const attributes = [...document.documentElement.attributes].map((a) => `${a.name}=${a.value}`);
      return { messages: seen.filter((m) => m.includes(id)), attributes };
    }, env.browser.extensionId);
    expect(leaked.messages).toEqual([]);
    expect(leaked.attributes.filter((a) => /crm|sidebar|extension/i.test(a))).toEqual([]);

    // The attacker knows the extension id (it is public in the store) and replays both forms.
    await page.evaluate((id) => {
      for (const name of ['outlook', 'gmail']) {
        const type = `${id}:${name}:wxt:content-script-started`;
        document.dispatchEvent(
          new CustomEvent(type, { detail: { contentScriptName: name, messageId: 'forged' } }),
        );
        window.postMessage({ type, contentScriptName: name, messageId: 'forged' }, '*');
      }
    }, env.browser.extensionId);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await page.locator(HOST).count()).toBe(1);

    // Still alive: it follows the user to the next thread.
    await page.evaluate(() => {
      (window as unknown as { __outlookFixture: { open(id: string): void } }).__outlookFixture.open('SEC-7B');
    });
    await expect.poll(() => panelText(page), { timeout: 15_000 }).toContain(SEED.contacts.withAlternate.name);
    await page.close();
  });
});
