// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type OutlookComposeLogger,
  type OutlookComposeLogResult,
  startOutlookComposeLogger,
} from '../../../../../lib/mail/outlook/page/OutlookComposeLogger';
import type { OutlookSentMessage } from '../../../../../lib/mail/outlook/page/outlookMessages';
import { parseOutlookUrl } from '../../../../../lib/mail/outlook/page/parseOutlookUrl';
import { readOutlookAccount } from '../../../../../lib/mail/outlook/page/readOutlookReadingPane';

// The sourced compose fixtures (tests/fixtures/outlook-compose/SOURCES.md).
const DIR = resolve(import.meta.dirname, '../../../../fixtures/outlook-compose');
const ME = 'dana.whitfield@northwind-trading.com';

function page(fixture: string): Document {
  document.body.innerHTML = readFileSync(resolve(DIR, fixture), 'utf8')
    .replace(/^[\s\S]*<body>/, '')
    .replace(/<\/body>[\s\S]*$/, '');
  return document;
}

let logger: OutlookComposeLogger | null = null;
afterEach(() => {
  logger?.stop();
  logger = null;
  document.body.innerHTML = '';
});

function start(doc: Document, options: { byDefault?: boolean; connected?: boolean; url?: string } = {}) {
  const requests: OutlookSentMessage[] = [];
  const declined: OutlookSentMessage[] = [];
  const results: OutlookComposeLogResult[] = [];
  logger = startOutlookComposeLogger(doc, {
    logByDefault: () => options.byDefault ?? true,
    logSentMessage: async (request) => {
      requests.push(request);
      return { outcome: 'queued' };
    },
    declineSentMessage: async (request) => {
      declined.push(request);
      return { outcome: 'skipped' };
    },
    account: () => readOutlookAccount(doc),
    location: () => parseOutlookUrl(options.url ?? 'https://outlook.office.com/mail/inbox'),
    confirmedByMailbox: () => options.connected ?? true,
    undoWindowMs: 60,
    closeTimeoutMs: 150,
    pollMs: 5,
    now: () => new Date('2026-11-20T10:00:00Z'),
    onLogged: (r) => results.push(r),
  });
  return { requests, declined, results };
}

const form = (doc: Document) => doc.getElementById('docking_InitVisiblePart_0')!;
const toggle = (doc: Document) => doc.querySelector<HTMLInputElement>('input[data-crm-log-toggle]')!;
const send = (doc: Document) => doc.querySelector<HTMLButtonElement>('button[aria-label="Send"]')!;

describe('The "Log to CRM" toggle in Outlook compose forms', () => {
  it('sits right after the Send button, labelled, on by default from the settings', () => {
    const doc = page('new-message.html');
    start(doc);
    const box = toggle(doc);
    expect(box.checked).toBe(true);
    expect(box.closest('label')?.textContent).toBe('Log to CRM');
    expect(box.closest('label')?.previousElementSibling?.classList.contains('fui-SplitButton')).toBe(true);
    logger?.stop();
    expect(doc.querySelector('input[data-crm-log-toggle]')).toBeNull();
    logger = null;
    start(page('new-message.html'), { byDefault: false });
    expect(toggle(document).checked).toBe(false);
  });

  it('hands a reply over once the form closes after Send, with what the form showed', async () => {
    const url =
      'https://outlook.office.com/mail/inbox/id/AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQAPnHs8M%2BTk%2Bl9vYwqJ5%3D';
    const doc = page('inline-reply.html');
    const { requests } = start(doc, { url });
    send(doc).click();
    form(doc).remove(); // Outlook closes the form when the send goes through.
    await vi.waitFor(() => expect(requests).toHaveLength(1));
    expect(requests[0]).toMatchObject({
      mailbox: ME,
      fromName: 'Dana Whitfield',
      kind: 'reply',
      conversationId: 'AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQAPnHs8M_Tk_l9vYwqJ5=',
      subject: 'RE: Pilot results and next steps',
      to: [{ name: 'Alice Moreau', address: 'alice.moreau@acme-robotics.com' }],
      bcc: [{ name: 'Sam Okafor', address: 'sam.okafor@northwind-trading.com' }],
      sentAt: '2026-11-20T10:00:00.000Z',
    });
    expect(requests[0]?.composeKey).toMatch(/^[0-9a-f]{8}$/);
  });

  it('turned off, logs nothing, and tells the background of a synced mailbox to keep the sync off it too', async () => {
    const doc = page('new-message.html');
    const { requests, declined, results } = start(doc);
    toggle(doc).click();
    expect(toggle(doc).checked).toBe(false);
    send(doc).click();
    form(doc).remove();
    await vi.waitFor(() => expect(results.map((r) => r.status)).toEqual(['skipped_toggle_off']));
    expect(requests).toEqual([]);
    await vi.waitFor(() => expect(declined).toHaveLength(1));
    expect(declined[0]).toMatchObject({ kind: 'new', mailbox: expect.any(String) });
  });

  it('turned off without a synced mailbox, says nothing to the background (no sync would log it)', async () => {
    const doc = page('new-message.html');
    const { requests, declined, results } = start(doc, { connected: false });
    toggle(doc).click();
    send(doc).click();
    form(doc).remove();
    await vi.waitFor(() => expect(results.map((r) => r.status)).toEqual(['skipped_toggle_off']));
    expect(requests).toEqual([]);
    expect(declined).toEqual([]);
  });

  it('Ctrl+Enter sends as the button does', async () => {
    const doc = page('new-message.html');
    const { requests } = start(doc);
    doc
      .querySelector('[aria-label^="Message body"]')!
      .dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true }));
    form(doc).remove();
    await vi.waitFor(() => expect(requests).toHaveLength(1));
    expect(requests[0]?.kind).toBe('new');
  });

  it('a form that stays open after Send (Outlook refused it) logs nothing', async () => {
    const doc = page('new-message.html');
    const { requests, results } = start(doc);
    send(doc).click();
    await new Promise((r) => setTimeout(r, 250));
    expect(requests).toEqual([]);
    expect(results).toEqual([]);
  });

  it('without a connected mailbox, waits out "Undo send" and drops a send that was taken back', async () => {
    const doc = page('new-message.html');
    const { requests, results } = start(doc, { connected: false });
    const html = form(doc).outerHTML;
    const parent = form(doc).parentElement!;
    send(doc).click();
    form(doc).remove();
    await new Promise((r) => setTimeout(r, 20));
    parent.insertAdjacentHTML('beforeend', html); // Undo: the draft comes back.
    await vi.waitFor(() => expect(results.map((r) => r.status)).toEqual(['undone']));
    expect(requests).toEqual([]);

    logger?.stop();
    const second = start(page('new-message.html'), { connected: false });
    send(document).click();
    form(document).remove();
    await new Promise((r) => setTimeout(r, 30));
    expect(second.requests).toEqual([]); // still inside the undo window
    await vi.waitFor(() => expect(second.requests).toHaveLength(1));
  });
});
