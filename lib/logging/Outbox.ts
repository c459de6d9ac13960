import { Dexie } from 'dexie';
import type { CrmConnector } from '../crm/CrmConnector';
import { isCrmError } from '../crm/CrmError';
import { type ActivityResult, EmailActivityInput, LogActivitiesResponse, MAX_BATCH } from '../crm/contract';
import type { ErrorInfo } from '../errors/ErrorInfo';
import { toErrorInfo } from '../errors/toErrorInfo';
import type { CrmSidebarDb, OutboxRow } from '../store/db';
import type { EventLog } from '../store/EventLog';
import { MessageRegistry } from './MessageRegistry';

export interface OutboxOptions {
  /** The CRM user the activities are logged as (registry key; items of other users wait). */
  crmUserId: string;
  now?: () => number;
  /** Uniform in [0, 1): jitter. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Failed sends before an item is parked as `failed` (429 with Retry-After does not count). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  batchSize?: number;
  /** The longest a drain waits in-process for a retry; later retries are left to the next drain (alarm). */
  maxWaitMs?: number;
  registry?: MessageRegistry;
  events?: EventLog;
}

export interface EnqueueResult {
  /** New items written. */
  enqueued: number;
  /** Already pending with the same (externalId, contactId). */
  duplicates: number;
  /** Previously failed items with the same key, put back in the queue. */
  revived: number;
}

export interface OutboxStats {
  pending: number;
  failed: number;
  delivered: number;
}

export interface DrainReport extends OutboxStats {
  /** Items the CRM accepted during this drain. */
  deliveredNow: number;
  /** Items parked as failed during this drain. */
  failedNow: number;
  /** When the next pending item is due, if any is waiting. */
  nextAttemptAt: number | null;
  /** Set when the drain stopped because nothing can be sent until the user acts (token, config). */
  blocked: ErrorInfo | null;
}

export function outboxKey(externalId: string, contactId: string): string {
  return `${externalId} ${contactId}`;
}

const DEFAULTS = {
  maxAttempts: 8,
  baseDelayMs: 2_000,
  maxDelayMs: 30 * 60_000,
  maxWaitMs: 60_000,
};

type Delivered = Extract<ActivityResult, { status: 'created' | 'existing' }>;

/**
 * The durable outbox. `enqueue` commits to IndexedDB before anything is sent; `drain`
 * delivers in batches of up to 100 through the connector and records the outcome of each
 * item from the CRM's answer. Delivery is at least once (an item whose answer was lost is
 * sent again, also after the worker is killed) and the CRM's idempotency on
 * (externalId, contactId) turns that into exactly one activity. Items are never dropped:
 * after `maxAttempts` failures, on a non-retryable error or a per-item error they are
 * parked as `failed` with the error kept for the user, and `retry` puts them back.
 */
export class Outbox {
  private readonly registry: MessageRegistry;
  private running: Promise<DrainReport> | null = null;
  private readonly cfg: typeof DEFAULTS & { batchSize: number };

