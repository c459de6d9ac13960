import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SingleFlight } from '../../../../../lib/async/SingleFlight';
import { MailboxAuthError } from '../../../../../lib/auth/MailboxAuthError';
import { GmailApiClient } from '../../../../../lib/mail/gmail/api/GmailApiClient';
import {
  GmailSentSync,
  type GmailSyncCursor,
  gmailCursorKey,
} from '../../../../../lib/mail/gmail/api/GmailSentSync';
import { GMAIL_METADATA_HEADERS } from '../../../../../lib/mail/gmail/api/mapGmailMessage';
import { type MailMessage, SELECTED_HEADERS } from '../../../../../lib/mail/MailMessage';
import type { SyncProgress } from '../../../../../lib/mail/sync/MailboxSync';
import { FakeGmailApi, GMAIL_SCOPE_METADATA } from '../../../../fakes/FakeGmailApi';
import { MemoryCursorStore } from '../../../sync/memoryCursorStore';

const EMAIL = 'sam@seller.example';
const DAY = 86_400_000;

describe('GmailSentSync against FakeGmailApi', () => {
  let fake: FakeGmailApi;
  let baseUrl: string;
  let token: string;
  let cursors: MemoryCursorStore<GmailSyncCursor>;
  let delivered: MailMessage[];
  let progress: SyncProgress[];
  // One client per mailbox for the whole test, as in the extension: its quota limiter must
  // see every pass, or two passes back to back could together overrun a window.
  let client: GmailApiClient;

  beforeEach(async () => {
    fake = new FakeGmailApi({ seed: 11 });
    baseUrl = await fake.start();
    token = fake.issueAccessToken(EMAIL);
    cursors = new MemoryCursorStore();
    delivered = [];
    progress = [];
    client = new GmailApiClient({
      mailboxId: 'mbx-1',
      baseUrl,
      getAccessToken: async () => token,
      retryEnvironment: { sleep: async () => {}, random: () => 0 },
    });
  });
  afterEach(() => fake.stop());

  function sync(overrides: Partial<ConstructorParameters<typeof GmailSentSync>[0]> = {}) {
    return new GmailSentSync({
      mailboxId: 'mbx-1',
      mailboxAddress: EMAIL,
      client,
      cursors,
      importWindowDays: 30,
      pageSize: 20,
      flights: new SingleFlight(),
      sink: async (messages) => {
        delivered.push(...messages);
      },
      onProgress: (p) => progress.push(p),
      ...overrides,
    });
  }

  const ids = (messages: MailMessage[]) => messages.map((m) => m.providerMessageId).sort();
  const inWindow = (days: number) =>
    fake
      .messages(EMAIL)
      .filter((m) => m.labelIds.includes('SENT') && m.internalDate > Date.now() - days * DAY)
      .map((m) => m.id)
      .sort();

  it('imports the window on first run, in pages, then continues from history', async () => {
    // 90 messages, one every 12 hours: 60 of them fall inside the 30-day window.
    fake.seedSentMessages(EMAIL, 90, { spacingMs: DAY / 2, newest: Date.now() - 60_000 });
    fake.seedInboxMessages(EMAIL, 10);
    const first = await sync().run();
    expect(first).toMatchObject({ mode: 'initial', handedOff: 60, pages: 3, vanished: 0 });
    expect(ids(delivered)).toEqual(inWindow(30));
    expect(delivered.every((m) => m.folderRole === 'sent' && m.mailbox === EMAIL)).toBe(true);
    expect(progress.at(-1)).toEqual({ scanned: 60, handedOff: 60, total: 60 });
    expect(await cursors.get('mbx-1')).toEqual({ kind: 'history', historyId: expect.any(String) });

    delivered = [];
    const fresh = [
      fake.sendMessage(EMAIL, { headers: [{ name: 'Message-ID', value: '<new-1@x>' }] }),
      fake.sendMessage(EMAIL, { headers: [{ name: 'Message-ID', value: '<new-2@x>' }] }),
    ];
    fake.seedInboxMessages(EMAIL, 3);
    const second = await sync().run();
    expect(second).toMatchObject({ mode: 'incremental', handedOff: 2 });
    expect(ids(delivered)).toEqual(fresh.map((m) => m.id).sort());
    expect(delivered.map((m) => m.messageId).sort()).toEqual(['new-1@x', 'new-2@x']);

    delivered = [];
    expect(await sync().run()).toMatchObject({ mode: 'incremental', handedOff: 0, scanned: 0 });
  });

  it('advances the cursor only after the sink resolves: a crash mid-import loses nothing', async () => {
    fake.seedSentMessages(EMAIL, 50, { spacingMs: DAY / 4 });
    let pagesAccepted = 0;
    const crashing = sync({
      sink: async (messages) => {
        if (pagesAccepted === 1) throw new Error('service worker killed');
        pagesAccepted++;
        delivered.push(...messages);
      },
    });
    await expect(crashing.run()).rejects.toThrow('service worker killed');
    expect(delivered).toHaveLength(20);
    const saved = await cursors.get('mbx-1');
    expect(saved).toMatchObject({ kind: 'scan', mode: 'initial', pageToken: expect.any(String) });

    const resumed = await sync().run();
    expect(resumed).toMatchObject({ mode: 'initial', handedOff: 30 });
    // Every message arrived; the refused page was re-delivered, not skipped.
    expect(ids(delivered)).toEqual(inWindow(30));
  });

  it('re-delivers an incremental page whose sink failed', async () => {
    fake.seedSentMessages(EMAIL, 5, { spacingMs: DAY });
    await sync().run();
    const before = await cursors.get('mbx-1');
    fake.sendMessage(EMAIL, { headers: [] });
    fake.sendMessage(EMAIL, { headers: [] });
    delivered = [];
    await expect(
      sync({
        sink: async () => {
          throw new Error('IndexedDB quota');
        },
      }).run(),
    ).rejects.toThrow('IndexedDB quota');
    expect(await cursors.get('mbx-1')).toEqual(before);
    const retry = await sync().run();
    expect(retry).toMatchObject({ mode: 'incremental', handedOff: 2 });
  });

  it('falls back to a bounded re-scan of the window when the history id has expired', async () => {
    fake.seedSentMessages(EMAIL, 40, { spacingMs: DAY, newest: Date.now() - 60_000 });
    await sync().run();
    fake.expireHistory(EMAIL);
    const late = fake.sendMessage(EMAIL, { headers: [] });
    delivered = [];
    const result = await sync().run();
    expect(result.mode).toBe('rescan');
    // The window again (registry downstream drops the doubles) plus the new message.
    expect(ids(delivered)).toEqual(inWindow(30));
    expect(ids(delivered)).toContain(late.id);
    expect(fake.counters.byStatus[404]).toBe(1);
    delivered = [];
    expect(await sync().run()).toMatchObject({ mode: 'incremental', handedOff: 0 });
  });

  it('scans the label without `q` for a gmail.metadata token and stops at the window edge', async () => {
    token = fake.issueAccessToken(EMAIL, { scopes: [GMAIL_SCOPE_METADATA] });
    fake.seedSentMessages(EMAIL, 100, { spacingMs: DAY / 2, newest: Date.now() - 60_000 });
    const result = await sync({ searchQuerySupported: false, importWindowDays: 10 }).run();
    expect(ids(delivered)).toEqual(inWindow(10));
    expect(result.handedOff).toBe(20);
    // Pages of 20: the page that crossed the edge was the last one fetched.
    expect(fake.counters.byMethod.messagesList).toBe(2);
    expect(fake.counters.byStatus[403]).toBeUndefined();
  });

  it('syncs received mail with the INBOX label under its own cursor', async () => {
    fake.seedSentMessages(EMAIL, 5, { spacingMs: DAY });
    fake.seedInboxMessages(EMAIL, 8, { spacingMs: DAY, automatedRatio: 0.5 });
    const result = await sync({ labelId: 'INBOX' }).run();
    expect(result.handedOff).toBe(8);
    expect(delivered.every((m) => m.folderRole === 'inbox')).toBe(true);
    expect(delivered.some((m) => m.headers['list-unsubscribe'] !== undefined)).toBe(true);
    expect(await cursors.get(gmailCursorKey('mbx-1', 'INBOX'))).toMatchObject({ kind: 'history' });
    expect(await cursors.get('mbx-1')).toBeNull();
  });

  it('skips messages deleted between listing and fetching', async () => {
    const seeded = fake.seedSentMessages(EMAIL, 3, { spacingMs: DAY });
    await sync().run();
    const added = fake.sendMessage(EMAIL, { headers: [] });
    fake.deleteMessage(EMAIL, added.id);
    fake.deleteMessage(EMAIL, seeded[0]!.id);
    delivered = [];
    expect(await sync().run()).toMatchObject({ mode: 'incremental', handedOff: 0, vanished: 1, scanned: 1 });
  });

  it('surfaces MailboxAuthError and keeps the cursor when the token is revoked', async () => {
    fake.seedSentMessages(EMAIL, 3, { spacingMs: DAY });
    await sync().run();
    const before = await cursors.get('mbx-1');
    fake.revokeAccessToken(token);
    await expect(sync().run()).rejects.toBeInstanceOf(MailboxAuthError);
    expect(await cursors.get('mbx-1')).toEqual(before);
  });

  it('runs one pass per mailbox at a time', async () => {
    fake.seedSentMessages(EMAIL, 10, { spacingMs: DAY });
    const flights = new SingleFlight<Awaited<ReturnType<GmailSentSync['run']>>>();
    const a = sync({ flights }).run();
    const b = sync({ flights }).run();
    expect(flights.isRunning('gmail:mbx-1')).toBe(true);
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra).toBe(rb);
    expect(fake.counters.byMethod.getProfile).toBe(1);
    expect(delivered).toHaveLength(10);
  });

  it('never exceeds the quota during a sync: zero 429s from the fake', async () => {
    fake.seedSentMessages(EMAIL, 120, { spacingMs: DAY / 8 });
    const result = await sync({ pageSize: 100 }).run();
    expect(result.handedOff).toBe(120);
    expect(fake.counters.quotaRejections).toBe(0);
    expect(fake.counters.maxUnitsInWindow).toBeLessThanOrEqual(250);
  });

  it('fetches the window through batch requests: 300 messages in at most 30 HTTP round trips', async () => {
    fake.seedSentMessages(EMAIL, 300, { spacingMs: DAY / 20, newest: Date.now() - 60_000 });
    // Random faults inside the batches' parts: each retried alone, none lost or doubled.
    fake.setRandomFaults({
      probability: 0.1,
      methods: ['messagesGet'],
      faults: [
        { kind: 'serverError', status: 503 },
        { kind: 'rateLimit', retryAfterSeconds: 0 },
        { kind: 'userRateLimit' },
      ],
    });
    const result = await sync({ pageSize: 100 }).run();
    fake.setRandomFaults(null);
    expect(result.handedOff).toBe(300);
    expect(ids(delivered)).toEqual(inWindow(30));
    expect(new Set(delivered.map((m) => m.providerMessageId)).size).toBe(300);
    expect(fake.counters.faultsInjected).toBeGreaterThan(0);
    // getProfile + 3 list pages + about 4 batches a page (each takes what the quota window has
    // room for, at most 50 calls) + the retry rounds; before batching it was one request per
    // message, 304 round trips.
    expect(fake.counters.httpRequests).toBeLessThanOrEqual(30);
    expect(fake.counters.maxBatchParts).toBeLessThanOrEqual(50);
    expect(fake.counters.quotaRejections).toBe(0);
    expect(fake.schemaViolations).toEqual([]);
  }, 30_000);

  it('asks for headers in their usual case and variants, and reads the answer in any case', async () => {
    // Header spellings as real mail carries them: "Message-ID" (RFC 5322, Gmail), "Message-Id"
    // (Postfix, Exchange), "List-ID" (Mailman, Google Groups), "List-Id" (RFC 2919).
    const spellings: [string, string][] = [
      ['Message-ID', '<a1@mail.gmail.com>'],
      ['Message-Id', '<b2@mx.example>'],
    ];
    for (const [name, value] of spellings) {
      fake.sendMessage(EMAIL, {
        headers: [
          { name: 'From', value: `Sam <${EMAIL}>` },
          { name: 'To', value: 'ana@acme-corp.example' },
          { name: 'Subject', value: name },
          { name, value },
          { name: name === 'Message-ID' ? 'List-ID' : 'List-Id', value: '<news.acme-corp.example>' },
          { name: 'Auto-Submitted', value: 'auto-replied' },
        ],
      });
    }
    await sync().run();
    const byId = new Map(delivered.map((m) => [m.messageId, m]));
    expect([...byId.keys()].sort()).toEqual(['a1@mail.gmail.com', 'b2@mx.example']);
    for (const message of delivered) {
      expect(message.headers['list-id']).toBe('<news.acme-corp.example>');
      expect(message.headers['auto-submitted']).toBe('auto-replied');
    }
  });

  it('requests every selected header under a name mail software writes', () => {
    const requested = new Set(GMAIL_METADATA_HEADERS.map((h) => h.toLowerCase()));
    for (const name of SELECTED_HEADERS) expect(requested.has(name), name).toBe(true);
    // Never only the lower-case form the filter may not match.
    expect(GMAIL_METADATA_HEADERS.every((h) => h !== h.toLowerCase())).toBe(true);
  });
});
