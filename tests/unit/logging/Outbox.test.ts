import { afterEach, describe, expect, it, vi } from 'vitest';
import { CrmError } from '../../../lib/crm/CrmError';
import { MessageRegistry } from '../../../lib/logging/MessageRegistry';
import type { CrmSidebarDb } from '../../../lib/store/db';
import { EventLog } from '../../../lib/store/EventLog';
import {
  activity,
  crmWithContacts,
  fakeTime,
  freshDb,
  makeOutbox,
  networkError,
  rateLimited,
  serverError,
} from './outboxHarness';

let db: CrmSidebarDb;
afterEach(async () => db?.delete());

describe('Outbox', () => {
  it('is durable before sending: enqueue writes, nothing is sent until drain', async () => {
    db = freshDb();
    const time = fakeTime();
    const crm = crmWithContacts(2, time);
    const outbox = makeOutbox(db, crm, time);
    expect(await outbox.enqueue([activity('m1@x', 'c0'), activity('m1@x', 'c1')])).toEqual({
      enqueued: 2,
      duplicates: 0,
      revived: 0,
    });
    expect(crm.calls).toEqual([]);
    expect(await db.outbox.count()).toBe(2);
    expect(await outbox.stats()).toEqual({ pending: 2, failed: 0, delivered: 0 });
  });

  it('dedupes on (externalId, contactId) while pending, within and across calls', async () => {
    db = freshDb();
    const time = fakeTime();
    const outbox = makeOutbox(db, crmWithContacts(1, time), time);
    await outbox.enqueue([activity('m1@x', 'c0')]);
    expect(
      await outbox.enqueue([activity('m1@x', 'c0'), activity('m2@x', 'c0'), activity('m2@x', 'c0')]),
    ).toEqual({
      enqueued: 1,
      duplicates: 2,
      revived: 0,
    });
  });

  it('rejects activities that break the contract before writing anything', async () => {
    db = freshDb();
    const time = fakeTime();
    const outbox = makeOutbox(db, crmWithContacts(1, time), time);
    await expect(outbox.enqueue([activity('m1@x', 'c0'), activity('<Bad@X>', 'c0')])).rejects.toThrow();
    expect(await db.outbox.count()).toBe(0);
  });

  it('delivers in batches of at most 100 and records the answer in the registry', async () => {
    db = freshDb();
    const time = fakeTime();
    const crm = crmWithContacts(3, time);
    const outbox = makeOutbox(db, crm, time);
    const items = Array.from({ length: 250 }, (_, i) => activity(`m${i}@x`, `c${i % 3}`));
    await outbox.enqueue(items);
    const report = await outbox.drain();
    expect(crm.calls.map((c) => c.batchSize)).toEqual([100, 100, 50]);
    expect(report).toMatchObject({
      deliveredNow: 250,
      pending: 0,
      failed: 0,
      delivered: 250,
      blocked: null,
      nextAttemptAt: null,
    });
    expect(crm.activities).toHaveLength(250);
    const registry = new MessageRegistry(db);
    expect(await registry.isLoggedFor('user_1', 'm7@x', 'c1')).toBe(true);
  });

  it('retries server errors with exponential backoff and jitter', async () => {
    db = freshDb();
    const time = fakeTime();
    const crm = crmWithContacts(1, time);
    let failures = 3;
    crm.faultInjector = (call) => (call.phase === 'before' && failures-- > 0 ? serverError() : undefined);
    const outbox = makeOutbox(db, crm, time, { baseDelayMs: 1_000, random: () => 0.5 });
    await outbox.enqueue([activity('m1@x', 'c0')]);
    const report = await outbox.drain();
    // equal jitter with random 0.5: 3/4 of 1s, 2s, 4s.
    expect(time.sleeps).toEqual([750, 1_500, 3_000]);
    expect(report).toMatchObject({ deliveredNow: 1, pending: 0 });
  });

  it('spreads retries with the random source', async () => {
    db = freshDb();
    const time = fakeTime();
    const crm = crmWithContacts(1, time);
    let failures = 1;
    crm.faultInjector = (call) => (call.phase === 'before' && failures-- > 0 ? networkError() : undefined);
    const outbox = makeOutbox(db, crm, time, { baseDelayMs: 1_000, random: () => 0 });
    await outbox.enqueue([activity('m1@x', 'c0')]);
    await outbox.drain();
    expect(time.sleeps).toEqual([500]);
  });

  it('honours Retry-After from a 429 without spending an attempt', async () => {
    db = freshDb();
    const time = fakeTime();
    const crm = crmWithContacts(1, time);
    let failures = 2;
    crm.faultInjector = (call) =>
      call.phase === 'before' && failures-- > 0 ? rateLimited(7_000) : undefined;
    const outbox = makeOutbox(db, crm, time, { maxAttempts: 2 });
    await outbox.enqueue([activity('m1@x', 'c0')]);
    expect(await outbox.drain()).toMatchObject({ deliveredNow: 1, failed: 0 });
    expect(time.sleeps).toEqual([7_000, 7_000]);
  });

  it('leaves long waits to the next drain and reports when the next attempt is due', async () => {
    db = freshDb();
    const time = fakeTime();
    const crm = crmWithContacts(1, time);
    crm.faultInjector = (call) => (call.phase === 'before' ? rateLimited(120_000) : undefined);
    const outbox = makeOutbox(db, crm, time, { maxWaitMs: 60_000 });
    await outbox.enqueue([activity('m1@x', 'c0')]);
    const report = await outbox.drain();
    expect(report).toMatchObject({ deliveredNow: 0, pending: 1, nextAttemptAt: time.now() + 120_000 });
    expect(time.sleeps).toEqual([]);
  });

  it('parks items as failed after maxAttempts, keeping the error, and retry() revives them', async () => {
    db = freshDb();
    const time = fakeTime();
    const crm = crmWithContacts(1, time);
    let down = true;
    crm.faultInjector = (call) => (call.phase === 'before' && down ? serverError() : undefined);
    const events = new EventLog(db, { now: time.now });
    const outbox = makeOutbox(db, crm, time, { maxAttempts: 4, baseDelayMs: 100, events });
    await outbox.enqueue([activity('m1@x', 'c0')]);
    const report = await outbox.drain();
    expect(report).toMatchObject({ failedNow: 1, failed: 1, pending: 0 });
    const [failed] = await outbox.failedItems();
    expect(failed).toMatchObject({
      state: 'failed',
      attempts: 4,
      lastError: { kind: 'server', message: 'HTTP 503', status: 503 },
    });
    expect((await events.recent()).map((e) => e.kind)).toContain('outbox.failed');

    down = false;
    expect(await outbox.retry(failed?.id ?? -1)).toBe(true);
    expect(await outbox.drain()).toMatchObject({ deliveredNow: 1, failed: 0, delivered: 1 });
  });

  it('parks a per-item error (unknown contact) without holding up the rest of the batch', async () => {
    db = freshDb();
    const time = fakeTime();
    const crm = crmWithContacts(1, time);
    const outbox = makeOutbox(db, crm, time);
    await outbox.enqueue([activity('m1@x', 'c0'), activity('m1@x', 'gone')]);
    const report = await outbox.drain();
    expect(report).toMatchObject({ deliveredNow: 1, failedNow: 1 });
    const [failed] = await outbox.failedItems();
    expect(failed?.lastError).toMatchObject({ message: 'no contact gone', itemError: true });
    expect(await new MessageRegistry(db).isLoggedFor('user_1', 'm1@x', 'gone')).toBe(false);
  });

  it('isolates the item a non-retryable batch error is about', async () => {
    db = freshDb();
    const time = fakeTime();
    const crm = crmWithContacts(3, time);
    const outbox = makeOutbox(db, crm, time);
    await outbox.enqueue([activity('m1@x', 'c0'), activity('m2@x', 'c1'), activity('m3@x', 'c2')]);
    // The CRM rejects any batch holding m2 (say, a field it cannot store).
    let singles = 0;
    crm.faultInjector = (call) => {
      if (call.phase !== 'before') return undefined;
      if ((call.batchSize ?? 0) > 1) return new CrmError('invalid_request', 'HTTP 400', { status: 400 });
      return ++singles === 2
        ? new CrmError('invalid_request', 'HTTP 400: subject too long', { status: 400 })
        : undefined;
    };
    const report = await outbox.drain();
    expect(report).toMatchObject({ deliveredNow: 2, failedNow: 1, pending: 0 });
    expect((await outbox.failedItems())[0]).toMatchObject({
      key: 'm2@x c1',
      lastError: { message: 'HTTP 400: subject too long' },
    });
  });

  it('pauses without spending attempts while the token is rejected', async () => {
    db = freshDb();
    const time = fakeTime();
    const crm = crmWithContacts(1, time);
    crm.faultInjector = () => new CrmError('auth', 'HTTP 401', { status: 401 });
    const outbox = makeOutbox(db, crm, time);
    await outbox.enqueue([activity('m1@x', 'c0')]);
    const report = await outbox.drain();
    expect(report).toMatchObject({ blocked: { kind: 'auth' }, pending: 1, failed: 0 });
    expect((await db.outbox.toArray())[0]?.attempts).toBe(0);
    crm.faultInjector = undefined;
    expect(await outbox.drain()).toMatchObject({ deliveredNow: 1 });
  });

  it('a lost answer after the CRM committed is resent and the CRM says existing: one activity', async () => {
    db = freshDb();
    const time = fakeTime();
    const crm = crmWithContacts(1, time);
    let lose = 1;
    crm.faultInjector = (call) => (call.phase === 'after' && lose-- > 0 ? networkError() : undefined);
    const outbox = makeOutbox(db, crm, time);
    await outbox.enqueue([activity('m1@x', 'c0')]);
    await outbox.drain();
    expect(crm.activities).toHaveLength(1);
    expect((await db.outbox.toArray())[0]).toMatchObject({
      state: 'delivered',
      result: { status: 'existing' },
    });
  });

  it('resumes after the process died mid-request: a new instance delivers what was in flight', async () => {
    db = freshDb();
    const time = fakeTime();
    const crm = crmWithContacts(1, time);
    crm.faultInjector = (call) => (call.phase === 'after' ? 'hang' : undefined);
    const dying = makeOutbox(db, crm, time);
    await dying.enqueue([activity('m1@x', 'c0'), activity('m2@x', 'c0')]);
    void dying.drain(); // never settles: the worker was killed while waiting for the answer
    // The CRM commits, and its answer never comes back (however long the drain took to get there).
    await vi.waitFor(() => expect(crm.activities).toHaveLength(2), { timeout: 10_000 });
    expect(await dying.stats()).toEqual({ pending: 2, failed: 0, delivered: 0 });

    crm.faultInjector = undefined;
    const revived = makeOutbox(db, crm, time);
    expect(await revived.drain()).toMatchObject({ deliveredNow: 2, pending: 0 });
    expect(crm.activities).toHaveLength(2);
  });

  it('single-flight: a drain already running is joined, not started twice', async () => {
    db = freshDb();
    const time = fakeTime();
    const crm = crmWithContacts(1, time);
    const outbox = makeOutbox(db, crm, time);
    await outbox.enqueue([activity('m1@x', 'c0')]);
    const [a, b] = [outbox.drain(), outbox.drain()];
    expect(a).toBe(b);
    await a;
    expect(crm.calls.filter((c) => c.method === 'logActivities')).toHaveLength(1);
  });

  it('re-enqueueing a failed item revives it; retryAllFailed revives all', async () => {
    db = freshDb();
    const time = fakeTime();
    const crm = crmWithContacts(2, time);
    crm.faultInjector = (call) =>
      call.phase === 'before' ? new CrmError('not_found', 'HTTP 404', { status: 404 }) : undefined;
    const outbox = makeOutbox(db, crm, time);
    await outbox.enqueue([activity('m1@x', 'c0'), activity('m2@x', 'c1')]);
    expect(await outbox.drain()).toMatchObject({ failed: 2 });
    expect(await outbox.enqueue([activity('m1@x', 'c0')])).toEqual({
      enqueued: 0,
      duplicates: 0,
      revived: 1,
    });
    expect(await outbox.retryAllFailed()).toBe(1);
    crm.faultInjector = undefined;
    expect(await outbox.drain()).toMatchObject({ deliveredNow: 2, delivered: 2 });
    expect(await outbox.pruneDelivered(1)).toBe(1);
  });
});
