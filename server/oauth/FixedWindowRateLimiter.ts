/**
 * At most `limit` takes per key in each window of `windowMs`. Small on purpose: the token
 * exchange sees a refresh per rep every half hour or so, so per-address counters in memory
 * are enough (a server behind a proxy sees the proxy's address; see server/README.md).
 */
export class FixedWindowRateLimiter {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request; null when allowed, else how long until the window resets (ms). */
  take(key: string): number | null {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      if (this.windows.size >= 10_000) this.prune(now);
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.limit) return window.startedAt + this.windowMs - now;
    window.count++;
    return null;
  }

  /** Like `take` without counting: whether the key is already over its limit. */
  wouldBlock(key: string): number | null {
    const window = this.windows.get(key);
    const now = this.now();
    if (!window || now - window.startedAt >= this.windowMs || window.count < this.limit) return null;
    return window.startedAt + this.windowMs - now;
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows)
      if (now - window.startedAt >= this.windowMs) this.windows.delete(key);
  }
}
