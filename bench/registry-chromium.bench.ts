import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { MessageRegistry } from '../lib/logging/MessageRegistry';
import type { CrmSidebarDb, RegistryRow } from '../lib/store/db';
import { benchSize, CHROMIUM, finishBench, ROOT, TSX_NAME_SHIM } from './benchUtils';

// The Message-ID registry (lib/logging/MessageRegistry over the Dexie database in
// lib/store/db) with 100k rows, in the IndexedDB of a real Chromium (on-disk LevelDB
// profile, not an in-memory incognito context) and, for comparison, in Node over
// fake-indexeddb. The same measuring function runs in both places: it is bundled
// neither way, but handed to the page as source, so the figures are comparable.
const ROWS = benchSize(100_000, 5_000);
const FILL_CHUNK = 5_000;
const LOOKUPS = benchSize(10_000, 500);
const WARMUP_LOOKUPS = benchSize(1_000, 50);
const BULK_ROUNDS = benchSize(200, 20);
// The same target bench/linking.bench.ts applies to the fake-indexeddb registry.
const TARGET_P99_MS = 5;

interface RegistryApi {
  openCrmSidebarDb(name: string): CrmSidebarDb;
  MessageRegistry: new (db: CrmSidebarDb) => MessageRegistry;
}
interface MeasureOptions {
  dbName: string;
  rows: number;
  chunk: number;
  lookups: number;
  warmup: number;
  bulkRounds: number;
}
interface Figures {
  fillMs: number;
  rowCount: number;
  hits: number;
  single: { p50: number; p99: number; max: number };
  bulk: { p50: number; p99: number };
  timerResolutionMs: number;
}

/**
 * Fills the registry and times lookups. Self-contained (no module-scope references):
 * it is also sent to the page as source text.
 */
async function measureRegistry(api: RegistryApi, o: MeasureOptions): Promise<Figures> {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const pick = (n: number) => Math.floor(rand() * n);
  const pct = (sorted: number[], p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

  const db = api.openCrmSidebarDb(o.dbName);
  const registry = new api.MessageRegistry(db);
  await db.open();
  const t0 = performance.now();
  for (let start = 0; start < o.rows; start += o.chunk) {
    const rows: RegistryRow[] = [];
    for (let i = start; i < Math.min(o.rows, start + o.chunk); i++) {
      rows.push({
        crmUserId: 'user_1',
        externalId: `m${i}@mail.example`,
        activities: { [`con_${i}`]: { activityId: `act_${i}`, status: 'created' } },
        loggedAt: i,
        status: 'logged',
      });
    }
    await db.registry.bulkPut(rows);
  }
  const fillMs = performance.now() - t0;
  const rowCount = await registry.count();

  // Half present, half absent (a message nobody logged yet): both answers matter to the panel.
  const idFor = (q: number) => (q % 2 === 0 ? `m${pick(o.rows)}@mail.example` : `absent${q}@mail.example`);
  for (let q = 0; q < o.warmup; q++) await registry.isLogged('user_1', idFor(q));
  const single: number[] = [];
  let hits = 0;
  for (let q = 0; q < o.lookups; q++) {
    const id = idFor(q);
    const s = performance.now();
    if (await registry.isLogged('user_1', id)) hits++;
    single.push(performance.now() - s);
  }
  single.sort((a, b) => a - b);
  const bulk: number[] = [];
  for (let q = 0; q < o.bulkRounds; q++) {
    const ids = Array.from({ length: 100 }, () => `m${pick(o.rows * 2)}@mail.example`);
    const s = performance.now();
    await registry.loggedAmong('user_1', ids);
    bulk.push(performance.now() - s);
  }
  bulk.sort((a, b) => a - b);

  // The smallest step performance.now() shows here (Chromium coarsens it unless the page
  // is cross-origin isolated).
  let timerResolutionMs = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 50; k++) {
    const a = performance.now();
    let b = performance.now();
    while (b === a) b = performance.now();
    timerResolutionMs = Math.min(timerResolutionMs, b - a);
  }
  await db.delete();
  return {
    fillMs,
    rowCount,
    hits,
    single: { p50: pct(single, 50), p99: pct(single, 99), max: single[single.length - 1] ?? 0 },
    bulk: { p50: pct(bulk, 50), p99: pct(bulk, 99) },
    timerResolutionMs,
  };
}

