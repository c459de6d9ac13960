import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GmailApiClient } from '../../../../../lib/mail/gmail/api/GmailApiClient';
import { GMAIL_QUOTA_UNITS } from '../../../../../lib/mail/gmail/api/GmailQuotaLimiter';
import { gmailApiThreadId, gmailThreadFromUrl } from '../../../../../lib/mail/gmail/api/gmailThreadFromUrl';
import { GMAIL_METADATA_HEADERS } from '../../../../../lib/mail/gmail/api/mapGmailMessage';
import { FakeGmailApi, GMAIL_SCOPE_METADATA } from '../../../../fakes/FakeGmailApi';

const ME = 'dana.whitfield@northwind-trading.com';
const ALICE = 'alice.moreau@acme-robotics.com';
// The URL forms are those quoted in googleworkspace/cli#790 and #858: an older link carries the
// 16-hex-digit API thread id (`#all/19e1acd465710c93`), today's an opaque token (`FMfcgz...`).
const THREAD_ID = '19e1acd465710c93';
const HEX_URL = `https://mail.google.com/mail/u/0/#all/${THREAD_ID}`;
const OPAQUE_URL = 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQgLjNPlfJCVRfnNkPGkLhWClCW';

describe('gmailThreadFromUrl (the side panel reads a Gmail thread through the API)', () => {
  let fake: FakeGmailApi;
  let client: GmailApiClient;
  let token: string;

  beforeEach(async () => {
    fake = new FakeGmailApi({ seed: 5 });
    const baseUrl = await fake.start();
    token = fake.issueAccessToken(ME);
    client = new GmailApiClient({ mailboxId: 'mbx-gmail', baseUrl, getAccessToken: async () => token });
  });
  afterEach(async () => {
    expect(fake.schemaViolations).toEqual([]);
    await fake.stop();
  });

  /**
   * A received message, the rep's reply and an unsent draft in one conversation, added newest
   * first so the order of the answer is the thread's, not the fake's. Headers as RFC 5322 §3.6
   * spells them; the people are fictional. Labels as Gmail puts them on received, sent and draft
   * mail (developers.google.com/gmail/api/guides/labels, system labels).
   */
  function seedConversation() {
    const add = (labelIds: string[], at: string, from: string, to: string, subject: string, id: string) =>
      fake.sendMessage(ME, {
        threadId: THREAD_ID,
        labelIds,
        internalDate: Date.parse(at),
        headers: [
          { name: 'From', value: from },
          { name: 'To', value: to },
          { name: 'Subject', value: subject },
          { name: 'Message-ID', value: id },
          { name: 'Received', value: 'by 2002:a05:6a10:1234 with SMTP id x1csp; Tue, 17 Nov 2026' },
        ],
      });
    const dana = `Dana Whitfield <${ME}>`;
    const alice = `Alice Moreau <${ALICE}>`;
    add(['DRAFT'], '2026-11-17T11:00:00Z', dana, alice, 'Re: Contract redlines', '<draft-3@mail.gmail.com>');
    add(['SENT'], '2026-11-17T10:15:00Z', dana, alice, 'Re: Contract redlines', '<CAreply-2@mail.gmail.com>');
    add(
      ['INBOX', 'UNREAD', 'CATEGORY_PERSONAL'],
      '2026-11-17T09:02:17Z',
      alice,
      dana,
      'Contract redlines',
      '<first-1@acme-robotics.com>',
    );
    // Another conversation in the same mailbox, which the answer must not carry.
    fake.sendMessage(ME, {
      labelIds: ['INBOX'],
      headers: [{ name: 'Message-ID', value: '<other@acme-robotics.com>' }],
    });
  }

  it('reads the thread a 16-hex URL names in one threads.get, oldest first, with exact Message-IDs', async () => {
    seedConversation();
    const snapshot = await gmailThreadFromUrl(HEX_URL, client, 'Dana.Whitfield@northwind-trading.com');
    expect(snapshot).toMatchObject({
      provider: 'gmail',
      mailbox: ME,
      threadId: THREAD_ID,
      subject: 'Contract redlines',
      url: HEX_URL,
      source: 'exact',
    });
    expect(
      snapshot?.messages.map((m) => [m.from?.address, m.to.map((a) => a.address), m.messageId, m.folderRole]),
    ).toEqual([
      [ALICE, [ME], 'first-1@acme-robotics.com', 'inbox'],
      [ME, [ALICE], 'careply-2@mail.gmail.com', 'sent'],
      // A draft is a draft, as the sync maps it: nothing logs it.
      [ME, [ALICE], 'draft-3@mail.gmail.com', 'drafts'],
    ]);
    expect(snapshot?.messages[1]).toMatchObject({
      providerThreadId: THREAD_ID,
      date: '2026-11-17T10:15:00.000Z',
    });
    // One request, 10 quota units (developers.google.com/gmail/api/reference/quota).
    expect(fake.counters.httpRequests).toBe(1);
    expect(fake.counters.byMethod.threadsGet).toBe(1);
    expect(fake.counters.unitsCharged).toBe(GMAIL_QUOTA_UNITS.threadsGet);
  });

  it('asks only for the headers the sync asks for, and works with the gmail.metadata scope', async () => {
    seedConversation();
    token = fake.issueAccessToken(ME, { scopes: [GMAIL_SCOPE_METADATA] });
    const thread = await client.getThreadMetadata(THREAD_ID, GMAIL_METADATA_HEADERS);
    const names = new Set(thread?.messages?.flatMap((m) => m.payload?.headers?.map((h) => h.name) ?? []));
    expect(names.has('Received')).toBe(false);
    expect(names.has('Message-ID')).toBe(true);
    expect(thread?.messages).toHaveLength(3);
  });

  it('makes no request for an opaque token, and answers null for an id Gmail does not know', async () => {
    seedConversation();
    expect(await gmailThreadFromUrl(OPAQUE_URL, client, ME)).toBeNull();
    expect(fake.counters.httpRequests).toBe(0);
    expect(
      await gmailThreadFromUrl('https://mail.google.com/mail/u/0/#inbox/0000000000000001', client, ME),
    ).toBeNull();
    expect(fake.counters.httpRequests).toBe(1);
    expect(fake.counters.byStatus[404]).toBe(1);
  });

  it('finds the API id only in a thread view whose last segment is 16 hex digits', () => {
    expect(gmailApiThreadId(HEX_URL)).toBe(THREAD_ID);
    expect(gmailApiThreadId(`https://mail.google.com/mail/u/0/#inbox/${THREAD_ID.toUpperCase()}`)).toBe(
      THREAD_ID,
    );
    expect(gmailApiThreadId(`https://mail.google.com/mail/u/0/#label/Clients/${THREAD_ID}`)).toBe(THREAD_ID);
    expect(gmailApiThreadId(OPAQUE_URL)).toBeNull();
    // A search for 16 hex digits with an opaque thread open, the list, settings: no API id.
    expect(
      gmailApiThreadId(
        `https://mail.google.com/mail/u/0/#search/${THREAD_ID}/FMfcgzQgLjNPlfJCVRfnNkPGkLhWClCW`,
      ),
    ).toBeNull();
    expect(gmailApiThreadId('https://mail.google.com/mail/u/0/#inbox')).toBeNull();
    expect(gmailApiThreadId('https://mail.google.com/mail/u/0/#settings/general')).toBeNull();
  });
});
