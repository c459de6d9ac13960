/**
 * entrypoints/background.ts under WXT's fake browser (wxt/testing, @webext-core/fake-browser):
 * the real wiring of runtime messages, alarms and InboxSDK's listener, with IndexedDB from
 * fake-indexeddb. The InboxSDK message shape and its reply come from InboxSDK's own MV3
 * background half, @inboxsdk/core 2.2.26 `background.js` (github.com/InboxSDK/InboxSDK,
 * packages/core/background.js): it answers `inboxsdk__injectPageWorld` from a tab by
 * injecting pageWorld.js into the MAIN world and replying `true`.
 */

import { beforeAll, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { ExtensionStatus } from '../../../lib/messaging/messages';
import { openCrmSidebarDb } from '../../../lib/store/db';

type Listener = (message: unknown, sender: unknown, sendResponse: (value: unknown) => void) => unknown;
const browserForTest = fakeBrowser as unknown as {
  runtime: {
    getManifest: () => { version: string };
    openOptionsPage: () => Promise<void>;
    onMessage: { trigger: (...args: Parameters<Listener>) => Promise<unknown[]> };
  };
  identity: { getRedirectURL: () => string; launchWebAuthFlow: () => Promise<string | undefined> };
  scripting: { executeScript: ReturnType<typeof vi.fn> };
  // Not implemented by WXT's fake browser: chrome.commands and chrome.sidePanel
  // (developer.chrome.com/docs/extensions/reference/api/commands, /sidePanel).
  commands: { onCommand: { addListener: (listener: CommandListener) => void } };
  sidePanel: { open: ReturnType<typeof vi.fn> };
};
type CommandListener = (command: string, tab?: { windowId?: number }) => void;
const commandListeners: CommandListener[] = [];
const sidePanelOpen = vi.fn(async () => undefined);

const executeScript = vi.fn(async () => []);
const openOptionsPage = vi.fn(async () => undefined);

// runtime.MessageSender as Chrome fills it: an extension page has the extension's URL, a
// content script the URL of its tab (developer.chrome.com/docs/extensions/reference/api/runtime#type-MessageSender).
const POPUP = {
  id: 'test-extension-id',
  url: 'chrome-extension://test-extension-id/popup.html',
  origin: 'chrome-extension://test-extension-id',
};
const GMAIL_CONTENT_SCRIPT = {
  id: 'test-extension-id',
  tab: { id: 1 },
  frameId: 0,
  url: 'https://mail.google.com/mail/u/0/',
  origin: 'https://mail.google.com',
};

/** What a sender gets back for a message: the first non-undefined answer, as Chrome does. */
async function send(message: unknown, sender: unknown = POPUP) {
  const sendResponse = vi.fn();
  const answers = await browserForTest.runtime.onMessage.trigger(message, sender, sendResponse);
  return {
    reply: answers.find((a) => a !== undefined) as Record<string, unknown> | undefined,
    answers,
    sendResponse,
  };
}

async function status(): Promise<ExtensionStatus> {
  const { reply } = await send({ type: 'status.get', payload: {} });
  expect(reply).toMatchObject({ ok: true });
  return (reply as { data: ExtensionStatus }).data;
}

const db = openCrmSidebarDb();

beforeAll(async () => {
  browserForTest.runtime.getManifest = () => ({ version: '9.8.7' });
  browserForTest.runtime.openOptionsPage = openOptionsPage;
  browserForTest.identity = {
    getRedirectURL: () => 'https://test-extension-id.chromiumapp.org/',
    launchWebAuthFlow: async () => undefined,
  };
  // WXT's setup makes `chrome` the same fake; InboxSDK's background half uses chrome.scripting.
  browserForTest.scripting = { executeScript };
  browserForTest.commands = { onCommand: { addListener: (listener) => commandListeners.push(listener) } };
  browserForTest.sidePanel = { open: sidePanelOpen };
  const { default: background } = await import('../../../entrypoints/background');
  background.main();
  // Start-up plans the sync alarm from the settings.
  await vi.waitFor(async () => expect(await fakeBrowser.alarms.get('mailbox-sync')).toBeTruthy());
});

describe('background entrypoint', () => {
  it('opens the side panel of the window the keyboard shortcut was pressed in', async () => {
    expect(commandListeners).toHaveLength(1);
    commandListeners[0]!('some-other-command', { windowId: 3 });
    commandListeners[0]!('open-side-panel', { windowId: 7 });
    await vi.waitFor(() => expect(sidePanelOpen).toHaveBeenCalledTimes(1));
    expect(sidePanelOpen).toHaveBeenCalledWith({ windowId: 7 });
  });

  it('answers runtime messages through the router, with closed error kinds', async () => {
    expect(await status()).toMatchObject({ version: '9.8.7', crmConfigured: false, problems: [] });
    const unknown = await send({ type: 'no.such.message', payload: {} });
    expect(unknown.reply).toMatchObject({ ok: false, error: { kind: 'invalid_message' } });
    const invalid = await send({ type: 'settings.update', payload: { patch: { syncFrequencyMinutes: 7 } } });
    expect(invalid.reply).toMatchObject({
      ok: false,
      error: {
        kind: 'invalid_settings',
        issues: [expect.objectContaining({ path: 'syncFrequencyMinutes' })],
      },
    });
    await send({ type: 'options.open', payload: {} });
    expect(openOptionsPage).toHaveBeenCalledTimes(1);
  });

  it('refuses extension-only messages from a content script, before reading them', async () => {
    for (const message of [
      { type: 'settings.get', payload: {} },
      {
        type: 'settings.update',
        payload: { patch: { crm: { baseUrl: 'https://evil.example', token: 'x' } } },
      },
      {
        type: 'crm.testConnection',
        payload: { crm: { type: 'rest', baseUrl: 'https://evil.example', token: 'x' } },
      },
      { type: 'status.get', payload: {} },
      { type: 'mailbox.connect', payload: { provider: 'gmail' } },
      { type: 'mailbox.syncNow', payload: {} },
    ]) {
      const { reply } = await send(message, GMAIL_CONTENT_SCRIPT);
      expect(reply).toMatchObject({
        ok: false,
        error: { kind: 'invalid_message', message: `${message.type} is not accepted from a content script` },
      });
    }
    // Another extension's page, or a sender without a URL, is nobody we answer.
    const stranger = await send(
      { type: 'status.get', payload: {} },
      { id: 'other-extension', url: POPUP.url },
    );
    expect(stranger.reply).toMatchObject({ ok: false, error: { kind: 'invalid_message' } });
    // The panel's own messages still work from the content script.
    const config = await send({ type: 'gmail.config.get', payload: {} }, GMAIL_CONTENT_SCRIPT);
    expect(config.reply).toMatchObject({ ok: true });
    expect(JSON.stringify(config.reply)).not.toContain('token');
  });

  it('refuses a CRM base URL other than https (or http on loopback) and URLs with credentials', async () => {
    for (const baseUrl of [
      'http://crm.example.com',
      'ftp://crm.example.com',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'https://user:secret@crm.example.com',
    ]) {
      const { reply } = await send({
        type: 'settings.update',
        payload: { patch: { crm: { type: 'rest', baseUrl, token: 'tok' } } },
      });
      expect({ baseUrl, reply }).toMatchObject({
        baseUrl,
        reply: { ok: false, error: { kind: 'invalid_settings' } },
      });
      const test = await send({
        type: 'crm.testConnection',
        payload: { crm: { type: 'rest', baseUrl, token: 'tok' } },
      });
      expect({ baseUrl, test }).toMatchObject({
        baseUrl,
        test: { reply: { ok: false, error: { kind: 'invalid_message' } } },
      });
    }
  });

  it('leaves InboxSDK’s messages to InboxSDK’s own listener', async () => {
    const sender = { tab: { id: 7 }, frameId: 0, documentId: 'doc-1', url: 'https://mail.google.com/' };
    const { answers, sendResponse } = await send({ type: 'inboxsdk__injectPageWorld' }, sender);
    // Our router stays silent (a second reply would race InboxSDK's); InboxSDK injects and answers.
    expect(answers.every((a) => a === undefined)).toBe(true);
    expect(executeScript).toHaveBeenCalledWith({
      target: { tabId: 7, documentIds: ['doc-1'], frameIds: undefined },
      world: 'MAIN',
      files: ['pageWorld.js'],
    });
    expect(sendResponse).toHaveBeenCalledWith(true);
  });

  it('re-plans the sync alarm when the frequency setting changes', async () => {
    expect((await fakeBrowser.alarms.get('mailbox-sync'))?.periodInMinutes).toBe(15);
    const saved = await send({ type: 'settings.update', payload: { patch: { syncFrequencyMinutes: 60 } } });
    expect(saved.reply).toMatchObject({ ok: true });
    await vi.waitFor(async () =>
      expect((await fakeBrowser.alarms.get('mailbox-sync'))?.periodInMinutes).toBe(60),
    );
  });

  it('records a scheduled sync that fails before it starts (no CRM yet) and shows it in the status', async () => {
    await db.mailboxes.put({
      id: 'gmail:rep@acme.test',
      provider: 'gmail',
      address: 'rep@acme.test',
      primary: true,
      status: 'connected',
      connectedAt: Date.now(),
    });
    await fakeBrowser.alarms.onAlarm.trigger({ name: 'mailbox-sync', scheduledTime: Date.now() });
    const { problems, mailboxes } = await status();
    expect(problems).toEqual([
      expect.objectContaining({
        activity: 'Sync of rep@acme.test',
        error: expect.objectContaining({ kind: 'not_configured', source: 'crm' }),
      }),
    ]);
    expect(mailboxes[0]?.lastError).toMatchObject({ kind: 'not_configured' });
    const logged = await db.events.where('kind').equals('sync.failed').toArray();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'error', error: { kind: 'not_configured' } });
  });

  it('records an outbox alarm whose CRM cannot be reached, as a network problem', async () => {
    // A loopback port nothing listens on: the connection is refused at once.
    const saved = await send({
      type: 'settings.update',
      payload: { patch: { crm: { type: 'rest', baseUrl: 'http://127.0.0.1:9', token: 'tok-123' } } },
    });
    expect(saved.reply).toMatchObject({ ok: true });
    await fakeBrowser.alarms.onAlarm.trigger({ name: 'outbox-drain', scheduledTime: Date.now() });
    const { problems } = await status();
    expect(problems).toContainEqual(
      expect.objectContaining({
        activity: 'Delivering logged emails to the CRM',
        error: expect.objectContaining({ kind: 'network', source: 'crm' }),
      }),
    );
  });
});
