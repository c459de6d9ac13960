/**
 * Gmail API quota units per method (published "Usage limits" table,
 * https://developers.google.com/gmail/api/reference/quota).
 */
export const GMAIL_QUOTA_UNITS = {
  getProfile: 1,
  historyList: 2,
  messagesList: 5,
  messagesGet: 5,
  labelsList: 1,
  labelsCreate: 5,
  messagesBatchModify: 50,
  threadsGet: 10,
} as const;

/** Gmail's per-user limit: 250 quota units per user per second (moving average). */
export const GMAIL_USER_UNITS_PER_SECOND = 250;

export interface GmailQuotaLimiterOptions {
  unitsPerWindow?: number;
  windowMs?: number;
  /** Added to the window for timer and clock granularity. */
  safetyMarginMs?: number;
  now?: () => number;
}

interface Waiter {
  /** The least the waiter can use. */
  units: number;
  /** The most it takes when more is free, in multiples of `step`. */
  max: number;
  step: number;
  resolve: (lease: QuotaLease) => void;
}

/** Units granted by `acquireUpTo`; `shrink` before sending hands back what will not be used. */
export interface QuotaLease {
  units: number;
  /** Lowers the granted units (before the request is sent); 0 gives the grant back entirely. */
  shrink(units: number): void;
  /** Call once the response (or the failure) has arrived. */
  release(): void;
}

interface Spending {
  units: number;
  /** When the response arrived; null while the request is in flight. */
  releasedAt: number | null;
}

/**
 * Client-side limiter for one Gmail user's quota, so a sync spends the quota evenly instead
 * of bursting into 429s. It is a sliding-window log rather than a plain token bucket: a
 * bucket holding 250 units that also refills at 250/s lets 500 units through in one second,
 * which a server measuring any 1-second window rejects.
 *
 * The server counts a request when it arrives, which we cannot observe; we only know it
 * arrived between sending and receiving the response. So a request's units count against the
 * window from the moment it is sent until `windowMs` after its response: whatever the
 * latency and its jitter, every window the server can measure is covered. On a fast link this
 * costs next to nothing; on a slow one it costs about latency / window of the ceiling, which
 * is cheaper than 429s and their backoff. Waiters are served in arrival order so one large
 * request cannot be starved by a stream of small ones.
 */
export class GmailQuotaLimiter {
  private readonly unitsPerWindow: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private spent: Spending[] = [];
  private readonly queue: Waiter[] = [];
  private wake: (() => void) | null = null;
  private pumping = false;
  private pausedUntil = 0;

  constructor(options: GmailQuotaLimiterOptions = {}) {
    this.unitsPerWindow = options.unitsPerWindow ?? GMAIL_USER_UNITS_PER_SECOND;
    this.windowMs = (options.windowMs ?? 1000) + (options.safetyMarginMs ?? 10);
    this.now = options.now ?? Date.now;
  }

  /**
   * Resolves when `units` may be spent now, with a `release` to call once the response (or
   * the failure) has arrived; until then the units stay in every window.
   */
  acquire(units: number): Promise<() => void> {
    return this.acquireUpTo(units, units, units).then((lease) => () => lease.release());
  }

  /**
   * Resolves once at least `min` units are free, granting as many multiples of `step` as are
   * free up to `max` (a batch takes what the window has room for instead of waiting for all
   * of it). Same order and accounting as `acquire`.
   */
  acquireUpTo(min: number, max: number, step: number): Promise<QuotaLease> {
    if (min > this.unitsPerWindow) throw new RangeError(`request of ${min} units exceeds the quota window`);
    return new Promise((resolve) => {
      this.queue.push({ units: min, max: Math.min(max, this.unitsPerWindow), step, resolve });
      void this.pump();
    });
  }

  /** The most units one window holds. */
  get capacity(): number {
    return this.unitsPerWindow;
  }

  /** Stop granting until `until` (the server said 429 anyway: respect its Retry-After for everyone). */
  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  /** Units counted in the current window, in-flight requests included. */
  unitsInWindow(): number {
    this.prune(this.now());
    return this.spent.reduce((sum, entry) => sum + entry.units, 0);
  }

  private prune(now: number): void {
    this.spent = this.spent.filter((e) => e.releasedAt === null || e.releasedAt > now - this.windowMs);
  }

  private grant(units: number): QuotaLease {
    const entry: Spending = { units, releasedAt: null };
    this.spent.push(entry);
    return {
      units,
      shrink: (to) => {
        if (entry.releasedAt !== null || to >= entry.units) return;
        entry.units = Math.max(0, to);
        this.wake?.();
      },
      release: () => {
        if (entry.releasedAt !== null) return;
        entry.releasedAt = this.now();
        this.wake?.();
      },
    };
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0] as Waiter;
        const now = this.now();
        if (now < this.pausedUntil) {
          await this.sleepOrWake(this.pausedUntil - now, false);
          continue;
        }
        this.prune(now);
        const used = this.spent.reduce((sum, entry) => sum + entry.units, 0);
        if (used + head.units <= this.unitsPerWindow) {
          this.queue.shift();
          const free = this.unitsPerWindow - used;
          const units = Math.max(head.units, Math.min(head.max, Math.floor(free / head.step) * head.step));
          head.resolve(this.grant(units));
          continue;
        }
        // Wait for the oldest released spending to leave the window, or for a release.
        const expiries = this.spent
          .filter((e): e is Spending & { releasedAt: number } => e.releasedAt !== null)
          .map((e) => e.releasedAt + this.windowMs);
        const next = expiries.length > 0 ? Math.min(...expiries) : Number.POSITIVE_INFINITY;
        await this.sleepOrWake(Number.isFinite(next) ? Math.max(1, next - now) : null, true);
      }
    } finally {
      this.pumping = false;
    }
  }

  private sleepOrWake(ms: number | null, wakeOnRelease: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = ms === null ? null : setTimeout(done, ms);
      const self = this;
      function done() {
        if (timer !== null) clearTimeout(timer);
        if (self.wake === done) self.wake = null;
        resolve();
      }
      if (wakeOnRelease) this.wake = done;
    });
  }
}
