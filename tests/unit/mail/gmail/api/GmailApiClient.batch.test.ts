import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GmailApiClient } from '../../../../../lib/mail/gmail/api/GmailApiClient';
import { GmailQuotaLimiter } from '../../../../../lib/mail/gmail/api/GmailQuotaLimiter';
import { buildBatchBody } from '../../../../../lib/mail/gmail/api/gmailBatch';
import { GMAIL_METADATA_HEADERS } from '../../../../../lib/mail/gmail/api/mapGmailMessage';
import {
  ProviderRequestError,
  type RetryEnvironment,
} from '../../../../../lib/mail/sync/ProviderRequestError';
import { FakeGmailApi, type FakeGmailMessage } from '../../../../fakes/FakeGmailApi';

const EMAIL = 'sam@seller.example';

describe('GmailApiClient.getMessagesMetadata: batch requests against FakeGmailApi', () => {
  let fake: FakeGmailApi;
  let baseUrl: string;
  let token: string;
  const sleeps: number[] = [];
  const instantRetries: RetryEnvironment = {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  };

  beforeEach(async () => {
    sleeps.length = 0;
    fake = new FakeGmailApi({ seed: 11, quotaUnitsPerSecond: 100_000 });
    baseUrl = await fake.start();
    token = fake.issueAccessToken(EMAIL);
  });
  afterEach(() => fake.stop());

  /** A client whose limiter has room for everything, so tests are not paced by the quota. */
  function client(overrides: Partial<ConstructorParameters<typeof GmailApiClient>[0]> = {}) {
    return new GmailApiClient({
      mailboxId: 'mbx-1',
      baseUrl,
      getAccessToken: async () => token,
      retryEnvironment: instantRetries,
      limiter: new GmailQuotaLimiter({ unitsPerWindow: 100_000 }),
      ...overrides,
    });
  }

  function expectEveryIdOnce(messages: FakeGmailMessage[], results: Map<string, unknown>) {
    expect([...results.keys()].sort()).toEqual(messages.map((m) => m.id).sort());
    for (const m of messages)
      expect(results.get(m.id)).toMatchObject({ kind: 'message', message: { id: m.id } });
  }

  it('fetches 120 messages in 3 HTTP requests of at most 50 calls, with only the metadata headers', async () => {
    const messages = fake.seedSentMessages(EMAIL, 120);
    const results = await client().getMessagesMetadata(
      messages.map((m) => m.id),
      GMAIL_METADATA_HEADERS,
    );
    expectEveryIdOnce(messages, results);
    expect(fake.counters.httpRequests).toBe(3);
    expect(fake.counters.batchRequests).toBe(3);
    expect(fake.counters.maxBatchParts).toBe(50);
    expect(fake.counters.byMethod.messagesGet).toBe(120);
    expect(fake.schemaViolations).toEqual([]);
    const first = results.get(messages[0]!.id);
    const names = first?.kind === 'message' ? first.message.payload?.headers?.map((h) => h.name) : [];
    expect(names).toContain('Message-ID');
    expect(names).not.toContain('MIME-Version');
  });

  it('retries only the calls that failed inside their parts (429, 403 userRateLimitExceeded, 5xx)', async () => {
    const messages = fake.seedSentMessages(EMAIL, 30);
    fake.enqueueFault({ kind: 'rateLimit', retryAfterSeconds: 2 }, 'messagesGet');
    fake.enqueueFault({ kind: 'userRateLimit' }, 'messagesGet');
    fake.enqueueFault({ kind: 'serverError', status: 503 }, 'messagesGet');
    const results = await client().getMessagesMetadata(
      messages.map((m) => m.id),
      GMAIL_METADATA_HEADERS,
    );
    expectEveryIdOnce(messages, results);
    // 30 calls + the 3 that failed once: nothing asked twice that had been answered.
    expect(fake.counters.byMethod.messagesGet).toBe(33);
    expect(fake.counters.batchRequests).toBe(2);
    expect(fake.counters.byStatus[429]).toBe(1);
    expect(fake.counters.byStatus[403]).toBe(1);
    // The time the part's 429 names (2 s on) decided the wait before the second round.
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(1900);
    expect(sleeps[0]).toBeLessThanOrEqual(2000);
  });

  it('retries a batch that failed as a whole (503 on the batch request) and a 401 once with a fresh token', async () => {
    const messages = fake.seedSentMessages(EMAIL, 12);
    fake.enqueueFault({ kind: 'serverError', status: 503 }, 'batch');
    const refreshes: boolean[] = [];
    const stale = token;
    fake.revokeAccessToken(stale);
    const fresh = fake.issueAccessToken(EMAIL);
    const results = await client({
      getAccessToken: async ({ forceRefresh } = {}) => {
        refreshes.push(Boolean(forceRefresh));
        return forceRefresh ? fresh : stale;
      },
    }).getMessagesMetadata(
      messages.map((m) => m.id),
      GMAIL_METADATA_HEADERS,
    );
    expectEveryIdOnce(messages, results);
    // 1st batch: 503 as a whole (no call inside ran); 2nd: every part 401 (stale token);
    // 3rd: with a forced refresh, all 12 answered.
    expect(fake.counters.batchRequests).toBe(3);
    expect(refreshes).toEqual([false, false, true]);
  });

  it('answers a deleted message as missing, and gives up after the policy attempts with the error', async () => {
    const messages = fake.seedSentMessages(EMAIL, 3);
    fake.deleteMessage(EMAIL, messages[1]!.id);
    const results = await client().getMessagesMetadata(
      messages.map((m) => m.id),
      GMAIL_METADATA_HEADERS,
    );
    expect(results.get(messages[1]!.id)).toEqual({ kind: 'missing' });

    for (let i = 0; i < 6; i++) fake.enqueueFault({ kind: 'serverError', status: 500 }, 'messagesGet');
    const error = await client()
      .getMessagesMetadata([messages[0]!.id], GMAIL_METADATA_HEADERS)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect(error).toMatchObject({ status: 500, retryable: true });
  });

  it('spends the quota per call inside the same limiter: zero 429s from a fake enforcing 250 units/s', async () => {
    const strict = new FakeGmailApi({ seed: 12 });
    const strictUrl = await strict.start();
    try {
      const strictToken = strict.issueAccessToken(EMAIL);
      const messages = strict.seedSentMessages(EMAIL, 110);
      const started = Date.now();
      const results = await client({
        baseUrl: strictUrl,
        getAccessToken: async () => strictToken,
        limiter: new GmailQuotaLimiter(),
      }).getMessagesMetadata(
        messages.map((m) => m.id),
        GMAIL_METADATA_HEADERS,
      );
      expectEveryIdOnce(messages, results);
      // 110 x 5 = 550 units: the limiter had to wait two windows; Gmail never said 429.
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
      expect(strict.counters.quotaRejections).toBe(0);
      expect(strict.counters.maxUnitsInWindow).toBeLessThanOrEqual(250);
      expect(strict.counters.maxBatchParts).toBeLessThanOrEqual(50);
    } finally {
      await strict.stop();
    }
  });
});