  constructor(
    private readonly db: CrmSidebarDb,
    private readonly connector: CrmConnector,
    private readonly options: OutboxOptions,
  ) {
    this.registry = options.registry ?? new MessageRegistry(db, () => this.now());
    this.cfg = {
      maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
      baseDelayMs: options.baseDelayMs ?? DEFAULTS.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? DEFAULTS.maxDelayMs,
      maxWaitMs: options.maxWaitMs ?? DEFAULTS.maxWaitMs,
      batchSize: Math.min(MAX_BATCH, Math.max(1, options.batchSize ?? MAX_BATCH)),
    };
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private sleep(ms: number): Promise<void> {
    return (this.options.sleep ?? ((t) => new Promise((resolve) => setTimeout(resolve, t))))(ms);
  }

  /** Writes the activities to the outbox (validated); resolves once they are durable. */
  async enqueue(activities: readonly EmailActivityInput[]): Promise<EnqueueResult> {
    const parsed = activities.map((a) => EmailActivityInput.parse(a));
    const result: EnqueueResult = { enqueued: 0, duplicates: 0, revived: 0 };
    if (parsed.length === 0) return result;
    await this.db.transaction('rw', this.db.outbox, async () => {
      const now = this.now();
      const seenInCall = new Set<string>();
      for (const activity of parsed) {
        const key = outboxKey(activity.externalId, activity.contactId);
        if (seenInCall.has(key)) {
          result.duplicates++;
          continue;
        }
        seenInCall.add(key);
        const existing = await this.db.outbox
          .where('key')
          .equals(key)
          .filter((r) => r.crmUserId === this.options.crmUserId && r.state !== 'delivered')
          .first();
        if (existing?.state === 'pending') {
          result.duplicates++;
        } else if (existing?.state === 'failed' && existing.id !== undefined) {
          await this.db.outbox.update(existing.id, {
            activity,
            state: 'pending',
            attempts: 0,
            nextAttemptAt: now,
            updatedAt: now,
          });
          result.revived++;
        } else {
          await this.db.outbox.add({
            key,
            crmUserId: this.options.crmUserId,
            activity,
            state: 'pending',
            attempts: 0,
            nextAttemptAt: now,
            createdAt: now,
            updatedAt: now,
          });
          result.enqueued++;
        }
      }
    });
    return result;
  }

  /** Delivers everything due; a drain already running is joined, not started twice. */
  drain(): Promise<DrainReport> {
    if (!this.running) {
      this.running = this.drainLoop().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private pendingRange(upTo: number) {
    return this.db.outbox
      .where('[state+nextAttemptAt]')
      .between(['pending', Dexie.minKey], ['pending', upTo], true, true)
      .filter((r) => r.crmUserId === this.options.crmUserId);
  }

  private async drainLoop(): Promise<DrainReport> {
    const tally = { deliveredNow: 0, failedNow: 0 };
    let blocked: ErrorInfo | null = null;
    for (;;) {
      const due = await this.pendingRange(this.now()).limit(this.cfg.batchSize).toArray();
      if (due.length === 0) {
        const next = await this.pendingRange(Number.MAX_SAFE_INTEGER).first();
        if (!next) break;
        const wait = next.nextAttemptAt - this.now();
        if (wait > this.cfg.maxWaitMs) break;
        await this.sleep(Math.max(0, wait));
        continue;
      }
      const outcome = await this.send(due, tally);
      if (outcome.blocked) {
        blocked = outcome.blocked;
        break;
      }
      if (outcome.pauseUntil !== null) {
        // The CRM is down or rate limiting: sending other batches now would only fail too.
        const wait = outcome.pauseUntil - this.now();
        if (wait > this.cfg.maxWaitMs) break;
        await this.sleep(Math.max(0, wait));
      }
    }
    const stats = await this.stats();
    const next = await this.pendingRange(Number.MAX_SAFE_INTEGER).first();
    return { ...stats, ...tally, nextAttemptAt: next?.nextAttemptAt ?? null, blocked };
  }

  private backoffMs(attempts: number): number {
    const exponential = Math.min(this.cfg.maxDelayMs, this.cfg.baseDelayMs * 2 ** Math.max(0, attempts - 1));
    // "Equal jitter": at least half the delay, so retries spread out but never stampede early.
    const random = (this.options.random ?? Math.random)();
    return Math.round(exponential / 2 + (random * exponential) / 2);
  }

  /** Sends one batch and records the outcome of every item in it. */
  private async send(
    rows: OutboxRow[],
    tally: { deliveredNow: number; failedNow: number },
  ): Promise<{ blocked: ErrorInfo | null; pauseUntil: number | null }> {
    let response: LogActivitiesResponse;
    try {
      response = LogActivitiesResponse.parse(await this.connector.logActivities(rows.map((r) => r.activity)));
    } catch (error) {
      const info = toErrorInfo(error);
      if (isCrmError(error) && (error.kind === 'auth' || error.kind === 'not_configured')) {
        // Not the items' fault: they wait, untouched, until the user fixes the connection.
        await this.options.events?.failure(
          'outbox',
          'outbox.blocked',
          'Delivering logged emails to the CRM',
          error,
        );
        return { blocked: info, pauseUntil: null };
      }
      const retryable = !isCrmError(error) || error.retryable || error.kind === 'invalid_response';
      if (!retryable && rows.length > 1) {
        // One bad item must not sink the batch: send each alone so only it is parked.
        for (const row of rows) {
          const outcome = await this.send([row], tally);
          if (outcome.blocked || outcome.pauseUntil !== null) return outcome;
        }
        return { blocked: null, pauseUntil: null };
      }
      const pauseUntil = await this.recordFailure(rows, info, retryable, tally);
      return { blocked: null, pauseUntil };
    }
    await this.recordResults(rows, response.results, tally);
    return { blocked: null, pauseUntil: null };
  }

  private async recordFailure(
    rows: OutboxRow[],
    info: ErrorInfo,
    retryable: boolean,
    tally: { failedNow: number },
  ): Promise<number | null> {
    const now = this.now();
    const rateLimited = info.kind === 'rate_limited' && info.retryAfterMs !== undefined;
    let pauseUntil: number | null = null;
    const parked: OutboxRow[] = [];
    await this.db.transaction('rw', this.db.outbox, async () => {
      for (const row of rows) {
        if (row.id === undefined) continue;
        const attempts = rateLimited ? row.attempts : row.attempts + 1;
        const lastError = { ...info, at: now };
        if (!retryable || attempts >= this.cfg.maxAttempts) {
          await this.db.outbox.update(row.id, { state: 'failed', attempts, lastError, updatedAt: now });
          parked.push(row);
          tally.failedNow++;
        } else {
          const delay = rateLimited ? (info.retryAfterMs ?? 0) : this.backoffMs(attempts);
          const nextAttemptAt = now + delay;
          pauseUntil = pauseUntil === null ? nextAttemptAt : Math.min(pauseUntil, nextAttemptAt);
          await this.db.outbox.update(row.id, { attempts, nextAttemptAt, lastError, updatedAt: now });
        }
      }
    });
    if (parked.length > 0) {
      await this.options.events?.append(
        'error',
        'outbox.failed',
        `${parked.length} activit${parked.length === 1 ? 'y' : 'ies'} could not be logged: ${info.message}`,
        {
          error: info,
          ids: parked.map((r) => r.id),
        },
      );
    }
    return pauseUntil;
  }

  private async recordResults(
    rows: OutboxRow[],
    results: readonly ActivityResult[],
    tally: { deliveredNow: number; failedNow: number },
  ): Promise<void> {
    const byKey = new Map<string, ActivityResult>();
    for (const r of results) byKey.set(outboxKey(r.externalId.trim().toLowerCase(), r.contactId), r);
    const now = this.now();
    const missing: OutboxRow[] = [];
    await this.db.transaction('rw', this.db.outbox, this.db.registry, async () => {
      const delivered: Delivered[] = [];
      for (const row of rows) {
        if (row.id === undefined) continue;
        const result = byKey.get(row.key);
        if (!result) {
          missing.push(row);
        } else if (result.status === 'error') {
          await this.db.outbox.update(row.id, {
            state: 'failed',
            attempts: row.attempts + 1,
            lastError: {
              kind: 'invalid_request',
              message: result.message,
              source: 'crm',
              at: now,
              itemError: true,
            },
            updatedAt: now,
          });
          tally.failedNow++;
        } else {
          await this.db.outbox.update(row.id, {
            state: 'delivered',
            result,
            deliveredAt: now,
            updatedAt: now,
          });
          delivered.push(result);
          tally.deliveredNow++;
        }
      }
      await this.registry.markLogged(this.options.crmUserId, delivered);
    });
    if (missing.length > 0) {
      // The CRM answered without these items: treat as a transient failure and send again.
      await this.recordFailure(
        missing,
        {
          kind: 'invalid_response',
          message: 'The CRM did not return a result for this activity.',
          source: 'crm',
        },
        true,
        tally,
      );
    }
  }

  /** Puts one failed item back in the queue, due now, with a fresh attempt budget. */
  async retry(id: number): Promise<boolean> {
    const now = this.now();
    const changed = await this.db.outbox
      .where('id')
      .equals(id)
      .filter((r) => r.state === 'failed')
      .modify({ state: 'pending', attempts: 0, nextAttemptAt: now, updatedAt: now });
    return changed > 0;
  }

  async retryAllFailed(): Promise<number> {
    const now = this.now();
    return this.db.outbox
      .where('state')
      .equals('failed')
      .filter((r) => r.crmUserId === this.options.crmUserId)
      .modify({ state: 'pending', attempts: 0, nextAttemptAt: now, updatedAt: now });
  }

  async stats(): Promise<OutboxStats> {
    const count = (state: OutboxRow['state']) =>
      this.db.outbox
        .where('state')
        .equals(state)
        .filter((r) => r.crmUserId === this.options.crmUserId)
        .count();
    const [pending, failed, delivered] = await Promise.all([
      count('pending'),
      count('failed'),
      count('delivered'),
    ]);
    return { pending, failed, delivered };
  }

  /** Failed items with their errors, newest first, for the user. */
  async failedItems(limit = 100): Promise<OutboxRow[]> {
    const rows = await this.db.outbox
      .where('state')
      .equals('failed')
      .filter((r) => r.crmUserId === this.options.crmUserId)
      .toArray();
    return rows.sort((a, b) => b.updatedAt - a.updatedAt).slice(0, limit);
  }

  /** Keeps the newest `keep` delivered items (history for the popup) and deletes the rest. */
  async pruneDelivered(keep = 1_000): Promise<number> {
    const delivered = await this.db.outbox.where('state').equals('delivered').primaryKeys();
    if (delivered.length <= keep) return 0;
    const sorted = delivered.filter((k): k is number => typeof k === 'number').sort((a, b) => a - b);
    const excess = sorted.slice(0, sorted.length - keep);
    await this.db.outbox.bulkDelete(excess);
    return excess.length;
  }
}
