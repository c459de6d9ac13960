import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxStatus } from '../../lib/messaging/messages';
import { openDatabase } from '../../server/db/openDatabase';
import { SEED } from '../../server/seed';
import { seededRandom } from '../fakes/FakeGmailApi';
import { fakePerson, pickWith } from '../fakes/fakePeople';
import { configureCrm } from './harness/extensionMessages';
import type { RequestHandler } from './harness/HostRoutedHttpsServer';
import {
  ask,
  configureGoogleApp,
  createGoogleFakes,
  type GoogleFakes,
  getStatus,
  waitForSyncedAndDelivered,
} from './harness/mailboxSync';
import {
  configureMicrosoftApp,
  createMicrosoftFakes,
  MICROSOFT_HOSTS,
  type MicrosoftFakes,
} from './harness/microsoftFakes';
import { type ReferenceCrm, startReferenceCrm } from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

/**
 * Every message of a 6,000-message 90-day window arrives once: the built
 * extension imports a 90-day window of WINDOW_MESSAGES sent messages (plus some just older,
 * which must not be logged) through the strict provider fakes, Gmail and then Microsoft Graph,
 * and the reference CRM's own database then holds exactly one activity per (message, CRM
 * contact it was addressed to) and nothing else. A second sync adds nothing. On Graph the
 * window must come through the message list ($filter + $orderby), not a filtered delta, which
 * stops at 5,000 (FakeGraphApi's FILTERED_DELTA_CAP). At Gmail's per-user quota (250 units/s,
 * messages.get 5 units) 6,000 messages take two minutes of fetching alone, so this file is
 * `npm run test:window`, run by .ci/run after `npm test`, not part of the default e2e run.
 */

const MESSAGES = Number(process.env.WINDOW_MESSAGES ?? 6000);
/** Older than the window (91 to 100 days), addressed to contacts: none may be logged. */
const OUTSIDE = Math.max(10, Math.round(MESSAGES / 100));
const CONTACTS = 100;
/** Share of the window's messages addressed to strangers only (no activity). */
const STRANGERS_ONLY = 0.15;
const WINDOW_DAYS = 90;
const ME = SEED.demoUser.email;
const DAY = 86_400_000;
const SUBJECT_PREFIX = 'Window import';
/** The import's wait: quota-bound fetching plus the CRM's writes, with room for a loaded machine. */
const SYNC_TIMEOUT_MS = 120_000 + MESSAGES * 60;

interface Correspondent {
  name: string;
  address: string;
}

interface PlannedMessage {
  index: number;
  /** Epoch ms. */
  date: number;
  to: Correspondent[];
  cc: Correspondent[];
  /** Normalised Message-ID (the activity's externalId). */
  externalId: string;
  /** CRM contacts that must get exactly one activity each (empty outside the window). */
  contactIds: string[];
  /** Sent seconds before connect (dated then): inside the minute Graph's delta for new mail reaches back. */
  sentAtConnect: boolean;
}

/** The newest few of the window: sent just before connect. */
const SENT_AT_CONNECT = 3;

/** Dates the messages sent at connect to now (whole seconds) and returns them. */
function dateSentAtConnect(plan: PlannedMessage[]): PlannedMessage[] {
  const now = Date.now();
  const late = plan.filter((m) => m.sentAtConnect);
  for (const m of late) m.date = 1000 * Math.floor((now - 10_000 + m.index * 1000) / 1000);
  return late;
}

/** Oldest first, as mail accumulates (Gmail's history ids grow with time). */
function oldestFirst(messages: readonly PlannedMessage[]): PlannedMessage[] {
  return [...messages].sort((a, b) => a.date - b.date);
}

/**
 * The mailbox both cases import: MESSAGES messages spread evenly (with jitter) over the
 * window, newest a few minutes ago, each to one or two contacts (the second in To or Cc) or
 * to strangers only; OUTSIDE older ones to contacts. Deterministic for a seed.
 */
