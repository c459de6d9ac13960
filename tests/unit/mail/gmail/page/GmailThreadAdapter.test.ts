// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CRM_PANEL_TITLE,
  startGmailThreadAdapter,
} from '../../../../../lib/mail/gmail/page/GmailThreadAdapter';
import type { PanelHost } from '../../../../../lib/mail/gmail/page/PanelHost';
import type { ThreadSnapshot } from '../../../../../lib/mail/MailMessage';
import { FakeInboxSdk, FakeMessageView, FakeThreadView } from './FakeInboxSdk';

const ME = 'Rep@Example.com';
const ICON = 'data:image/svg+xml,icon';

function recordingPanelHost() {
  const renders: { element: HTMLElement; snapshot: ThreadSnapshot }[] = [];
  const unmounted: HTMLElement[] = [];
  const host: PanelHost = {
    render: (element, snapshot) => renders.push({ element, snapshot }),
    unmount: (element) => unmounted.push(element),
  };
  return { host, renders, unmounted, last: () => renders.at(-1)?.snapshot };
}

function incoming(gmailId: string, loaded = true) {
  return new FakeMessageView({
    gmailId,
    sender: { name: 'Ada Lovelace', emailAddress: 'Ada@Client.example' },
    recipients: [{ name: 'Rep', emailAddress: 'rep@example.com' }, { emailAddress: 'boss@client.example' }],
    dateString: 'Mon, Mar 11, 2024, 7:12 AM',
    loaded,
  });
}