const options: MeasureOptions = {
  dbName: `bench-registry-${process.pid}`,
  rows: ROWS,
  chunk: FILL_CHUNK,
  lookups: LOOKUPS,
  warmup: WARMUP_LOOKUPS,
  bulkRounds: BULK_ROUNDS,
};

let correct = true;
let targetsMet = true;

function report(where: string, f: Figures): void {
  const met = f.single.p99 < TARGET_P99_MS;
  targetsMet &&= met;
  correct &&= f.rowCount === ROWS;
  console.log(`${where}: ${ROWS.toLocaleString('en-US')} rows written in ${f.fillMs.toFixed(0)} ms`);
  console.log(
    `${where}: isLogged x${LOOKUPS.toLocaleString('en-US')} (${f.hits} hits, after ${WARMUP_LOOKUPS} warm-up):` +
      ` p50 ${f.single.p50.toFixed(3)} ms, p99 ${f.single.p99.toFixed(3)} ms, max ${f.single.max.toFixed(3)} ms;` +
      ` target p99 < ${TARGET_P99_MS} ms ${met ? 'met' : 'NOT met'}`,
  );
  console.log(
    `${where}: loggedAmong(100 ids) x${BULK_ROUNDS}: p50 ${f.bulk.p50.toFixed(3)} ms, p99 ${f.bulk.p99.toFixed(3)} ms` +
      ` (performance.now() step ${(f.timerResolutionMs * 1e6).toFixed(0)} ns)`,
  );
  if (f.rowCount !== ROWS)
    console.log(`${where}: WARNING: registry holds ${f.rowCount} rows, expected ${ROWS}`);
}

async function runInChromium(): Promise<void> {
  const bundle = await build({
    stdin: {
      contents: [
        "import { openCrmSidebarDb } from './lib/store/db';",
        "import { MessageRegistry } from './lib/logging/MessageRegistry';",
        'Object.assign(window, { __registryApi: { openCrmSidebarDb, MessageRegistry } });',
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]!.text;
  const html =
    '<!doctype html><meta charset="utf-8"><title>registry bench</title><script type="module" src="/bench.js"></script>';
  // Cross-origin isolated, so performance.now() has its finest resolution in Chromium.
  const isolation = {
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  };
  const server = createServer((req, res) => {
    if (req.url === '/bench.js')
      res.writeHead(200, { 'content-type': 'text/javascript', ...isolation }).end(js);
    else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html', ...isolation }).end(html);
    else res.writeHead(404).end();
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  const profile = await mkdtemp(join(tmpdir(), 'crm-registry-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.addInitScript(TSX_NAME_SHIM);
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => '__registryApi' in window);
    const version = context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
    const figures = (await page.evaluate(
      `(${measureRegistry.toString()})(window.__registryApi, ${JSON.stringify(options)})`,
    )) as Figures;
    report(`Chromium ${version} IndexedDB`, figures);
  } finally {
    await context.close();
    await new Promise((done) => server.close(done));
    await rm(profile, { recursive: true, force: true });
  }
}

async function runInNode(): Promise<void> {
  // Installs fake-indexeddb as the global IndexedDB (a side-effect module without types of its own).
  const fakeIndexedDbAuto: string = 'fake-indexeddb/auto';
  await import(fakeIndexedDbAuto);
  const { openCrmSidebarDb } = await import('../lib/store/db');
  const { MessageRegistry } = await import('../lib/logging/MessageRegistry');
  report(
    `Node ${process.version} fake-indexeddb`,
    await measureRegistry({ openCrmSidebarDb, MessageRegistry }, options),
  );
}

try {
  const { existsSync } = await import('node:fs');
  if (existsSync(CHROMIUM)) await runInChromium();
  else if (process.env.CI) throw new Error(`no Chromium at ${CHROMIUM}: CI installs it (.ci/run)`);
  else console.log(`SKIPPED in Chromium: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  await runInNode();
  finishBench({ correct, targetsMet });
} catch (error) {
  console.error('registry benchmark broke:', error);
  process.exitCode = 1;
}