function planMailbox(
  contacts: readonly (Correspondent & { id: string })[],
  now: number,
  runTag: string,
  seed: number,
): PlannedMessage[] {
  const random = seededRandom(seed);
  const stranger = (i: number): Correspondent =>
    fakePerson(random, {
      first: ['Quinn', 'Rosa', 'Sami', 'Toni', 'Uma'],
      last: ['Doe', 'Roe', 'Poe'],
      domains: [`prospect${i % 50}.example`],
    });
  const planned: PlannedMessage[] = [];
  const windowStart = now - WINDOW_DAYS * DAY;
  // The oldest is 2 hours inside the window's start, so the time between planning and the
  // extension fixing its window cannot move one out.
  const span = WINDOW_DAYS * DAY - 2 * 3_600_000;
  for (let i = 0; i < MESSAGES + OUTSIDE; i++) {
    const inside = i < MESSAGES;
    // Whole seconds: Graph keeps receivedDateTime to the second.
    const date =
      1000 *
      Math.floor(
        (inside
          ? now - 60_000 - Math.floor(((i + random()) * span) / MESSAGES)
          : windowStart - DAY - Math.floor(random() * 9 * DAY)) / 1000,
      );
    const to: Correspondent[] = [];
    const cc: Correspondent[] = [];
    const contactIds: string[] = [];
    if (!inside || random() >= STRANGERS_ONLY) {
      const first = pickWith(random, contacts);
      to.push(first);
      contactIds.push(first.id);
      if (random() < 0.3) {
        const second = pickWith(random, contacts);
        if (second.id !== first.id) {
          (random() < 0.5 ? to : cc).push(second);
          contactIds.push(second.id);
        }
      }
    }
    if (contactIds.length === 0 || random() < 0.3) to.push(stranger(i));
    planned.push({
      index: i,
      date,
      to,
      cc,
      externalId: `win-${i}-${runTag}@mail.example`,
      contactIds: inside ? contactIds : [],
      sentAtConnect: i < SENT_AT_CONNECT,
    });
  }
  return planned;
}

function formatParty(p: Correspondent): string {
  return `${p.name} <${p.address}>`;
}

