import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SingleFlight } from '../../../../../lib/async/SingleFlight';
import { MailboxAuthError } from '../../../../../lib/auth/MailboxAuthError';
import type { MailMessage } from '../../../../../lib/mail/MailMessage';
import {
  GRAPH_MESSAGE_SELECT,
  GraphClient,
  GraphSyncStateExpiredError,
} from '../../../../../lib/mail/outlook/api/GraphClient';
import {
  GraphSentSync,
  type GraphSyncCursor,
  graphCursorKey,
} from '../../../../../lib/mail/outlook/api/GraphSentSync';
import { FakeGraphApi } from '../../../../fakes/FakeGraphApi';
import { MemoryCursorStore } from '../../../sync/memoryCursorStore';

const EMAIL = 'sam@contoso.example';
const DAY = 86_400_000;
// Seeded mail predates the connect: the minute of overlap with the new-mail delta (delivered
// twice by design, dropped by the registry downstream) stays out of exact counts.
const OLDER = Date.now() - 5 * 60_000;

describe('GraphSentSync against FakeGraphApi', () => {
  let fake: FakeGraphApi;
  let baseUrl: string;
  let token: string;
  let cursors: MemoryCursorStore<GraphSyncCursor>;
  let delivered: MailMessage[];
  let client: GraphClient;
  const sleeps: number[] = [];

  beforeEach(async () => {
    fake = new FakeGraphApi({ seed: 9 });
    baseUrl = await fake.start();
    token = fake.issueAccessToken(EMAIL);
    cursors = new MemoryCursorStore();
    delivered = [];
    sleeps.length = 0;
    client = new GraphClient({
      mailboxId: 'mbx-o',
      baseUrl,
      getAccessToken: async () => token,
      retryEnvironment: {
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        random: () => 0.5,
      },
    });
  });
  afterEach(() => fake.stop());

  function sync(overrides: Partial<ConstructorParameters<typeof GraphSentSync>[0]> = {}) {
    return new GraphSentSync({
      mailboxId: 'mbx-o',
      mailboxAddress: EMAIL,
      client,
      cursors,
      importWindowDays: 30,
      pageSize: 25,
      flights: new SingleFlight(),
      sink: async (messages) => {
        delivered.push(...messages);
      },
      ...overrides,
    });
  }
  const ids = (messages: { providerMessageId: string }[]) => messages.map((m) => m.providerMessageId).sort();
  const unique = (messages: { providerMessageId: string }[]) => [...new Set(ids(messages))];
  const sentInWindow = (days: number) =>
    fake
      .messages(EMAIL)
      .filter((m) => m.folder === 'sentitems' && Date.parse(m.receivedDateTime) >= Date.now() - days * DAY)
      .map((m) => m.id)
      .sort();

  it('imports the window from the message list, then follows a delta started at connect time', async () => {
    fake.seedSentItems(EMAIL, 80, { spacingMs: DAY / 2, newest: OLDER });
    fake.seedInbox(EMAIL, 5, { newest: OLDER });
    const first = await sync().run();
    expect(first).toMatchObject({ mode: 'initial', handedOff: 60, pages: 3 });
    expect(ids(delivered)).toEqual(sentInWindow(30));
    expect(delivered.every((m) => m.folderRole === 'sent' && m.provider === 'outlook')).toBe(true);
    expect(fake.counters.byMethod.listFolderMessages).toBe(3);
    expect(await cursors.get('mbx-o')).toMatchObject({
      kind: 'delta',
      link: expect.stringContaining('$deltatoken='),
    });

    delivered = [];
    const fresh = fake.sendMessage(EMAIL, {
      subject: 'New',
      toRecipients: [{ name: '', address: 'x@fabrikam.example' }],
    });
    const second = await sync().run();
    expect(second).toMatchObject({ mode: 'incremental', handedOff: 1 });
    expect(ids(delivered)).toEqual([fresh.id]);
  });

  it('logs every message of a 6,000-message 90-day window once (a filtered delta stops at 5,000)', async () => {
    fake.seedSentItems(EMAIL, 6000, {
      newest: OLDER,
      spacingMs: (90 * DAY) / 6100,
    });
    const result = await sync({ importWindowDays: 90, pageSize: 1000 }).run();
    expect(result.handedOff).toBe(6000);
    expect(new Set(delivered.map((m) => m.providerMessageId)).size).toBe(6000);
    // A filtered delta over the same window is cut at 5,000 by the published cap.
    let page = await client.startDelta({
      folder: 'sentitems',
      select: ['id'],
      receivedSince: new Date(Date.now() - 90 * DAY),
      maxPageSize: 1000,
    });
    let viaDelta = page.value.length;
    while (page['@odata.nextLink']) {
      page = await client.followDeltaLink(page['@odata.nextLink'], 1000);
      viaDelta += page.value.length;
    }
    expect(viaDelta).toBe(5000);
  });

  it('keeps its place when a message above it is deleted mid-import (keyset, not $skip)', async () => {
    fake.seedSentItems(EMAIL, 60, { newest: OLDER, spacingMs: DAY / 4 });
    let accepted = 0;
    await expect(
      sync({
        sink: async (messages) => {
          if (accepted === 1) throw new Error('service worker killed');
          accepted++;
          delivered.push(...messages);
        },
      }).run(),
    ).rejects.toThrow('service worker killed');
    expect(delivered).toHaveLength(25);
    expect(await cursors.get('mbx-o')).toMatchObject({ kind: 'scan', mode: 'initial' });
    // The newest message (already delivered) is deleted before the worker comes back.
    fake.removeMessage(EMAIL, delivered[0]!.providerMessageId);
    const resumed = await sync().run();
    expect(resumed).toMatchObject({ mode: 'initial', handedOff: 35 });
    const expected = [...sentInWindow(30), delivered[0]!.providerMessageId].sort();
    expect(ids(delivered)).toEqual(expected);
  });

  it('counts @removed rows as removed and ignores update rows that carry only changed properties', async () => {
    fake.seedSentItems(EMAIL, 10, { newest: OLDER, spacingMs: DAY });
    // A cursor from a delta round without changeType, as an older version stored it.
    let page = await client.startDelta({ folder: 'sentitems', select: GRAPH_MESSAGE_SELECT });
    while (page['@odata.nextLink']) page = await client.followDeltaLink(page['@odata.nextLink']);
    await cursors.set('mbx-o', { kind: 'delta', link: page['@odata.deltaLink']! });
    const [a, b, c] = fake.messages(EMAIL);
    fake.touchMessage(EMAIL, a!.id);
    fake.touchMessage(EMAIL, b!.id);
    fake.removeMessage(EMAIL, c!.id);
    const fresh = fake.sendMessage(EMAIL, { subject: 'New' });
    const result = await sync().run();
    expect(result).toMatchObject({ mode: 'incremental', handedOff: 1, removed: 1, ignored: 2 });
    expect(ids(delivered)).toEqual([fresh.id]);
    expect(delivered[0]!.date).not.toMatch(/^1970/);
  });

  it('restarts over the window when the delta state expires, read at the top level or nested', async () => {
    fake.seedSentItems(EMAIL, 10, { newest: OLDER, spacingMs: DAY });
    await sync().run();
    fake.expireDeltaTokens(EMAIL);
    const late = fake.sendMessage(EMAIL, { subject: 'late' });
    delivered = [];
    const result = await sync().run();
    expect(result.mode).toBe('rescan');
    expect(fake.counters.byStatus[410]).toBe(1);
    // The mail of the last minute may come twice (delta and list overlap); the registry drops it.
    expect(unique(delivered)).toEqual(sentInWindow(30));
    expect(ids(delivered)).toContain(late.id);
    delivered = [];
    expect(await sync().run()).toMatchObject({ mode: 'incremental', handedOff: 0 });
    // The second expiry arrives as 400 with resyncRequired in innerError.
    fake.expireDeltaTokens(EMAIL);
    expect(await sync().run()).toMatchObject({ mode: 'rescan' });
    expect(fake.counters.byStatus[400]).toBe(1);
  });

  it('honours Retry-After on 429 and 503, and retries 504', async () => {
    fake.seedSentItems(EMAIL, 3, { newest: OLDER, spacingMs: DAY });
    fake.enqueueFault({ kind: 'rateLimit', retryAfterSeconds: 7 });
    fake.enqueueFault({ kind: 'serverError', status: 503, retryAfterSeconds: 2 });
    fake.enqueueFault({ kind: 'serverError', status: 504 });
    const result = await sync().run();
    expect(result.handedOff).toBe(3);
    expect(sleeps).toEqual([7000, 2000, 1000]);
  });

  it('surfaces MailboxAuthError after one refresh attempt, and never leaks the token', async () => {
    fake.seedSentItems(EMAIL, 3, { newest: OLDER, spacingMs: DAY });
    fake.revokeAccessToken(token);
    const error = await sync()
      .run()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailboxAuthError);
    expect((error as Error).message).not.toContain(token);
    expect(fake.counters.byStatus[401]).toBe(2);
    expect(await cursors.get('mbx-o')).toBeNull();
  });

  it('syncs the inbox with transport headers under its own cursor', async () => {
    fake.seedSentItems(EMAIL, 4, { newest: OLDER, spacingMs: DAY });
    fake.seedInbox(EMAIL, 12, { newest: OLDER, spacingMs: DAY, automatedRatio: 0.5 });
    const result = await sync({ folder: 'inbox' }).run();
    expect(result.handedOff).toBe(12);
    expect(delivered.every((m) => m.folderRole === 'inbox')).toBe(true);
    expect(delivered.some((m) => m.headers['list-unsubscribe'] !== undefined)).toBe(true);
    expect(await cursors.get(graphCursorKey('mbx-o', 'inbox'))).toMatchObject({ kind: 'delta' });
    expect(await cursors.get('mbx-o')).toBeNull();
  });

  it('refuses to send the token to a link on another origin', async () => {
    await expect(
      client.followDeltaLink(
        'https://evil.example/v1.0/me/mailFolders/sentitems/messages/delta?$deltatoken=x',
      ),
    ).rejects.toBeInstanceOf(GraphSyncStateExpiredError);
    expect(fake.counters.requests).toBe(0);
  });

  it('reads one message and the user for the Outlook panel', async () => {
    const [message] = fake.seedSentItems(EMAIL, 1, { newest: OLDER });
    const me = await client.getMe();
    expect(me.mail).toBe(EMAIL);
    const read = await client.getMessage(message!.id, [
      'internetMessageId',
      'conversationId',
      'toRecipients',
    ]);
    expect(read).toMatchObject({ id: message!.id, conversationId: message!.conversationId });
    expect(read?.subject).toBeUndefined();
    expect(await client.getMessage('AAMkAGI2missing')).toBeNull();
  });
});
