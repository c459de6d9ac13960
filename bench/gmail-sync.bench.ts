import { GmailApiClient } from '../lib/mail/gmail/api/GmailApiClient';
import { GMAIL_QUOTA_UNITS, GMAIL_USER_UNITS_PER_SECOND } from '../lib/mail/gmail/api/GmailQuotaLimiter';
import { GmailSentSync, type GmailSyncCursor } from '../lib/mail/gmail/api/GmailSentSync';
import type { CursorStore } from '../lib/mail/sync/MailboxSync';
import { FakeGmailApi } from '../tests/fakes/FakeGmailApi';
import { benchSize, finishBench } from './benchUtils';

// Historical import of N sent messages from FakeGmailApi with its per-user quota enforced
// (250 units/s over any 1-second window), twice: with one call per HTTP request (batch of 1,
// what the sync did before batching) and with batch requests of up to 50 calls. The ceiling
// is set by the quota, not by the CPU: each message costs one messages.get (5 units) plus its
// share of a messages.list page, batched or not ("a set of n requests batched together counts
// toward your usage limit as n requests", developers.google.com/gmail/api/guides/batch).
const MESSAGES = Number(process.env.BENCH_GMAIL_MESSAGES ?? benchSize(3000, 300));
const BEFORE_MESSAGES = Number(process.env.BENCH_GMAIL_BEFORE_MESSAGES ?? benchSize(500, 50));
const PAGE_SIZE = 100;
const TARGET_RATIO = 0.95;
const EMAIL = 'bench@seller.example';

interface Run {
  delivered: number;
  seconds: number;
  httpRequests: number;
  quotaRejections: number;
  maxUnitsInWindow: number;
  unitsCharged: number;
}

async function run(messages: number, batchSize: number): Promise<Run> {
  const fake = new FakeGmailApi({ seed: 42 });
  const baseUrl = await fake.start();
  const token = fake.issueAccessToken(EMAIL);
  fake.seedSentMessages(EMAIL, messages, { spacingMs: 60_000, newest: Date.now() - 60_000 });
  const cursors = new Map<string, GmailSyncCursor>();
  const cursorStore: CursorStore<GmailSyncCursor> = {
    get: async (key) => cursors.get(key) ?? null,
    set: async (key, cursor) => {
      cursors.set(key, cursor);
    },
  };
  let delivered = 0;
  const client = new GmailApiClient({ mailboxId: 'bench', baseUrl, getAccessToken: async () => token });
  const sync = new GmailSentSync({
    mailboxId: 'bench',
    mailboxAddress: EMAIL,
    client,
    cursors: cursorStore,
    importWindowDays: 90,
    pageSize: PAGE_SIZE,
    batchSize,
    // One call per request needs many in flight to fill the window; batches need few.
    concurrency: batchSize === 1 ? 10 : 4,
    sink: async (page) => {
      // Stand-in for the durable write: yield once, as an IndexedDB transaction would.
      await new Promise((resolve) => setImmediate(resolve));
      delivered += page.length;
    },
  });
  const started = performance.now();
  await sync.run();
  const seconds = (performance.now() - started) / 1000;
  await fake.stop();
  const { httpRequests, quotaRejections, maxUnitsInWindow, unitsCharged } = fake.counters;
  return { delivered, seconds, httpRequests, quotaRejections, maxUnitsInWindow, unitsCharged };
}

const unitsPerMessage = GMAIL_QUOTA_UNITS.messagesGet + GMAIL_QUOTA_UNITS.messagesList / PAGE_SIZE;
const ceiling = GMAIL_USER_UNITS_PER_SECOND / unitsPerMessage;
const perThousand = (r: Run) => ((r.httpRequests / r.delivered) * 1000).toFixed(0);

const before = await run(BEFORE_MESSAGES, 1);
const after = await run(MESSAGES, 50);
const ratio = after.delivered / after.seconds / ceiling;

console.log(
  `quota-bound maximum:        ${ceiling.toFixed(1)} messages/s (250 units/s / ${unitsPerMessage} units per message)`,
);
for (const [name, r] of [
  ['one call per request', before],
  ['batches of up to 50 calls', after],
] as const) {
  console.log(`-- ${name}`);
  console.log(`   messages synced:         ${r.delivered} in ${r.seconds.toFixed(1)} s`);
  console.log(
    `   achieved:                ${(r.delivered / r.seconds).toFixed(1)} messages/s, ratio ${(r.delivered / r.seconds / ceiling).toFixed(3)}`,
  );
  console.log(`   HTTP round trips:        ${r.httpRequests} (${perThousand(r)} per 1,000 messages)`);
  console.log(
    `   max units in any 1 s:    ${r.maxUnitsInWindow} (limit 250); 429s from the quota: ${r.quotaRejections}`,
  );
}
console.log(
  `round trips per 1,000:      ${perThousand(before)} before, ${perThousand(after)} after batching`,
);
console.log(`ratio with batching:        ${ratio.toFixed(3)} (target >= ${TARGET_RATIO})`);
finishBench({
  correct:
    after.delivered === MESSAGES && before.delivered === BEFORE_MESSAGES && after.quotaRejections === 0,
  targetsMet: ratio >= TARGET_RATIO,
});