/** Creates CONTACTS contacts directly in the CRM (not through the extension). */
async function createContacts(crm: ReferenceCrm, seed: number): Promise<(Correspondent & { id: string })[]> {
  const random = seededRandom(seed);
  const contacts: (Correspondent & { id: string })[] = [];
  const taken = new Set<string>();
  while (contacts.length < CONTACTS) {
    const person = fakePerson(random, {
      first: ['Ana', 'Ben', 'Chloé', 'Dmitri', 'Eve', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jon'],
      last: ['Okafor', 'Schmidt', 'Lefèvre', "O'Brien", 'Nakamura', 'García', 'Smith', 'Kowalski'],
      domains: ['customer1.example', 'customer2.example', 'customer3.example', 'customer4.example'],
    });
    if (taken.has(person.address)) continue;
    taken.add(person.address);
    const { status, body } = await crm.api<{ id: string }>('/contacts', {
      method: 'POST',
      body: JSON.stringify({ name: person.name, emails: [person.address] }),
    });
    expect(status).toBe(201);
    contacts.push({ ...person, id: body.id });
  }
  return contacts;
}

interface ActivityRow {
  id: string;
  external_id: string;
  contact_id: string;
  source: string;
}

/** Every activity in the CRM's database, read in one query (the server stopped meanwhile). */
async function readAllActivities(crm: ReferenceCrm): Promise<ActivityRow[]> {
  await crm.stop();
  try {
    const db = await openDatabase({ dataDir: crm.dataDir });
    try {
      const { rows } = await db.query<ActivityRow>(
        'SELECT id, external_id, contact_id, source FROM activities',
      );
      return rows;
    } finally {
      await db.close();
    }
  } finally {
    await crm.restart();
  }
}

/**
 * Compares the CRM with the plan: every expected (message, contact) exactly once, nothing
 * for strangers or for mail outside the window, no other new activity; returns the figures.
 */
function compareWithPlan(
  plan: readonly PlannedMessage[],
  before: readonly ActivityRow[],
  after: readonly ActivityRow[],
  source: string,
) {
  const existing = new Set(before.map((r) => r.id));
  const added = after.filter((r) => !existing.has(r.id));
  const expected = new Set(plan.flatMap((m) => m.contactIds.map((c) => `${m.externalId} ${c}`)));
  const count = new Map<string, number>();
  for (const r of added) {
    const pair = `${r.external_id} ${r.contact_id}`;
    count.set(pair, (count.get(pair) ?? 0) + 1);
  }
  return {
    expected: expected.size,
    added: added.length,
    lost: [...expected].filter((p) => !count.has(p)),
    duplicated: [...count].filter(([, n]) => n > 1).map(([p]) => p),
    unexpected: [...count.keys()].filter((p) => !expected.has(p)),
    wrongSource: added.filter((r) => r.source !== source).map((r) => r.id),
  };
}

/** The CRM with CONTACTS contacts and the planned mailbox, and the activities it held before. */
async function prepareCrmAndPlan(crm: ReferenceCrm, seed: number) {
  const contacts = await createContacts(crm, seed);
  const plan = planMailbox(contacts, Date.now(), `${seed}-${Date.now().toString(36)}`, seed + 1);
  return { plan, before: await readAllActivities(crm) };
}

/** After the import: the CRM compared with the plan, per message too (strangers, outside the window). */
async function expectEveryMessageLoggedOnce(
  crm: ReferenceCrm,
  plan: readonly PlannedMessage[],
  before: readonly ActivityRow[],
  source: 'gmail' | 'outlook',
) {
  const after = await readAllActivities(crm);
  const result = compareWithPlan(plan, before, after, source);
  expect(result.lost.slice(0, 5)).toEqual([]);
  expect(result.duplicated.slice(0, 5)).toEqual([]);
  expect(result.unexpected.slice(0, 5)).toEqual([]);
  expect(result.wrongSource).toEqual([]);
  expect(result.added).toBe(result.expected);
  // Messages to strangers only, and every message outside the window, have no activity.
  const logged = new Set(after.map((r) => r.external_id));
  const wrong = plan.filter((m) => logged.has(m.externalId) !== m.contactIds.length > 0).map((m) => m.index);
  expect(wrong.slice(0, 5)).toEqual([]);
  return result;
}

/**
 * Counts the reference CRM's requests by "METHOD /path" (ids folded) from its request log,
 * and the time the server spent on them.
 */
function crmRequestCounter() {
  const byRoute: Record<string, number> = {};
  const serverMs: Record<string, number> = {};
  return {
    byRoute,
    serverMs,
    log(line: string) {
      const { method, path, durationMs } = JSON.parse(line) as {
        method: string;
        path: string;
        durationMs: number;
      };
      const route = `${method} ${path.replace(/\/[a-z]{3}_[A-Za-z0-9_-]+/g, '/:id')}`;
      byRoute[route] = (byRoute[route] ?? 0) + 1;
      serverMs[route] = Math.round((serverMs[route] ?? 0) + durationMs);
    },
  };
}

/**
 * Times a provider fake's answers (arrival to the end of the response), to tell the fake's
 * share of an import from the extension's when requests go one at a time.
 */
function timedHandler(handler: RequestHandler) {
  const spans: [number, number][] = [];
  return {
    spans,
    handle: ((req, res) => {
      const arrived = performance.now();
      res.on('finish', () => spans.push([arrived, performance.now()]));
      return handler(req, res);
    }) as RequestHandler,
    /** Milliseconds inside the fake, and between one answer and the next request. */
    figures() {
      const inside = spans.reduce((sum, [a, b]) => sum + b - a, 0);
      const between = spans.slice(1).reduce((sum, [a], i) => sum + Math.max(0, a - spans[i]![1]), 0);
      return { inside: Math.round(inside), between: Math.round(between) };
    },
  };
}

describe(`Historical import through the built extension: ${MESSAGES} sent Gmail messages, ${WINDOW_DAYS}-day window`, () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;
  let google: GoogleFakes;
  let page: Page;
  let mailbox: MailboxStatus;
  let plan: PlannedMessage[];
  let before: ActivityRow[];
  const crmRequests = crmRequestCounter();

  beforeAll(async () => {
    crm = await startReferenceCrm({ log: crmRequests.log });
    google = createGoogleFakes(ME, { seed: 11 });
    env = await startE2eEnvironment({ extraRoutes: google.routes });
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
    await configureGoogleApp(env.browser, google);
    await ask(env.browser, 'settings.update', { patch: { historicalImportDays: WINDOW_DAYS } });
    page = await env.browser.newPage();
    await page.goto(env.browser.extensionUrl('popup.html'));

    ({ plan, before } = await prepareCrmAndPlan(crm, 1101));
    for (const m of oldestFirst(plan.filter((m) => !m.sentAtConnect))) send(m);
  }, 120_000);
  afterAll(async () => {
    await env?.close();
    await crm?.close();
  });

  function send(m: PlannedMessage): void {
    google.gmail.sendMessage(ME, {
      internalDate: m.date,
      headers: [
        { name: 'From', value: `${SEED.demoUser.name} <${ME}>` },
        { name: 'To', value: m.to.map(formatParty).join(', ') },
        ...(m.cc.length > 0 ? [{ name: 'Cc', value: m.cc.map(formatParty).join(', ') }] : []),
        { name: 'Subject', value: `${SUBJECT_PREFIX} ${m.index}` },
        { name: 'Date', value: new Date(m.date).toUTCString().replace('GMT', '+0000') },
        { name: 'Message-ID', value: `<${m.externalId}>` },
      ],
      snippet: `Message ${m.index}`,
    });
  }

  it(
    'imports the window once: one activity per (message, contact), nothing outside it or for strangers',
    async () => {
      for (const m of oldestFirst(dateSentAtConnect(plan))) send(m);
      const started = Date.now();
      mailbox = await ask<MailboxStatus>(env.browser, 'mailbox.connect', { provider: 'gmail' }, page);
      expect(mailbox.id).toBe(`gmail:${ME}`);
      const { status, mailbox: synced } = await waitForSyncedAndDelivered(env.browser, mailbox.id, {
        page,
        timeoutMs: SYNC_TIMEOUT_MS,
      });
      const seconds = (Date.now() - started) / 1000;
      expect(status.outbox.failed).toBe(0);

      const result = await expectEveryMessageLoggedOnce(crm, plan, before, 'gmail');
      // The popup's figures: every message with a contact counted logged once.
      expect(synced.progress?.logged).toBe(plan.filter((m) => m.contactIds.length > 0).length);
      const c = google.gmail.counters;
      console.log(
        [
          `gmail window import: ${MESSAGES} in window + ${OUTSIDE} outside, ${result.expected} activities expected, ${result.added} added, lost ${result.lost.length}, duplicated ${result.duplicated.length}, unexpected ${result.unexpected.length}; ${seconds.toFixed(1)} s from connect to delivered`,
          `  gmail: ${c.httpRequests} HTTP requests, ${c.batchRequests} batch requests (${c.batchParts} parts, at most ${c.maxBatchParts}), by method ${JSON.stringify(c.byMethod)}, ${c.unitsCharged} units (quota-bound time ${(c.unitsCharged / 250).toFixed(1)} s), max ${c.maxUnitsInWindow} in a 1-s window, quota 429s ${c.quotaRejections}`,
          `  crm: ${JSON.stringify(crmRequests.byRoute)}, server ms ${JSON.stringify(crmRequests.serverMs)}`,
          `  progress: ${JSON.stringify(synced.progress)}`,
        ].join('\n'),
      );
      // Each message of the window fetched once (format=metadata), in batch requests, within
      // the quota and the discovery document; none outside the window (q=after:).
      expect(c.byMethod.messagesGet).toBe(MESSAGES);
      expect(c.batchRequests).toBeGreaterThanOrEqual(Math.ceil(MESSAGES / 50));
      expect(c.maxBatchParts).toBeLessThanOrEqual(50);
      expect(c.quotaRejections).toBe(0);
      expect(c.discoveryRejections).toBe(0);
      expect(google.gmail.schemaViolations).toEqual([]);
      // Activities went to the CRM in batches, not one request per activity.
      expect(crmRequests.byRoute['POST /api/v1/activities'] ?? 0).toBeLessThan(result.expected / 20);
    },
    SYNC_TIMEOUT_MS + 60_000,
  );

  it('a second sync adds nothing', async () => {
    const last = (await getStatus(env.browser, page)).mailboxes.find((m) => m.id === mailbox.id)!.lastSyncAt;
    const getsBefore = google.gmail.counters.byMethod.messagesGet;
    expect(await ask(env.browser, 'mailbox.syncNow', { id: mailbox.id }, page)).toEqual({ started: 1 });
    const { mailbox: synced } = await waitForSyncedAndDelivered(env.browser, mailbox.id, {
      since: last,
      page,
    });
    expect(synced.progress?.logged ?? 0).toBe(0);
    // Incremental from the history id fixed before the import: nothing new to fetch.
    expect(google.gmail.counters.byMethod.messagesGet).toBe(getsBefore);
    await expectEveryMessageLoggedOnce(crm, plan, before, 'gmail');
  }, 120_000);

  it('raised no errors in extension pages', () => {
    expect(env.browser.pageErrors.filter((e) => e.startsWith('chrome-extension://'))).toEqual([]);
  });
});

