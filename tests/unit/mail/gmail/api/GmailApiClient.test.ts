import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailboxAuthError } from '../../../../../lib/auth/MailboxAuthError';
import { GmailApiClient, GmailHistoryExpiredError } from '../../../../../lib/mail/gmail/api/GmailApiClient';
import { GmailQuotaLimiter } from '../../../../../lib/mail/gmail/api/GmailQuotaLimiter';
import { GMAIL_METADATA_HEADERS } from '../../../../../lib/mail/gmail/api/mapGmailMessage';
import {
  ProviderRequestError,
  type RetryEnvironment,
} from '../../../../../lib/mail/sync/ProviderRequestError';
import { FakeGmailApi, GMAIL_SCOPE_METADATA } from '../../../../fakes/FakeGmailApi';

const EMAIL = 'sam@seller.example';

describe('GmailApiClient against FakeGmailApi', () => {
  let fake: FakeGmailApi;
  let baseUrl: string;
  let token: string;
  const sleeps: number[] = [];
  // Records the delays the client asks for and skips them, so tests assert the policy quickly.
  const instantRetries: RetryEnvironment = {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  };

  beforeEach(async () => {
    sleeps.length = 0;
    fake = new FakeGmailApi({ seed: 3 });
    baseUrl = await fake.start();
    token = fake.issueAccessToken(EMAIL);
  });
  afterEach(() => fake.stop());

  function client(overrides: Partial<ConstructorParameters<typeof GmailApiClient>[0]> = {}) {
    return new GmailApiClient({
      mailboxId: 'mbx-1',
      baseUrl,
      getAccessToken: async () => token,
      retryEnvironment: instantRetries,
      ...overrides,
    });
  }

  it('lists, pages and fetches metadata with only the requested headers', async () => {
    fake.seedSentMessages(EMAIL, 7);
    const api = client();
    const first = await api.listMessages({ labelIds: ['SENT'], maxResults: 5 });
    expect(first.messages).toHaveLength(5);
    expect(first.resultSizeEstimate).toBe(7);
    const second = await api.listMessages({
      labelIds: ['SENT'],
      maxResults: 5,
      pageToken: first.nextPageToken!,
    });
    expect(second.messages).toHaveLength(2);
    expect(second.nextPageToken).toBeUndefined();
    const message = await api.getMessageMetadata(first.messages![0]!.id, ['From', 'Subject']);
    expect(message?.payload?.headers?.map((h) => h.name).sort()).toEqual(['From', 'Subject']);
    expect(await api.getMessageMetadata('0000000000000000', GMAIL_METADATA_HEADERS)).toBeNull();
    expect(fake.counters.byMethod).toMatchObject({ messagesList: 2, messagesGet: 2 });
  });

  it('waits on a 429 until the "Retry after" time its message names, and retries 5xx with backoff', async () => {
    // Gmail names the time in the message and sends no Retry-After header.
    fake.enqueueFault({ kind: 'rateLimit', retryAfterSeconds: 1 });
    fake.enqueueFault({ kind: 'serverError', status: 503 });
    const profile = await client().getProfile();
    expect(profile.emailAddress).toBe(EMAIL);
    // The named time less the milliseconds the answer took to arrive.
    expect(sleeps[0]).toBeGreaterThan(900);
    expect(sleeps[0]).toBeLessThanOrEqual(1000);
    // No Retry-After on the 503: jittered exponential backoff (attempt 2: 0.5 * 1000 ms).
    expect(sleeps[1]).toBe(500);
    expect(fake.counters.byStatus).toMatchObject({ 429: 1, 503: 1, 200: 1 });
  });

  it("retries the 403 userRateLimitExceeded of the per-user limit and holds the user's other requests", async () => {
    const limiter = new GmailQuotaLimiter();
    const api = client({ limiter });
    fake.enqueueFault({ kind: 'userRateLimit' }, 'getProfile');
    const started = Date.now();
    const [profile] = await Promise.all([api.getProfile(), api.listMessages({ labelIds: ['SENT'] })]);
    expect(profile).toMatchObject({ emailAddress: EMAIL });
    expect(fake.counters.byStatus[403]).toBe(1);
    expect(sleeps).toHaveLength(1);
    // The retry waited out one quota window (no Retry-After on a 403) under the limiter's pause.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("retries the 403 rateLimitExceeded of Gmail's quota metric like the guide's userRateLimitExceeded", async () => {
    fake.enqueueFault({ kind: 'userRateLimit', form: 'quotaMetric' }, 'getProfile');
    const profile = await client().getProfile();
    expect(profile).toMatchObject({ emailAddress: EMAIL });
    expect(fake.counters.byStatus).toMatchObject({ 403: 1, 200: 1 });
    expect(sleeps).toHaveLength(1);
  });

  it('treats a slow response as a timeout and retries it', async () => {
    fake.enqueueFault({ kind: 'delay', ms: 400 });
    const profile = await client({ timeoutMs: 100 }).getProfile();
    expect(profile.historyId).toMatch(/^\d+$/);
    expect(fake.counters.byMethod.getProfile).toBe(2);
  });

  it('refreshes once after a 401 and surfaces MailboxAuthError when the refresh does not help', async () => {
    const calls: (boolean | undefined)[] = [];
    fake.enqueueFault({ kind: 'tokenExpiry' });
    const recovering = client({
      getAccessToken: async (options) => {
        calls.push(options?.forceRefresh);
        if (options?.forceRefresh) token = fake.issueAccessToken(EMAIL);
        return token;
      },
    });
    await expect(recovering.getProfile()).resolves.toMatchObject({ emailAddress: EMAIL });
    expect(calls).toEqual([false, true]);

    fake.revokeAccessToken(token);
    const stuck = client();
    const error = await stuck.getProfile().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailboxAuthError);
    expect((error as MailboxAuthError).reason).toBe('unauthorized');
    expect((error as Error).message).not.toContain(token);
  });

  it('maps history 404 to GmailHistoryExpiredError', async () => {
    fake.seedSentMessages(EMAIL, 2);
    const old = String(fake.currentHistoryId(EMAIL));
    fake.expireHistory(EMAIL);
    const start = String(fake.currentHistoryId(EMAIL));
    fake.seedSentMessages(EMAIL, 1);
    await expect(client().listHistory({ startHistoryId: old })).rejects.toBeInstanceOf(
      GmailHistoryExpiredError,
    );
    const page = await client().listHistory({
      startHistoryId: start,
      labelId: 'SENT',
      historyTypes: ['messageAdded'],
    });
    expect(page.history).toHaveLength(1);
  });

  it('does not retry the 403 Gmail gives a metadata-scoped token for `q`', async () => {
    token = fake.issueAccessToken(EMAIL, { scopes: [GMAIL_SCOPE_METADATA] });
    const error = await client()
      .listMessages({ q: 'after:0' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect(error).toMatchObject({ status: 403, retryable: false, code: 'forbidden' });
    expect(fake.counters.byMethod.messagesList).toBe(1);
  });

  it('stays inside the per-user quota with the limiter; the fake rejects a client without one', async () => {
    const messages = fake.seedSentMessages(EMAIL, 60);
    const limited = client();
    const started = Date.now();
    await Promise.all(messages.map((m) => limited.getMessageMetadata(m.id, ['From'])));
    // 60 x 5 = 300 units: more than one window's 250, so the limiter had to wait a window.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(fake.counters.quotaRejections).toBe(0);
    expect(fake.counters.maxUnitsInWindow).toBeLessThanOrEqual(250);

    fake.resetCounters();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const unlimited = client({ limiter: new GmailQuotaLimiter({ unitsPerWindow: 10_000 }) });
    // Retries here skip their waits, so some requests exhaust their attempts: that is the point.
    await Promise.allSettled(messages.map((m) => unlimited.getMessageMetadata(m.id, ['From'])));
    expect(fake.counters.quotaRejections).toBeGreaterThan(0);
  });
});
