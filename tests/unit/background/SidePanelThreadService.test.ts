import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SidePanelThreadService } from '../../../lib/background/SidePanelThreadService';
import { gmailMailboxProvider } from '../../../lib/mail/gmail/api/gmailMailboxProvider';
import { outlookMailboxProvider } from '../../../lib/mail/outlook/api/outlookMailboxProvider';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { FakeGmailApi } from '../../fakes/FakeGmailApi';
import { FakeGraphApi } from '../../fakes/FakeGraphApi';

let dbCounter = 0;
const ME = 'dana.whitfield@northwind-trading.com';
const ALICE = { name: 'Alice Moreau', address: 'alice.moreau@acme-robotics.com' };
// The three-pane URL form of tests/fixtures/outlook (SOURCES.md): /mail/inbox/id/<conversation id>.
const CONVERSATION = 'AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQAConv04A';
const THREAD_URL = `https://outlook.office.com/mail/inbox/id/${CONVERSATION}`;

describe('SidePanelThreadService (the side panel reads the thread through the mailbox API)', () => {
  let db: CrmSidebarDb;
  let graph: FakeGraphApi;
  let service: SidePanelThreadService;
  let requests: string[];

  beforeEach(async () => {
    db = openCrmSidebarDb(`side-panel-${++dbCounter}`);
    graph = new FakeGraphApi();
    const baseUrl = await graph.start();
    const token = graph.issueAccessToken(ME);
    requests = [];
    const api = outlookMailboxProvider.open('mbx-outlook', async () => token, {
      baseUrl,
      fetch: (input, init) => {
        requests.push(String(input));
        return fetch(input, init);
      },
    });
    service = new SidePanelThreadService({
      db,
      mailboxApi: async (id) => ({ row: (await db.mailboxes.get(id))!, api }),
    });
  });
  afterEach(async () => {
    db.close();
    await graph.stop();
  });

  const connect = () =>
    db.mailboxes.put({
      id: 'mbx-outlook',
      provider: 'outlook',
      address: ME,
      primary: true,
      status: 'connected',
      connectedAt: Date.now(),
    });

  it('reads the conversation the URL names in one Graph request, with exact Message-IDs', async () => {
    await connect();
    graph.sendMessage(ME, {
      folder: 'inbox',
      conversationId: CONVERSATION,
      subject: 'Contract redlines',
      from: ALICE,
      toRecipients: [{ name: 'Dana Whitfield', address: ME }],
      sentDateTime: '2026-11-17T09:02:03Z',
      receivedDateTime: '2026-11-17T09:02:17Z',
    });
    graph.sendMessage(ME, {
      folder: 'sentitems',
      conversationId: CONVERSATION,
      subject: 'RE: Contract redlines',
      from: { name: 'Dana Whitfield', address: ME },
      toRecipients: [ALICE],
      sentDateTime: '2026-11-17T10:15:00Z',
      receivedDateTime: '2026-11-17T10:15:01Z',
    });
    const answer = await service.threadFor(THREAD_URL);
    expect(answer.state).toBe('thread');
    if (answer.state !== 'thread') return;
    expect(answer.snapshot.source).toBe('exact');
    expect(answer.snapshot.messages.map((m) => [m.from?.address, m.folderRole])).toEqual([
      [ALICE.address, 'inbox'],
      [ME, 'sent'],
    ]);
    expect(answer.snapshot.messages.every((m) => m.messageId && m.messageIdSource === 'api')).toBe(true);
    expect(requests).toHaveLength(1);
  });

  it('says what it needs: a connected mailbox, a thread open, an id Graph knows', async () => {
    expect(await service.threadFor(THREAD_URL)).toEqual({ state: 'needs_mailbox', provider: 'outlook' });
    expect(await service.threadFor('https://outlook.office.com/mail/inbox')).toEqual({
      state: 'no_thread',
      provider: 'outlook',
    });
    expect(await service.threadFor('https://news.example/article')).toEqual({
      state: 'no_thread',
      provider: null,
    });
    await connect();
    expect(await service.threadFor(THREAD_URL)).toEqual({
      state: 'not_found',
      provider: 'outlook',
      mailbox: ME,
    });
  });
});

