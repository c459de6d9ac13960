import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../server/seed';
import { contentScriptWorld } from './harness/contentScriptWorld';
import { configureCrm, sendExtensionMessage } from './harness/extensionMessages';
import { conversation, openOutlookConversation } from './harness/outlookConversations';
import { PANEL_HOST, panel, panelFrame } from './harness/panelFrame';
import { type ReferenceCrm, startReferenceCrm } from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

/**
 * Attacks on the shipped build, as page script on an Outlook host and as code driving the
 * content script's world over DevTools: privileged and write messages from a content script,
 * reading the panel (DOM, window.find), clicking through a decoy, framing the panel page
 * itself, and replaying WXT's "content script started" event.
 */
const me = { name: SEED.demoUser.name, address: SEED.demoUser.email };
const alice = { name: SEED.contacts.primary.name, address: SEED.contacts.primary.email };
const ben = { name: SEED.contacts.withAlternate.name, address: SEED.contacts.withAlternate.email };
const HOST = PANEL_HOST;

async function panelText(page: Page): Promise<string> {
  return (
    (await panel(page)
      .textContent({ timeout: 2_000 })
      .catch(() => null)) ?? ''
  );
}

/** The event log's refusals, read from the extension's database through an extension page. */
async function refusedMessages(browser: E2eEnvironment['browser']) {
  const page = await browser.newPage();
  try {
    await page.goto(browser.extensionUrl('popup.html'));
    return await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('crm-sidebar');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      try {
        const request = db.transaction('events', 'readonly').objectStore('events').getAll();
        const rows = await new Promise<{ kind: string; data?: unknown }[]>((resolve, reject) => {
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        return rows.filter((row) => row.kind === 'message.refused');
      } finally {
        db.close();
      }
    });
  } finally {
    await page.close();
  }
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

  it('answers no privileged message to a content script’s world, and returns no token', async () => {
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

  it('keeps the panel out of page script’s reach: no DOM, no window.find oracle', async () => {
    const page = await env.browser.newPage();
    await openOutlookConversation(page, [conversation('SEC-4', 'Security four', alice, [me])]);
    // What only the panel shows: the open deal's amount and name, Alice's title.
    await expect.poll(() => panelText(page), { timeout: 15_000 }).toContain('$48,000');
    expect(await panelText(page)).toContain('Head of Operations');

    const seen = await page.evaluate((host) => {
      const frame = document.querySelector(`${host} iframe`) as HTMLIFrameElement | null;
      let frameDocument: string;
      try {
        frameDocument = String(frame?.contentWindow?.document?.body?.innerText);
      } catch (error) {
        frameDocument = `refused: ${(error as Error).name}`;
      }
      const texts: string[] = [document.body.innerText];
      for (const el of document.querySelectorAll('*'))
        if (el.shadowRoot) texts.push(el.shadowRoot.textContent ?? '');
      // window.find searches the page's rendered text, closed shadow roots included; it is a
      // yes/no oracle that read a deal amount one character at a time.
      const find = (text: string) => {
        window.getSelection()?.removeAllRanges();
        return (window as unknown as { find(s: string): boolean }).find(text);
      };
      return {
        contentDocument: frame?.contentDocument ?? null,
        frameDocument,
        text: texts.join('\n'),
        found: ['$48,000', '48,000', 'Head of Operations', 'fleet automation pilot', 'Log email'].filter(
          find,
        ),
      };
    }, HOST);
    expect(seen.contentDocument).toBeNull();
    expect(seen.frameDocument).toMatch(/^refused: SecurityError/);
    expect(seen.text).not.toContain('48,000');
    expect(seen.found).toEqual([]);
    await page.close();
  });

  it('refuses a click through a decoy laid over the panel, says so, and logs nothing', async () => {
    const subject = 'Security decoy (clickjacking)';
    const page = await env.browser.newPage();
    await openOutlookConversation(page, [conversation('SEC-DECOY', subject, alice, [me])]);
    const logButton = panel(page).getByRole('button', { name: /^Log email/ });
    await logButton.waitFor({ timeout: 15_000 });
    await logButton.scrollIntoViewIfNeeded();
    const target = (await logButton.boundingBox())!;

    // Page script: a full-window decoy above everything, invisible to clicks, with its own bait
    // where "Log email" is; the rep's real click goes through it into the panel.
    await page.evaluate(
      ({ x, y }) => {
        const decoy = document.createElement('div');
        decoy.id = 'decoy';
        decoy.setAttribute(
          'style',
          'position:fixed;inset:0;z-index:2147483647;pointer-events:none;background:rgba(255,255,255,0.97)',
        );
        const bait = document.createElement('button');
        bait.textContent = 'Claim your prize';
        bait.setAttribute('style', `position:fixed;left:${x - 40}px;top:${y - 12}px;`);
        decoy.append(bait);
        document.documentElement.append(decoy);
      },
      { x: target.x + target.width / 2, y: target.y + target.height / 2 },
    );
    // IntersectionObserver v2 reports at most every 100 ms; the decoy stays up well past that.
    await new Promise((r) => setTimeout(r, 600));
    await page.mouse.click(target.x + target.width / 2, target.y + target.height / 2);
    await panelFrame(page)
      .getByRole('alert')
      .filter({ hasText: 'Click not accepted' })
      .waitFor({ timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await activitiesWithSubject(subject)).toBe(0);

    // The decoy gone and the panel in plain view, the same real click logs it.
    await page.evaluate(() => document.getElementById('decoy')?.remove());
    await new Promise((r) => setTimeout(r, 1_000));
    await page.mouse.click(target.x + target.width / 2, target.y + target.height / 2);
    await expect.poll(() => activitiesWithSubject(subject), { timeout: 15_000 }).toBe(1);
    await page.close();
  });

  it('refuses every write, card and Gmail message from a content script’s world, and records them', async () => {
    const subject = 'Security forged writes';
    const page = await env.browser.newPage();
    await openOutlookConversation(page, [conversation('SEC-FORGE', subject, alice, [me])]);
    await expect.poll(() => panelText(page), { timeout: 15_000 }).toContain(SEED.contacts.primary.name);
    const snapshot = {
      provider: 'outlook',
      mailbox: me.address,
      threadId: 'SEC-FORGE',
      subject,
      messages: [
        {
          provider: 'outlook',
          mailbox: me.address,
          providerMessageId: 'ITEM-SEC-FORGE',
          providerThreadId: 'SEC-FORGE',
          messageId: '<forged@attacker.example>',
          from: alice,
          to: [me],
          subject,
          date: '2026-11-20T09:14:00Z',
          snippet: 'Written by the page',
          folderRole: 'inbox',
        },
      ],
    };
    const sentByPage = {
      message: {
        ...snapshot.messages[0],
        provider: 'gmail',
        providerMessageId: '18c0ffee00000001',
        // Another message's Message-ID, claimed so that one is never logged.
        messageId: '<real-message-of-someone-else@acme-robotics.com>',
        from: me,
        to: [alice],
        folderRole: 'sent',
      },
      accountIndex: 0,
    };
    const attempts: Record<string, unknown> = {
      'thread.log': { snapshot, providerMessageIds: ['ITEM-SEC-FORGE'] },
      'thread.open': { snapshot },
      'contact.create': { name: 'Mallory', email: 'mallory@attacker.example', companyId: null },
      'match.correct': {},
      'neverLog.add': { scope: 'address', address: alice.address },
      'task.create': {},
      'deal.choose': {},
      'outbox.retry': {},
      'gmail.sent.log': sentByPage,
      'gmail.config.get': {},
      'panel.frame.claim': { secret: '0123456789abcdef0123456789abcdef' },
    };
    const world = await contentScriptWorld(page, env.browser.extensionId);
    const replies = await world.evaluate<
      Record<string, { ok: boolean; error?: { kind: string; message: string } }>
    >(
      `(async () => {
        const attempts = ${JSON.stringify(attempts)};
        const replies = {};
        for (const [type, payload] of Object.entries(attempts))
          replies[type] = await chrome.runtime.sendMessage({ type, payload });
        return replies;
      })()`,
    );
    await world.close();
    for (const [type, reply] of Object.entries(replies)) {
      const expected = type.startsWith('gmail.')
        ? `${type} is not accepted from a content script on outlook.office.com`
        : `${type} is not accepted from a content script`;
      expect({ type, reply }).toMatchObject({
        type,
        reply: { ok: false, error: { kind: 'invalid_message', message: expected } },
      });
    }
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await activitiesWithSubject(subject)).toBe(0);
    const contacts = await crm.api<{ contacts: unknown[] }>('/lookup', {
      method: 'POST',
      body: JSON.stringify({ emails: ['mallory@attacker.example'], domains: [] }),
    });
    expect(contacts.body.contacts).toEqual([]);

    // Each refusal is in the event log, with the page it came from.
    const refused = await refusedMessages(env.browser);
    for (const type of Object.keys(attempts))
      expect(refused, type).toContainEqual(
        expect.objectContaining({
          kind: 'message.refused',
          data: expect.objectContaining({ type, host: 'outlook.office.com' }),
        }),
      );
    await page.close();
  });

  it('gives a panel frame made by the page nothing: no secret, no thread', async () => {
    const page = await env.browser.newPage();
    await openOutlookConversation(page, [conversation('SEC-OWNFRAME', 'Security own frame', alice, [me])]);
    await expect.poll(() => panelText(page), { timeout: 15_000 }).toContain(SEED.contacts.primary.name);
    // Page script frames the web-accessible panel page itself and guesses a secret.
    await page.evaluate((url) => {
      const frame = document.createElement('iframe');
      frame.id = 'page-made-panel';
      frame.src = url;
      frame.setAttribute('style', 'position:fixed;left:0;top:0;width:320px;height:400px;z-index:5');
      frame.addEventListener('load', () => {
        const channel = new MessageChannel();
        frame.contentWindow?.postMessage(
          { type: 'crm-sidebar-panel-connect', secret: '0123456789abcdef0123456789abcdef' },
          '*',
          [channel.port2],
        );
      });
      document.body.append(frame);
    }, env.browser.extensionUrl('panel.html'));
    const own = page.frameLocator('#page-made-panel');
    await own.getByRole('alert').filter({ hasText: 'not opened by the CRM Sidebar extension' }).waitFor({
      timeout: 15_000,
    });
    expect(await own.locator('body').textContent()).not.toContain(SEED.contacts.primary.name);
    await page.close();
  });

  it('survives a replayed "content script started" event and tells the page nothing about itself', async () => {
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
