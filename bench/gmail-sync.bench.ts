import { GmailApiClient } from '../lib/mail/gmail/api/GmailApiClient';
import { GMAIL_QUOTA_UNITS, GMAIL_USER_UNITS_PER_SECOND } from '../lib/mail/gmail/api/GmailQuotaLimiter';
import { GmailSentSync, type GmailSyncCursor } from '../lib/mail/gmail/api/GmailSentSync';
import type { CursorStore } from '../lib/mail/sync/MailboxSync';
import { FakeGmailApi } from '../tests/fakes/FakeGmailApi';

// Historical import of N sent messages from FakeGmailApi with its per-user quota enforced
// (250 units/s over any 1-second window). The ceiling is set by the quota, not by the CPU:
// each message costs one messages.get (5 units) plus its share of a messages.list page.
const MESSAGES = Number(process.env.BENCH_GMAIL_MESSAGES ?? 5000);
const PAGE_SIZE = 100;
const EMAIL = 'bench@seller.example';

const fake = new FakeGmailApi({ seed: 42 });
const baseUrl = await fake.start();
const token = fake.issueAccessToken(EMAIL);
fake.seedSentMessages(EMAIL, MESSAGES, { spacingMs: 60_000, newest: Date.now() - 60_000 });

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
  sink: async (messages) => {
    // Stand-in for the durable write: yield once, as an IndexedDB transaction would.
    await new Promise((resolve) => setImmediate(resolve));
    delivered += messages.length;
  },
});

const started = performance.now();
const result = await sync.run();
const seconds = (performance.now() - started) / 1000;
await fake.stop();

const unitsPerMessage = GMAIL_QUOTA_UNITS.messagesGet + GMAIL_QUOTA_UNITS.messagesList / PAGE_SIZE;
const ceiling = GMAIL_USER_UNITS_PER_SECOND / unitsPerMessage;
const achieved = delivered / seconds;
console.log(
  `messages synced:        ${delivered} of ${MESSAGES} (mode ${result.mode}, ${result.pages} pages)`,
);
console.log(`elapsed:                ${seconds.toFixed(1)} s`);
console.log(`achieved:               ${achieved.toFixed(1)} messages/s`);
console.log(
  `quota-bound maximum:    ${ceiling.toFixed(1)} messages/s (250 units/s / ${unitsPerMessage} units per message)`,
);
console.log(`ratio:                  ${(achieved / ceiling).toFixed(3)} (target >= 0.9)`);
console.log(
  `units charged:          ${fake.counters.unitsCharged} (${(fake.counters.unitsCharged / seconds).toFixed(1)} units/s)`,
);
console.log(`max units in any 1 s:   ${fake.counters.maxUnitsInWindow} (limit 250)`);
console.log(`429s from the quota:    ${fake.counters.quotaRejections}`);
if (delivered !== MESSAGES || fake.counters.quotaRejections > 0 || achieved / ceiling < 0.9)
  process.exitCode = 1;