describe('FakeGmailApi batch endpoint and discovery checks', () => {
  let fake: FakeGmailApi;
  let baseUrl: string;
  let token: string;

  beforeEach(async () => {
    fake = new FakeGmailApi({ seed: 13, quotaUnitsPerSecond: 100_000 });
    baseUrl = await fake.start();
    token = fake.issueAccessToken(EMAIL);
  });
  afterEach(() => fake.stop());

  async function rawBatch(paths: string[]): Promise<Response> {
    // Built by hand, not with our builder, for a batch larger than the builder allows.
    let body = '';
    paths.forEach((path, i) => {
      body += `--b\r\nContent-Type: application/http\r\nContent-ID: <c${i}>\r\n\r\nGET ${path}\r\n\r\n`;
    });
    body += '--b--\r\n';
    return fetch(`${baseUrl}/batch/gmail/v1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/mixed; boundary=b' },
      body,
    });
  }

  it('refuses a batch of more than 100 calls whole, with the answer Google gives', async () => {
    const messages = fake.seedSentMessages(EMAIL, 1);
    const response = await rawBatch(
      Array.from({ length: 101 }, () => `/gmail/v1/users/me/messages/${messages[0]!.id}`),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 400, message: 'Inner request count exceeds the limit. Received: 101, Limit: 100' },
    });
    expect(fake.counters.byMethod.messagesGet).toBe(0);
    expect((await rawBatch([`/gmail/v1/users/me/messages/${messages[0]!.id}`])).status).toBe(200);
  });

  it('answers each part as its own HTTP response, with the response- Content-ID', async () => {
    const [m] = fake.seedSentMessages(EMAIL, 1);
    const response = await rawBatch([
      `/gmail/v1/users/me/messages/${m!.id}?format=minimal`,
      '/gmail/v1/users/me/messages/nope',
    ]);
    expect(response.headers.get('content-type')).toMatch(/^multipart\/mixed; boundary=/);
    const text = await response.text();
    expect(text).toContain('Content-ID: <response-c0>');
    expect(text).toContain('Content-ID: <response-c1>');
    expect(text).toMatch(/HTTP\/1\.1 200 OK\r\nContent-Type: application\/json/);
    expect(text).toMatch(/HTTP\/1\.1 404 Not Found/);
  });

  it('refuses a full URL inside a part and a body that is not multipart', async () => {
    expect((await rawBatch(['https://gmail.googleapis.com/gmail/v1/users/me/profile'])).status).toBe(400);
    const plain = await fetch(`${baseUrl}/batch/gmail/v1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(plain.status).toBe(400);
  });

  async function get(path: string) {
    const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return {
      status: response.status,
      body: (await response.json()) as { error?: { message: string; status: string } },
    };
  }

  it('answers 400 to a query parameter the discovery document does not have', async () => {
    const { status, body } = await get('/gmail/v1/users/me/messages?labelId=SENT');
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      status: 'INVALID_ARGUMENT',
      message:
        'Invalid JSON payload received. Unknown name "labelId": Cannot bind query parameter. Field \'labelId\' could not be found in request message.',
    });
    // labelId is history.list's parameter (and labelIds messages.list's): both accepted there.
    expect((await get('/gmail/v1/users/me/history?startHistoryId=1&labelId=SENT')).status).not.toBe(400);
    expect((await get('/gmail/v1/users/me/messages?labelIds=SENT&labelIds=INBOX')).status).toBe(200);
    // Global parameters (fields, prettyPrint, alt, $.xgafv) are allowed on every method.
    expect((await get('/gmail/v1/users/me/profile?prettyPrint=false&alt=json')).status).toBe(200);
  });

  it('answers 400 to enum values and scalar types the document does not allow', async () => {
    const [m] = fake.seedSentMessages(EMAIL, 1);
    expect(await get(`/gmail/v1/users/me/messages/${m!.id}?format=METADATA`)).toMatchObject({
      status: 400,
      body: { error: { message: 'Invalid value at \'format\', "METADATA"' } },
    });
    // A repeated enum sent comma-joined is one unknown value, as Gmail answers it.
    expect(
      await get('/gmail/v1/users/me/history?startHistoryId=1&historyTypes=messageAdded,labelAdded'),
    ).toMatchObject({
      status: 400,
      body: { error: { message: 'Invalid value at \'history_types\', "messageAdded,labelAdded"' } },
    });
    expect((await get('/gmail/v1/users/me/messages?maxResults=ten')).status).toBe(400);
    expect((await get('/gmail/v1/users/me/messages?includeSpamTrash=yes')).status).toBe(400);
    expect((await get('/gmail/v1/users/me/drafts')).status).toBe(404);
    expect(fake.counters.discoveryRejections).toBe(5);
  });

  it('sends only bodies that fit the discovery schemas (every method the sync uses)', async () => {
    const [m] = fake.seedSentMessages(EMAIL, 3, { attachmentRatio: 1 });
    for (const path of [
      '/gmail/v1/users/me/profile',
      '/gmail/v1/users/me/messages?labelIds=SENT&maxResults=2',
      '/gmail/v1/users/me/history?startHistoryId=1&historyTypes=messageAdded&labelId=SENT',
      `/gmail/v1/users/me/messages/${m!.id}?format=full`,
      `/gmail/v1/users/me/messages/${m!.id}?format=metadata&metadataHeaders=Subject`,
      `/gmail/v1/users/me/messages/${m!.id}?format=minimal`,
    ]) {
      expect((await get(path)).status, path).toBe(200);
    }
    expect(fake.schemaViolations).toEqual([]);
  });

  it('builds with our builder exactly what the fake reads', async () => {
    const [m] = fake.seedSentMessages(EMAIL, 1);
    const response = await fetch(`${baseUrl}/batch/gmail/v1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/mixed; boundary=zz' },
      body: buildBatchBody([{ id: 'x', path: `/gmail/v1/users/me/messages/${m!.id}?format=minimal` }], 'zz'),
    });
    expect(response.status).toBe(200);
    expect(fake.counters.byMethod.messagesGet).toBe(1);
  });
});
