import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CrmError } from '../../../lib/crm/CrmError';
import { MessageRegistry } from '../../../lib/logging/MessageRegistry';
import type { Outbox } from '../../../lib/logging/Outbox';
import { mulberry32 } from '../../../lib/random/mulberry32';
import type { CrmSidebarDb } from '../../../lib/store/db';
import type { FakeCrmFault } from '../../fakes/FakeCrmConnector';
import { activity, crmWithContacts, fakeTime, freshDb, makeOutbox } from './outboxHarness';

/**
 * What can happen to one logActivities request. `*-after` faults strike once the CRM has
 * committed (the answer is lost); `die-*` means the worker was killed while waiting.
 */
const FAULTS = [
  'ok',
  'ok',
  '503-before',
  '503-after',
  '429',
  'network-before',
  'timeout-after',
  'die-before',
  'die-after',
] as const;
type Fault = (typeof FAULTS)[number];

type Step =
  | { kind: 'enqueue'; items: { m: number; c: number }[] }
  | { kind: 'drain' }
  | { kind: 'restart' }
  | { kind: 'retryAllFailed' }
  | { kind: 'wait'; ms: number };

const item = fc.record({ m: fc.integer({ min: 0, max: 25 }), c: fc.integer({ min: 0, max: 3 }) });
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('enqueue' as const),
      items: fc.array(item, { minLength: 1, maxLength: 15 }),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ kind: 'drain' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'retryAllFailed' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 120_000 }) }),
  },
);

const dbs: CrmSidebarDb[] = [];
afterAll(async () => {
  await Promise.all(dbs.map((db) => db.delete()));
});

describe('Outbox under random failures and restarts (property)', () => {
  it('delivers every enqueued activity exactly once: nothing lost, nothing doubled', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 25 }),
        fc.array(fc.constantFrom(...FAULTS), { maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (steps, faultPlan, batchSize, seed) => {
          const db = freshDb('outbox-prop');
          dbs.push(db);
          const time = fakeTime();
          const crm = crmWithContacts(4, time);
          // Deterministic jitter per run, so a failing case replays identically.
          const random = mulberry32(seed);
          const faults = [...faultPlan];
          let died: (() => void) | null = null;
          let current: Fault = 'ok';
          crm.faultInjector = (call): FakeCrmFault => {
            if (call.method !== 'logActivities') return undefined;
            if (call.phase === 'before') current = faults.shift() ?? 'ok';
            const strike = (f: FakeCrmFault): FakeCrmFault => {
              if (f === 'hang') died?.();
              return f;
            };
            switch (current) {
              case '503-before':
                return call.phase === 'before'
                  ? new CrmError('server', 'HTTP 503', { status: 503 })
                  : undefined;
              case '503-after':
                return call.phase === 'after'
                  ? new CrmError('server', 'HTTP 502 from a proxy', { status: 502 })
                  : undefined;
              case '429':
                return call.phase === 'before'
                  ? new CrmError('rate_limited', 'HTTP 429', { status: 429, retryAfterMs: 3_000 })
                  : undefined;
              case 'network-before':
                return call.phase === 'before' ? new CrmError('network', 'ECONNREFUSED') : undefined;
              case 'timeout-after':
                return call.phase === 'after' ? new CrmError('network', 'request timed out') : undefined;
              case 'die-before':
                return call.phase === 'before' ? strike('hang') : undefined;
              case 'die-after':
                return call.phase === 'after' ? strike('hang') : undefined;
              default:
                return undefined;
            }
          };

          const newOutbox = () =>
            makeOutbox(db, crm, time, { batchSize, random, baseDelayMs: 500, maxWaitMs: 60_000 });
          let outbox: Outbox = newOutbox();
          /** Drains; if the worker "dies" mid-request, a fresh instance takes over (restart). */
          const drainOrDie = async () => {
            const death = new Promise<'died'>((resolve) => {
              died = () => resolve('died');
            });
            const outcome = await Promise.race([outbox.drain(), death]);
            died = null;
            if (outcome === 'died') outbox = newOutbox();
          };

          const expected = new Set<string>();
          for (const s of steps) {
            if (s.kind === 'enqueue') {
              await outbox.enqueue(s.items.map(({ m, c }) => activity(`m${m}@prop.example`, `c${c}`)));
              for (const { m, c } of s.items) expected.add(`m${m}@prop.example c${c}`);
            } else if (s.kind === 'drain') await drainOrDie();
            else if (s.kind === 'restart') outbox = newOutbox();
            else if (s.kind === 'retryAllFailed') await outbox.retryAllFailed();
            else time.advance(s.ms);
          }

          // The CRM recovers; the user presses "retry failed"; the alarm drains until done.
          faults.length = 0;
          outbox = newOutbox();
          await outbox.retryAllFailed();
          for (let i = 0; i < 20; i++) {
            await drainOrDie();
            const stats = await outbox.stats();
            if (stats.pending === 0) break;
            time.advance(60 * 60_000);
          }

          const delivered = crm.activities.map((a) => `${a.externalId} ${a.contactId}`);
          expect(new Set(delivered).size).toBe(delivered.length); // nothing doubled
          expect(new Set(delivered)).toEqual(expected); // nothing lost, nothing invented
          expect(await outbox.stats()).toMatchObject({ pending: 0, failed: 0 });
          const registry = new MessageRegistry(db);
          for (const key of expected) {
            const [externalId = '', contactId = ''] = key.split(' ');
            expect(await registry.isLoggedFor('user_1', externalId, contactId)).toBe(true);
          }
          // Every row the registry holds came from a CRM answer.
          const crmIds = new Set(crm.activities.map((a) => a.id));
          for (const row of await db.registry.toArray()) {
            for (const { activityId } of Object.values(row.activities))
              expect(crmIds.has(activityId)).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 300_000);
});
