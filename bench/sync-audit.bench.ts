import 'fake-indexeddb/auto';
import { auditMailboxWindow } from '../lib/audit/SyncAudit';
import type { CrmSession } from '../lib/background/CrmSession';
import type { EmailActivityInput } from '../lib/crm/contract';
import { GmailApiClient } from '../lib/mail/gmail/api/GmailApiClient';
import { GMAIL_QUOTA_UNITS, GMAIL_USER_UNITS_PER_SECOND } from '../lib/mail/gmail/api/GmailQuotaLimiter';
import { listGmailWindow } from '../lib/mail/gmail/api/listGmailWindow';
import { normaliseMessageId } from '../lib/mail/normaliseMessageId';
import { parseAddressList } from '../lib/mail/parseAddressList';
import { DEFAULT_SETTINGS } from '../lib/settings/Settings';
import { openCrmSidebarDb } from '../lib/store/db';
import { LookupCache } from '../lib/store/LookupCache';
import { FakeCrmConnector } from '../tests/fakes/FakeCrmConnector';
import { FakeGmailApi } from '../tests/fakes/FakeGmailApi';
import { benchSize, finishBench } from './benchUtils';

// The sync audit of a window of N sent messages (default 5,000) against FakeGmailApi with its
// per-user quota enforced (250 units/s over any 1-second window) and FakeCrmConnector, 5% of
// the logged mail deleted on the CRM side. Listing a Gmail window costs one messages.list per
// 500 ids (5 units) and one messages.get per message (5 units, batched 50 to a request), so
// the quota sets the floor on wall time: units / 250 per second. The figure is that floor
// divided by the measured time (1.0 = as fast as the quota allows). CRM requests are compared
// with the fewest the contract allows: one lookup per 100 addresses and one batch check
// (POST /activities/logged) per 100 Message-IDs.
const MESSAGES = Number(process.env.BENCH_AUDIT_MESSAGES ?? benchSize(5000, 300));
const TARGET_QUOTA_RATIO = 0.8;
const TARGET_CRM_RATIO = 3;
const EMAIL = 'bench@seller.example';
const DAY = 86_400_000;

const gmail = new FakeGmailApi({ seed: 7 });
const baseUrl = await gmail.start();
const token = gmail.issueAccessToken(EMAIL);
const newest = Date.now() - 60_000;
gmail.seedSentMessages(EMAIL, MESSAGES, {
  newest,
  spacingMs: Math.floor((85 * DAY) / MESSAGES),
  automatedRatio: 0.03,
  missingMessageIdRatio: 0.02,
});

const crm = new FakeCrmConnector({
  user: { id: 'u1', name: 'Bench Seller', email: EMAIL },
  org: { name: 'Seller', domains: ['seller.example'] },
});
const contactOf = new Map<string, string>();
const logged: EmailActivityInput[] = [];
let deleted = 0;
gmail.messages(EMAIL).forEach((m, i) => {
  const header = (name: string) => m.headers.find((h) => h.name.toLowerCase() === name)?.value ?? '';
  const recipients = [...parseAddressList(header('to')), ...parseAddressList(header('cc'))].filter(
    (a) => !a.address.endsWith('@seller.example'),
  );
  for (const a of recipients)
    if (!contactOf.has(a.address))
      contactOf.set(a.address, crm.addContact({ name: a.name || a.address, emails: [a.address] }).id);
  const externalId = header('message-id') ? normaliseMessageId(header('message-id')) : null;
  if (!externalId) return;
  // Every 20th email is "deleted in the CRM": never logged there.
  if (i % 20 === 0) {
    deleted++;
    return;
  }
  for (const a of recipients)
    logged.push({
      type: 'email',
      externalId,
      contactId: contactOf.get(a.address)!,
      direction: 'outgoing',
      subject: header('subject'),
      snippet: '',
      occurredAt: new Date(m.internalDate).toISOString(),
      from: { name: 'Bench Seller', address: EMAIL },
      to: [],
      cc: [],
      hasAttachments: false,
      source: 'gmail',
    });
});
for (let i = 0; i < logged.length; i += 100) await crm.logActivities(logged.slice(i, i + 100));

const db = openCrmSidebarDb('bench-sync-audit');
const session: CrmSession = { settings: DEFAULT_SETTINGS, connector: crm, me: await crm.whoami() };
const client = new GmailApiClient({ mailboxId: 'bench', baseUrl, getAccessToken: async () => token });
gmail.resetCounters();
const started = performance.now();
const outcome = await auditMailboxWindow({
  session,
  mailboxAddress: EMAIL,
  ownAddresses: [EMAIL],
  listWindow: (folder, window, options) => listGmailWindow(client, folder, window, options),
  folders: ['sent'],
  window: { from: newest - 90 * DAY, to: Date.now() },
  cache: new LookupCache(db),
});
const seconds = (performance.now() - started) / 1000;
await gmail.stop();
db.close();

const { httpRequests, requests, unitsCharged, quotaRejections, maxUnitsInWindow } = gmail.counters;
const floorSeconds = unitsCharged / GMAIL_USER_UNITS_PER_SECOND;
const quotaRatio = floorSeconds / seconds;
const addresses = new Set(contactOf.keys()).size;
const candidates = outcome.counts.logged + outcome.counts.missing;
const fewestCrm = Math.ceil(addresses / 100) + Math.ceil(candidates / 100);
const crmRatio = outcome.crmRequests / fewestCrm;
const expectedUnits =
  Math.ceil(MESSAGES / 500) * GMAIL_QUOTA_UNITS.messagesList + MESSAGES * GMAIL_QUOTA_UNITS.messagesGet;

console.log(
  `window:                 ${MESSAGES.toLocaleString('en')} sent messages, ${deleted} deleted in the CRM`,
);
console.log(
  `audit:                  ${outcome.counts.logged} logged, ${outcome.counts.skipped} skipped (${outcome.skippedByRule
    .map((r) => `${r.rule} ${r.count}`)
    .join(', ')}), ${outcome.counts.missing} missing`,
);
console.log(`wall time:              ${seconds.toFixed(1)} s`);
console.log(
  `Gmail:                  ${httpRequests} HTTP requests for ${requests} calls, ${unitsCharged} units (expected ${expectedUnits}), ${quotaRejections} refused by the quota, busiest second ${maxUnitsInWindow} units`,
);
console.log(
  `quota-bound minimum:    ${floorSeconds.toFixed(1)} s (${unitsCharged} units / ${GMAIL_USER_UNITS_PER_SECOND} per second)`,
);
console.log(
  `quota ratio:            ${quotaRatio.toFixed(2)} (minimum / measured; target >= ${TARGET_QUOTA_RATIO}) ${quotaRatio >= TARGET_QUOTA_RATIO ? 'OK' : 'BELOW TARGET'}`,
);
console.log(
  `CRM requests:           ${outcome.crmRequests} (fewest the contract allows: ${fewestCrm}; ratio ${crmRatio.toFixed(2)}, target <= ${TARGET_CRM_RATIO}) ${crmRatio <= TARGET_CRM_RATIO ? 'OK' : 'ABOVE TARGET'}`,
);
console.log(
  `missing found:          ${outcome.counts.missing} of ${deleted} deleted ${outcome.counts.missing === deleted ? 'OK' : 'WRONG'}`,
);
finishBench({
  correct:
    quotaRejections === 0 &&
    maxUnitsInWindow <= GMAIL_USER_UNITS_PER_SECOND &&
    outcome.counts.missing === deleted,
  targetsMet: quotaRatio >= TARGET_QUOTA_RATIO,
});