function outgoing(gmailId: string) {
  return new FakeMessageView({
    gmailId,
    sender: { name: 'Rep', emailAddress: 'rep@example.com' },
    recipients: [{ name: 'Ada Lovelace', emailAddress: 'ada@client.example' }],
    attachments: 1,
  });
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

function start(sdk: FakeInboxSdk, extra: Partial<Parameters<typeof startGmailThreadAdapter>[1]> = {}) {
  const panel = recordingPanelHost();
  const adapter = startGmailThreadAdapter(sdk, {
    panelHost: panel.host,
    iconUrl: ICON,
    pageUrl: () => 'https://mail.google.com/mail/u/1/#inbox/FMfcgz',
    createPanelElement: () => document.createElement('div'),
    ...extra,
  });
  stop = adapter.stop;
  return panel;
}

describe('startGmailThreadAdapter', () => {
  it('adds a CRM panel to an opened thread and renders its snapshot', async () => {
    const sdk = new FakeInboxSdk(ME);
    const panel = start(sdk);
    const thread = new FakeThreadView('Renewal', '18e2c5b3f4a1d2c7', [
      incoming('18e2c5b3f4a1d2c7'),
      outgoing('18e2c5d0a0b1c2d3'),
    ]);
    sdk.openThread(thread);

    expect(thread.panels).toHaveLength(1);
    expect(thread.panels[0]).toMatchObject({ title: CRM_PANEL_TITLE, iconUrl: ICON });
    await vi.waitFor(() => expect(panel.last()?.messages).toHaveLength(2));

    const snapshot = panel.last()!;
    expect(panel.renders.at(-1)!.element).toBe(thread.panels[0]!.el);
    expect(snapshot).toMatchObject({
      provider: 'gmail',
      mailbox: 'rep@example.com',
      threadId: '18e2c5b3f4a1d2c7',
      subject: 'Renewal',
      url: 'https://mail.google.com/mail/u/1/#inbox/FMfcgz',
    });
    expect(snapshot.messages[0]).toMatchObject({
      provider: 'gmail',
      mailbox: 'rep@example.com',
      providerMessageId: '18e2c5b3f4a1d2c7',
      providerThreadId: '18e2c5b3f4a1d2c7',
      messageId: null,
      messageIdSource: 'none',
      from: { name: 'Ada Lovelace', address: 'ada@client.example' },
      to: [
        { name: 'Rep', address: 'rep@example.com' },
        { name: '', address: 'boss@client.example' },
      ],
      cc: [],
      subject: 'Renewal',
      date: '2024-03-11T07:12:41.290Z',
      hasAttachments: false,
      folderRole: 'other',
    });
    expect(snapshot.messages[1]).toMatchObject({
      providerMessageId: '18e2c5d0a0b1c2d3',
      from: { address: 'rep@example.com' },
      folderRole: 'sent',
      hasAttachments: true,
      date: '2024-03-11T07:14:38.731Z',
    });
  });

  it('falls back to the date tooltip when the Gmail id carries no date', async () => {
    const sdk = new FakeInboxSdk(ME);
    const panel = start(sdk);
    const odd = new FakeMessageView({
      gmailId: '0000000000000001',
      sender: { name: 'Ada', emailAddress: 'ada@client.example' },
      recipients: [],
      dateString: 'Tue, Mar 4, 2025, 10:14\u202fAM',
    });
    sdk.openThread(new FakeThreadView('Odd', '0000000000000001', [odd]));
    await vi.waitFor(() => expect(panel.last()?.messages).toHaveLength(1));
    expect(panel.last()!.messages[0]!.date).toBe(new Date(2025, 2, 4, 10, 14).toISOString());
  });

  it('adds a collapsed message to the snapshot once the user expands it', async () => {
    const sdk = new FakeInboxSdk(ME);
    const panel = start(sdk);
    const stub = incoming('18e2c61122334455', false);
    const thread = new FakeThreadView('Renewal', '18e2c5b3f4a1d2c7', [incoming('18e2c5b3f4a1d2c7'), stub]);
    sdk.openThread(thread);
    await vi.waitFor(() => expect(panel.last()?.messages).toHaveLength(1));

    stub.expand();
    await vi.waitFor(() =>
      expect(panel.last()?.messages.map((m) => m.providerMessageId)).toEqual([
        '18e2c5b3f4a1d2c7',
        '18e2c61122334455',
      ]),
    );
  });

  it('adds a message that arrives while the thread is open', async () => {
    const sdk = new FakeInboxSdk(ME);
    const panel = start(sdk);
    const thread = new FakeThreadView('Renewal', '18e2c5b3f4a1d2c7', [incoming('18e2c5b3f4a1d2c7')]);
    sdk.openThread(thread);
    await vi.waitFor(() => expect(panel.last()?.messages).toHaveLength(1));

    sdk.addMessage(thread, outgoing('18e2c5d0a0b1c2d3'));
    await vi.waitFor(() => expect(panel.last()?.messages).toHaveLength(2));
  });

  it('unmounts the panel when the user leaves a thread and follows the next one', async () => {
    const sdk = new FakeInboxSdk(ME);
    const panel = start(sdk);
    const first = new FakeThreadView('First', '18e2c5b3f4a1d2c7', [incoming('18e2c5b3f4a1d2c7')]);
    sdk.openThread(first);
    await vi.waitFor(() => expect(panel.last()?.subject).toBe('First'));
    const firstElement = first.panels[0]!.el;

    first.destroy();
    expect(panel.unmounted).toEqual([firstElement]);

    const second = new FakeThreadView('Second', '18f0000000000000', [outgoing('18f0000000000000')]);
    sdk.openThread(second);
    await vi.waitFor(() => expect(panel.last()?.subject).toBe('Second'));
    expect(panel.renders.at(-1)!.element).toBe(second.panels[0]!.el);
    expect(panel.renders.at(-1)!.element).not.toBe(firstElement);
    expect(panel.last()).toMatchObject({ threadId: '18f0000000000000', messages: [{ folderRole: 'sent' }] });

    // Nothing is drawn for the first thread any more.
    const rendersBefore = panel.renders.length;
    first.messageViews[0]!.expand();
    await new Promise((r) => setTimeout(r, 10));
    expect(panel.renders.slice(rendersBefore).every((r) => r.element !== firstElement)).toBe(true);
  });

  it('upgrades messages to exact Message-IDs the resolver finds, asking once per message', async () => {
    const sdk = new FakeInboxSdk(ME);
    const resolve = vi.fn(async (gmailId: string) =>
      gmailId === '18e2c5b3f4a1d2c7' ? 'caf=abc123@mail.gmail.com' : null,
    );
    const panel = start(sdk, { resolveInternetMessageId: resolve });
    const thread = new FakeThreadView('Renewal', '18e2c5b3f4a1d2c7', [
      incoming('18e2c5b3f4a1d2c7'),
      outgoing('18e2c5d0a0b1c2d3'),
    ]);
    sdk.openThread(thread);

    await vi.waitFor(() => expect(panel.last()?.messages[0]?.messageIdSource).toBe('header'));
    expect(panel.last()!.messages.map((m) => [m.messageId, m.messageIdSource])).toEqual([
      ['caf=abc123@mail.gmail.com', 'header'],
      [null, 'none'],
    ]);
    expect(resolve.mock.calls.map(([id]) => id).sort()).toEqual(['18e2c5b3f4a1d2c7', '18e2c5d0a0b1c2d3']);
  });

  it('stop() unregisters the handlers and unmounts open panels', async () => {
    const sdk = new FakeInboxSdk(ME);
    const panel = start(sdk);
    const thread = new FakeThreadView('Renewal', '18e2c5b3f4a1d2c7', [incoming('18e2c5b3f4a1d2c7')]);
    sdk.openThread(thread);
    await vi.waitFor(() => expect(panel.renders).toHaveLength(1));

    stop?.();
    stop = undefined;
    expect(panel.unmounted).toEqual([thread.panels[0]!.el]);
    sdk.openThread(new FakeThreadView('Later', '18f0000000000000', [outgoing('18f0000000000000')]));
    await new Promise((r) => setTimeout(r, 10));
    expect(panel.renders).toHaveLength(1);
  });
});
