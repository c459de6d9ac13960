import { ProviderRequestError } from '../../sync/ProviderRequestError';

/**
 * Outlook's per-app, per-mailbox request limit as the client keeps it: "10,000 API requests
 * in a 10 minute period" (learn.microsoft.com/graph/throttling-limits, "Outlook service
 * limits"). Every request is logged when it is sent; one that would be over the limit waits
 * for the window to have room, and after a 429 nothing is sent before its Retry-After. A wait
 * longer than `maxWaitMs` is not waited out inside a pass (a service worker's timers do not
 * outlive it): the request fails as rate limited with the wait in `retryAfterMs`, so the next
 * pass is scheduled after it.
 */
export class GraphRequestBudget {
  private readonly sent: number[] = [];
  private blockedUntil = 0;

  constructor(
    private readonly options: {
      requests?: number;
      windowMs?: number;
      maxWaitMs?: number;
      now?: () => number;
      sleep: (ms: number) => Promise<void>;
    },
  ) {}

  private get limit(): number {
    return this.options.requests ?? 10_000;
  }

  private get windowMs(): number {
    return this.options.windowMs ?? 600_000;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Resolves when one more request may be sent now, and counts it. */
  async take(): Promise<void> {
    // After a sleep the time slept is taken as passed, even if the clock says less (a
    // test's instant sleep, a timer that fired early): never spin on the same wait.
    let slept = 0;
    for (;;) {
      const now = Math.max(this.now(), slept);
      while (this.sent.length > 0 && (this.sent[0] as number) <= now - this.windowMs) this.sent.shift();
      let until = this.blockedUntil;
      if (this.sent.length >= this.limit) {
        until = Math.max(until, (this.sent[this.sent.length - this.limit] as number) + this.windowMs);
      }
      if (until <= now) {
        this.sent.push(now);
        return;
      }
      const wait = until - now;
      if (wait > (this.options.maxWaitMs ?? 60_000)) {
        throw new ProviderRequestError(
          'outlook',
          429,
          'requestBudgetExhausted',
          `Microsoft Graph allows 10,000 requests per mailbox in 10 minutes; waiting ${Math.ceil(wait / 1000)} s`,
          true,
          wait,
        );
      }
      await this.options.sleep(wait);
      slept = until;
    }
  }

  /** Graph answered 429: nothing more until `until`. */
  blockUntil(until: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, until);
  }
}
