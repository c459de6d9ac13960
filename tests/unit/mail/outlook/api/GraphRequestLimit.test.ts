import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SingleFlight } from '../../../../../lib/async/SingleFlight';
import type { MailMessage } from '../../../../../lib/mail/MailMessage';
import { GraphClient } from '../../../../../lib/mail/outlook/api/GraphClient';
import { GraphSentSync, type GraphSyncCursor } from '../../../../../lib/mail/outlook/api/GraphSentSync';
import { ProviderRequestError } from '../../../../../lib/mail/sync/ProviderRequestError';
import { FakeGraphApi, OUTLOOK_REQUEST_LIMIT } from '../../../../fakes/FakeGraphApi';
import { MemoryCursorStore } from '../../../sync/memoryCursorStore';

const EMAIL = 'sam@contoso.example';
const DAY = 86_400_000;
const MINUTE = 60_000;

/** A simulated clock shared by the fake and the client: sleeping advances it at once. */
function simulatedClock() {
  let now = Date.now();
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    sleeps: [] as number[],
  };
}

/** Calls the fake's Node handler in-process (10,000 requests in well under a second). */
async function call(fake: FakeGraphApi, token: string, path = '/v1.0/me') {
  let status = 0;
  let headers: Record<string, string> = {};
  let text = '';
  const req = {
    method: 'GET',
    url: path,
    headers: { authorization: `Bearer ${token}` },
  } as unknown as IncomingMessage;
  const res = {
    destroyed: false,
    writeHead(code: number, h: Record<string, string>) {
      status = code;
      headers = h;
    },
    end(body: string) {
      text = body;
    },
  } as unknown as ServerResponse;
  await fake.handle(req, res);
  return { status, headers, body: JSON.parse(text) as Record<string, unknown> };
}

describe('FakeGraphApi: Outlook 10,000 requests per 10 minutes per app per mailbox', () => {
  it('answers the 10,001st request in 10 minutes with 429, Retry-After and the documented body', async () => {
    const clock = simulatedClock();
    const fake = new FakeGraphApi({ now: clock.now });
    expect(OUTLOOK_REQUEST_LIMIT).toEqual({ requests: 10_000, windowMs: 600_000 });
    const token = fake.issueAccessToken(EMAIL);
    for (let i = 0; i < 10_000; i++) {
      if (i % 1000 === 0) clock.advance(MINUTE / 2);
      const { status } = await call(fake, token);
      if (status !== 200) throw new Error(`request ${i} answered ${status}`);
    }
    const throttled = await call(fake, token);
    expect(throttled.status).toBe(429);
    // 1,000 requests at each of 10 half-minute steps (30 s ... 300 s): the window has room for
    // one more once the first ones (at 30 s) are 10 minutes old, 330 s from now.
    expect(Number(throttled.headers['retry-after'])).toBe(330);
    expect(throttled.body).toMatchObject({
      error: {
        code: 'TooManyRequests',
        message: 'Please retry again later.',
        innerError: { code: '429', status: '429', message: 'Please retry after' },
      },
    });
    // Throttled requests count too; another mailbox is not affected.
    expect((await call(fake, fake.issueAccessToken('other@contoso.example'))).status).toBe(200);
    clock.advance(330_000);
    expect((await call(fake, token)).status).toBe(200);
    expect(fake.counters.requestLimitRejections).toBe(1);
  });
});

describe('GraphSentSync honours the request limit', () => {
  let clock: ReturnType<typeof simulatedClock>;
  let fake: FakeGraphApi;
  let baseUrl: string;
  let token: string;
  let cursors: MemoryCursorStore<GraphSyncCursor>;
  let delivered: MailMessage[];

  async function start(requestLimit: { requests: number; windowMs: number }) {
    fake = new FakeGraphApi({ seed: 21, now: clock.now, requestLimit });
    baseUrl = await fake.start();
    token = fake.issueAccessToken(EMAIL, { expiresInMs: 30 * DAY });
    fake.seedSentItems(EMAIL, 60, { spacingMs: DAY / 4, newest: Date.now() - 5 * MINUTE });
  }

  beforeEach(() => {
    clock = simulatedClock();
    cursors = new MemoryCursorStore();
    delivered = [];
  });
  afterEach(() => fake.stop());

  function sync(budget?: { requests: number; windowMs: number }) {
    const client = new GraphClient({
      mailboxId: 'mbx-o',
      baseUrl,
      getAccessToken: async () => token,
      now: clock.now,
      ...(budget ? { requestBudget: budget } : {}),
      retryEnvironment: {
        sleep: async (ms) => {
          clock.sleeps.push(ms);
          clock.advance(ms);
        },
        random: () => 0.5,
      },
    });
    return new GraphSentSync({
      mailboxId: 'mbx-o',
      mailboxAddress: EMAIL,
      client,
      cursors,
      importWindowDays: 30,
      pageSize: 5,
      flights: new SingleFlight(),
      sink: async (messages) => {
        delivered.push(...messages);
      },
    });
  }

  it('keeps inside the limit by itself: waits for the window, never draws a 429', async () => {
    // A small limit over a short window, so the whole import fits one pass with waits.
    await start({ requests: 4, windowMs: 20_000 });
    const result = await sync({ requests: 4, windowMs: 20_000 }).run();
    expect(result.handedOff).toBe(60);
    expect(new Set(delivered.map((m) => m.providerMessageId)).size).toBe(60);
    expect(fake.counters.requestLimitRejections).toBe(0);
    expect(clock.sleeps.length).toBeGreaterThan(0);
  });

  it('after a 429 sends nothing before Retry-After, and ends the pass when the wait is long; nothing lost', async () => {
    // Graph's limit is stricter than the client knows (another tool of the same app uses the
    // mailbox): the 429's Retry-After is minutes, longer than a pass waits.
    await start({ requests: 6, windowMs: 10 * MINUTE });
    let passes = 0;
    for (;;) {
      passes++;
      const error = await sync()
        .run()
        .then(() => null)
        .catch((e: unknown) => e);
      if (error === null) break;
      expect(error).toBeInstanceOf(ProviderRequestError);
      const { status, retryAfterMs } = error as ProviderRequestError;
      expect(status).toBe(429);
      expect(retryAfterMs).toBeGreaterThan(60_000);
      // One 429 per pass: the client did not ask again before the time Graph gave.
      expect(fake.counters.requestLimitRejections).toBe(passes);
      // The next pass (the alarm) comes after Retry-After.
      clock.advance(retryAfterMs as number);
      if (passes > 10) throw new Error('the import did not finish');
    }
    expect(passes).toBeGreaterThan(1);
    const ids = delivered.map((m) => m.providerMessageId);
    expect(new Set(ids).size).toBe(60);
  });
});