describe('SidePanelThreadService with Gmail (the thread through the Gmail API)', () => {
  // URL forms quoted in googleworkspace/cli#790 and #858: an older link carries the API thread
  // id (16 hex digits), today's an opaque token the API cannot open.
  const THREAD_ID = '19e1acd465710c93';
  const HEX_URL = `https://mail.google.com/mail/u/0/#all/${THREAD_ID}`;
  const OPAQUE_URL = 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQgLjNPlfJCVRfnNkPGkLhWClCW';
  let db: CrmSidebarDb;
  let gmail: FakeGmailApi;
  let service: SidePanelThreadService;

  beforeEach(async () => {
    db = openCrmSidebarDb(`side-panel-gmail-${++dbCounter}`);
    gmail = new FakeGmailApi({ seed: 11 });
    const baseUrl = await gmail.start();
    const token = gmail.issueAccessToken(ME);
    const api = gmailMailboxProvider.open('mbx-gmail', async () => token, { baseUrl });
    service = new SidePanelThreadService({
      db,
      mailboxApi: async (id) => ({ row: (await db.mailboxes.get(id))!, api }),
    });
    await db.mailboxes.put({
      id: 'mbx-gmail',
      provider: 'gmail',
      address: ME,
      primary: true,
      status: 'connected',
      connectedAt: Date.now(),
    });
  });
  afterEach(async () => {
    db.close();
    expect(gmail.schemaViolations).toEqual([]);
    await gmail.stop();
  });

  it('answers a URL carrying the API thread id with the thread, in one request', async () => {
    // Headers as RFC 5322 §3.6 spells them; the people are fictional.
    gmail.sendMessage(ME, {
      threadId: THREAD_ID,
      labelIds: ['INBOX'],
      internalDate: Date.parse('2026-11-17T09:02:17Z'),
      headers: [
        { name: 'From', value: `${ALICE.name} <${ALICE.address}>` },
        { name: 'To', value: `Dana Whitfield <${ME}>` },
        { name: 'Subject', value: 'Contract redlines' },
        { name: 'Message-ID', value: '<first-1@acme-robotics.com>' },
      ],
    });
    gmail.sendMessage(ME, {
      threadId: THREAD_ID,
      labelIds: ['SENT'],
      internalDate: Date.parse('2026-11-17T10:15:00Z'),
      headers: [
        { name: 'From', value: `Dana Whitfield <${ME}>` },
        { name: 'To', value: `${ALICE.name} <${ALICE.address}>` },
        { name: 'Subject', value: 'Re: Contract redlines' },
        { name: 'Message-ID', value: '<reply-2@mail.gmail.com>' },
      ],
    });
    const answer = await service.threadFor(HEX_URL);
    expect(answer.state).toBe('thread');
    if (answer.state !== 'thread') return;
    expect(answer.snapshot).toMatchObject({ provider: 'gmail', threadId: THREAD_ID, source: 'exact' });
    expect(answer.snapshot.messages.map((m) => [m.from?.address, m.messageId, m.folderRole])).toEqual([
      [ALICE.address, 'first-1@acme-robotics.com', 'inbox'],
      [ME, 'reply-2@mail.gmail.com', 'sent'],
    ]);
    expect(gmail.counters.httpRequests).toBe(1);
    expect(gmail.counters.byMethod.threadsGet).toBe(1);
  });

  it('says an opaque link cannot be opened (no request), and an unknown id is not found', async () => {
    expect(await service.threadFor(OPAQUE_URL)).toEqual({ state: 'unreadable_url', provider: 'gmail' });
    expect(gmail.counters.httpRequests).toBe(0);
    expect(await service.threadFor(HEX_URL)).toEqual({ state: 'not_found', provider: 'gmail', mailbox: ME });
    expect(await service.threadFor('https://mail.google.com/mail/u/0/#inbox')).toEqual({
      state: 'no_thread',
      provider: 'gmail',
    });
  });
});

describe('SidePanelThreadService with Gmail and no mailbox connected (the page reader)', () => {
  const OPAQUE_URL = 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQgLjNPlfJCVRfnNkPGkLhWClCW';
  let db: CrmSidebarDb;
  let service: SidePanelThreadService;

  beforeEach(() => {
    db = openCrmSidebarDb(`side-panel-page-${++dbCounter}`);
    service = new SidePanelThreadService({
      db,
      mailboxApi: async () => {
        throw new Error('no mailbox is connected');
      },
    });
  });
  afterEach(() => db.close());

  // What readGmailPagePeople answers in the tab (tests/unit/mail/gmail/page/readGmailPagePeople.test.ts).
  const page = (url: string, people: { address: string; name: string }[]) => async () => ({ url, people });

  it('shows the people the page names, marked as read from the page, for any thread link', async () => {
    const answer = await service.threadFor(
      OPAQUE_URL,
      page(OPAQUE_URL, [
        { address: 'Alice.Moreau@acme-robotics.com', name: 'Alice Moreau' },
        { address: ME, name: 'Dana Whitfield' },
      ]),
    );
    expect(answer).toEqual({
      state: 'page_people',
      provider: 'gmail',
      people: [
        { address: 'alice.moreau@acme-robotics.com', name: 'Alice Moreau' },
        { address: ME, name: 'Dana Whitfield' },
      ],
    });
  });

  it('says what it needs when the page names nobody, answered for another URL, or cannot be read', async () => {
    const needs = { state: 'needs_mailbox', provider: 'gmail' };
    expect(await service.threadFor(OPAQUE_URL, page(OPAQUE_URL, []))).toEqual(needs);
    expect(
      await service.threadFor(
        OPAQUE_URL,
        page('https://mail.google.com/mail/u/0/#inbox', [{ address: 'a@b.example', name: '' }]),
      ),
    ).toEqual(needs);
    expect(
      await service.threadFor(OPAQUE_URL, async () => {
        throw new Error('Cannot access contents of the page');
      }),
    ).toEqual(needs);
    expect(await service.threadFor(OPAQUE_URL, async () => 'not an answer')).toEqual(needs);
    expect(await service.threadFor(OPAQUE_URL)).toEqual(needs);
  });

  it('never reads the page of the inbox list, settings, or an Outlook tab', async () => {
    let reads = 0;
    const counting = async () => {
      reads += 1;
      return { url: '', people: [] };
    };
    await service.threadFor('https://mail.google.com/mail/u/0/#inbox', counting);
    await service.threadFor('https://mail.google.com/mail/u/0/#settings/general', counting);
    await service.threadFor(THREAD_URL, counting);
    expect(reads).toBe(0);
  });
});
