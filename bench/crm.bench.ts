import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmailActivityInput } from '../lib/crm/contract';
import { mulberry32 } from '../lib/random/mulberry32';
import { openDatabase } from '../server/db/openDatabase';
import { startCrmServer } from '../server/startCrmServer';
import { benchSize, finishBench } from './benchUtils';

/**
 * The reference CRM on PGlite with 100k contacts: lookups of 100 emails per request and
 * logging of 10k activities in batches of 100, over HTTP on loopback.
 * Targets: lookup p95 < 20 ms; logging > 2,000 activities/s.
 */
const CONTACTS = benchSize(100_000, 2_000);
const COMPANIES = 1_000;
const LOOKUP_REQUESTS = benchSize(200, 20);
const LOOKUP_WARMUP = 20;
const EMAILS_PER_LOOKUP = 100;
const ACTIVITIES = benchSize(10_000, 500);
const BATCH = 100;
const TARGET_LOOKUP_P95_MS = 20;
const TARGET_ACTIVITIES_PER_S = 2_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? Number.NaN };
}

const emailOf = (n: number) => `person${n}@company${n % COMPANIES}.example`;
const alternateOf = (n: number) => `p${n}.home@mail${n % 7}.example`;

const dataDir = await mkdtemp(join(tmpdir(), 'crm-bench-'));
try {
  // 1. Schema and users through the server's own start, then a bulk load in three statements.
  let started = performance.now();
  const empty = await startCrmServer({ dataDir, port: 0, quiet: true, seed: false });
  const token = empty.token;
  await empty.close();
  const initMs = performance.now() - started;

  started = performance.now();
  const db = await openDatabase({ dataDir });
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO companies (id, name) SELECT 'cmp_b' || g, 'Company ' || g FROM generate_series(0, $1::int - 1) g`,
      [COMPANIES],
    );
    await tx.query(
      `INSERT INTO company_domains (domain, company_id)
       SELECT 'company' || g || '.example', 'cmp_b' || g FROM generate_series(0, $1::int - 1) g`,
      [COMPANIES],
    );
    await tx.query(
      `INSERT INTO contacts (id, name, title, company_id, owner_name, lifecycle_stage)
       SELECT 'con_b' || g, 'Person ' || g, 'Title ' || (g % 17), 'cmp_b' || (g % $2::int), 'Owner ' || (g % 5), 'lead'
       FROM generate_series(0, $1::int - 1) g`,
      [CONTACTS, COMPANIES],
    );
    await tx.query(
      `INSERT INTO contact_emails (email, contact_id, position)
       SELECT 'person' || g || '@company' || (g % $2::int) || '.example', 'con_b' || g, 0
       FROM generate_series(0, $1::int - 1) g
       UNION ALL
       SELECT 'p' || g || '.home@mail' || (g % 7) || '.example', 'con_b' || g, 1
       FROM generate_series(0, $1::int - 1, 5) g`,
      [CONTACTS, COMPANIES],
    );
  });
  await db.query('ANALYZE');
  const { rows } = await db.query<{ contacts: number; emails: number }>(
    'SELECT (SELECT count(*) FROM contacts)::int AS contacts, (SELECT count(*) FROM contact_emails)::int AS emails',
  );
  await db.close();
  const loadMs = performance.now() - started;
  console.log(
    `setup: PGlite initdb + migrations ${Math.round(initMs)} ms; loaded ${rows[0]?.contacts} contacts / ${rows[0]?.emails} addresses in ${Math.round(loadMs)} ms`,
  );

  // 2. The server on the loaded folder.
  const crm = await startCrmServer({ dataDir, port: 0, quiet: true });
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${crm.url}/api/v1${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, unknown[]>;
    if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };

  // 3. Lookups: 100 addresses per request, mostly known (main and alternate), some unknown.
  // Deterministic, so every run asks for the same addresses.
  const random = mulberry32(42);
  const lookupBody = () => {
    const emails: string[] = [];
    for (let i = 0; i < EMAILS_PER_LOOKUP; i++) {
      const n = Math.floor(random() * CONTACTS);
      const roll = random();
      emails.push(
        roll < 0.6
          ? emailOf(n)
          : roll < 0.8
            ? alternateOf(n - (n % 5)).toUpperCase()
            : `nobody${n}@unknown.example`,
      );
    }
    const domains = Array.from({ length: 5 }, () => `company${Math.floor(random() * COMPANIES)}.example`);
    return { emails, domains };
  };
  let found = 0;
  const lookupMs: number[] = [];
  for (let i = 0; i < LOOKUP_WARMUP + LOOKUP_REQUESTS; i++) {
    const body = lookupBody();
    const t = performance.now();
    const result = await post('/lookup', body);
    const elapsed = performance.now() - t;
    if (i >= LOOKUP_WARMUP) {
      lookupMs.push(elapsed);
      found += result.contacts?.length ?? 0;
    }
  }
  const lookup = summary(lookupMs);

  // 4. Logging: 10k activities in batches of 100, each batch one transaction and one INSERT.
  const batchMs: number[] = [];
  const loggingStarted = performance.now();
  let created = 0;
  for (let b = 0; b < ACTIVITIES / BATCH; b++) {
    const activities: EmailActivityInput[] = Array.from({ length: BATCH }, (_, i) => {
      const n = Math.floor(random() * CONTACTS);
      return {
        type: 'email',
        externalId: `bench-${b}-${i}@bench.example`,
        contactId: `con_b${n}`,
        direction: i % 2 ? 'incoming' : 'outgoing',
        subject: `Benchmark message ${b}/${i}`,
        snippet: 'A realistic snippet of about one line of text, as the extension sends by default.',
        occurredAt: new Date(Date.UTC(2024, 0, 1) + (b * BATCH + i) * 60_000).toISOString(),
        from: { name: `Person ${n}`, address: emailOf(n) },
        to: [{ name: 'Dana Whitfield', address: 'dana.whitfield@northwind-trading.com' }],
        cc: [],
        hasAttachments: false,
        threadId: `bench-thread-${b}`,
        source: 'gmail',
      };
    });
    const t = performance.now();
    const result = await post('/activities', { activities });
    batchMs.push(performance.now() - t);
    created += (result.results as { status: string }[]).filter((r) => r.status === 'created').length;
  }
  const loggingS = (performance.now() - loggingStarted) / 1000;
  const logging = summary(batchMs);
  const rowsPerS = ACTIVITIES / loggingS;
  await crm.close();

  const lookupOk = lookup.p95 < TARGET_LOOKUP_P95_MS;
  const loggingOk = rowsPerS > TARGET_ACTIVITIES_PER_S && created === ACTIVITIES;
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log(
    `lookup (${EMAILS_PER_LOOKUP} emails + 5 domains, ${LOOKUP_REQUESTS} requests, ${CONTACTS} contacts): ` +
      `p50 ${ms(lookup.p50)}, p95 ${ms(lookup.p95)}, max ${ms(lookup.max)}; ${(found / LOOKUP_REQUESTS).toFixed(1)} contacts found per request` +
      ` | target p95 < ${TARGET_LOOKUP_P95_MS} ms: ${lookupOk ? 'met' : 'MISSED'}`,
  );
  console.log(
    `logging (${ACTIVITIES} activities, batches of ${BATCH}): per batch p50 ${ms(logging.p50)}, p95 ${ms(logging.p95)}, max ${ms(logging.max)}; ` +
      `${Math.round(rowsPerS)} activities/s (${created} created)` +
      ` | target > ${TARGET_ACTIVITIES_PER_S}/s: ${loggingOk ? 'met' : 'MISSED'}`,
  );
  // Shared machines skew figures; say how busy this one was.
  console.log(
    `load average during the run: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} (1/5/15 min)`,
  );
  finishBench({ correct: created === ACTIVITIES, targetsMet: lookupOk && loggingOk });
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