describe(`Historical import through the built extension: ${MESSAGES} messages in Outlook's Sent Items (Graph), ${WINDOW_DAYS}-day window`, () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;
  let microsoft: MicrosoftFakes;
  let page: Page;
  let mailbox: MailboxStatus;
  let plan: PlannedMessage[];
  let before: ActivityRow[];
  const crmRequests = crmRequestCounter();
  const me = { name: SEED.demoUser.name, address: ME };
  let graphTimes: ReturnType<typeof timedHandler>;

  beforeAll(async () => {
    crm = await startReferenceCrm({ log: crmRequests.log });
    microsoft = createMicrosoftFakes(ME, { displayName: SEED.demoUser.name, graph: { seed: 12 } });
    graphTimes = timedHandler(microsoft.routes[MICROSOFT_HOSTS.api]!);
    env = await startE2eEnvironment({
      extraRoutes: { ...microsoft.routes, [MICROSOFT_HOSTS.api]: graphTimes.handle },
    });
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
    await configureMicrosoftApp(env.browser, microsoft);
    await ask(env.browser, 'settings.update', { patch: { historicalImportDays: WINDOW_DAYS } });
    page = await env.browser.newPage();
    await page.goto(env.browser.extensionUrl('popup.html'));

    ({ plan, before } = await prepareCrmAndPlan(crm, 1201));
    for (const m of oldestFirst(plan.filter((m) => !m.sentAtConnect))) send(m);
  }, 120_000);
  afterAll(async () => {
    await env?.close();
    await crm?.close();
  });

  function send(m: PlannedMessage): void {
    const at = new Date(m.date).toISOString().replace(/\.\d{3}Z$/, 'Z');
    microsoft.graph.sendMessage(ME, {
      folder: 'sentitems',
      internetMessageId: `<${m.externalId}>`,
      subject: `${SUBJECT_PREFIX} ${m.index}`,
      bodyPreview: `Message ${m.index}`,
      from: me,
      toRecipients: m.to,
      ccRecipients: m.cc,
      sentDateTime: at,
      receivedDateTime: at,
    });
  }

  it(
    'imports the window once through the message list, not a filtered delta (capped at 5,000)',
    async () => {
      for (const m of oldestFirst(dateSentAtConnect(plan))) send(m);
      const started = Date.now();
      mailbox = await ask<MailboxStatus>(env.browser, 'mailbox.connect', { provider: 'outlook' }, page);
      expect(mailbox.id).toBe(`outlook:${ME}`);
      const { status, mailbox: synced } = await waitForSyncedAndDelivered(env.browser, mailbox.id, {
        page,
        timeoutMs: SYNC_TIMEOUT_MS,
      });
      const seconds = (Date.now() - started) / 1000;
      expect(status.outbox.failed).toBe(0);

      const result = await expectEveryMessageLoggedOnce(crm, plan, before, 'outlook');
      // The popup's figures: every message with a contact counted logged once, the delta's
      // overlap copies too.
      expect(synced.progress?.logged).toBe(plan.filter((m) => m.contactIds.length > 0).length);
      const c = microsoft.graph.counters;
      const deltaMessages = c.filteredDeltaRounds.reduce((sum, r) => sum + r.messages, 0);
      console.log(
        [
          `outlook window import: ${MESSAGES} in window + ${OUTSIDE} outside, ${result.expected} activities expected, ${result.added} added, lost ${result.lost.length}, duplicated ${result.duplicated.length}, unexpected ${result.unexpected.length}; ${seconds.toFixed(1)} s from connect to delivered`,
          `  graph: ${c.requests} requests, by method ${JSON.stringify(c.byMethod)}, list pages with $filter+$orderby ${c.orderedFilteredListPages} (${c.orderedFilteredListMessages} messages), filtered delta rounds ${JSON.stringify(c.filteredDeltaRounds)}, 429s ${c.throttled}, max concurrent ${c.maxConcurrent}`,
          `  crm: ${JSON.stringify(crmRequests.byRoute)}`,
          `  progress: ${JSON.stringify(synced.progress)}`,
          // Graph's requests go one at a time: "between" is the extension handing a page over
          // (CRM lookup and outbox included) before it asks for the next.
          `  time: ${JSON.stringify(graphTimes.figures())} ms in the Graph fake / between its answers and the next request; CRM server ms ${JSON.stringify(crmRequests.serverMs)}`,
        ].join('\n'),
      );
      // The window came through the ordered, filtered message list ...
      expect(c.orderedFilteredListPages).toBeGreaterThanOrEqual(Math.ceil(MESSAGES / 50));
      expect(c.orderedFilteredListMessages).toBeGreaterThanOrEqual(MESSAGES);
      // ... and the only filtered delta is the one for new mail, begun at connect time: the
      // 5,000 cap cut nothing and it held only the last minute's mail, not the window.
      expect(c.filteredDeltaRounds.length).toBe(1);
      const [round] = c.filteredDeltaRounds;
      expect(round!.capped).toBe(false);
      expect(Date.parse(round!.filter.replace(/^receivedDateTime ge /, ''))).toBeGreaterThanOrEqual(
        started - 2 * 60_000,
      );
      expect(round!.messages).toBeGreaterThanOrEqual(SENT_AT_CONNECT);
      expect(round!.messages).toBeLessThan(50);
      // Every message of the window handed over once from the list; the delta's overlap minute
      // at most once more (the Message-ID registry drops that copy, as the CRM counts show).
      expect(synced.progress?.scanned).toBe(MESSAGES + deltaMessages);
      expect(c.throttled).toBe(0);
      expect(c.maxConcurrent).toBeLessThanOrEqual(4);
      expect(crmRequests.byRoute['POST /api/v1/activities'] ?? 0).toBeLessThan(result.expected / 20);
    },
    SYNC_TIMEOUT_MS + 60_000,
  );

  it('a second sync adds nothing (the delta for new mail, no second list)', async () => {
    const last = (await getStatus(env.browser, page)).mailboxes.find((m) => m.id === mailbox.id)!.lastSyncAt;
    const listPagesBefore = microsoft.graph.counters.orderedFilteredListPages;
    const deltaBefore = microsoft.graph.counters.byMethod.delta;
    expect(await ask(env.browser, 'mailbox.syncNow', { id: mailbox.id }, page)).toEqual({ started: 1 });
    const { mailbox: synced } = await waitForSyncedAndDelivered(env.browser, mailbox.id, {
      since: last,
      page,
    });
    expect(synced.progress?.logged ?? 0).toBe(0);
    expect(microsoft.graph.counters.orderedFilteredListPages).toBe(listPagesBefore);
    expect(microsoft.graph.counters.byMethod.delta).toBeGreaterThan(deltaBefore);
    expect(microsoft.graph.counters.filteredDeltaRounds.length).toBe(1);
    await expectEveryMessageLoggedOnce(crm, plan, before, 'outlook');
  }, 120_000);

  it('raised no errors in extension pages', () => {
    expect(env.browser.pageErrors.filter((e) => e.startsWith('chrome-extension://'))).toEqual([]);
  });
});
