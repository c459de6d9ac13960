/**
 * At most one run per key at a time inside this process: a second caller for a key that is
 * already running joins the running promise instead of starting a parallel sync of the same
 * mailbox (which would double the quota use and race on the cursor). Across service-worker
 * restarts the caller adds a lease in storage; this guard covers alarms and "sync now"
 * arriving together in one worker lifetime.
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, task: () => Promise<T>): Promise<T> {
    const existing = this.running.get(key);
    if (existing) return existing;
    const promise = (async () => {
      try {
        return await task();
      } finally {
        this.running.delete(key);
      }
    })();
    this.running.set(key, promise);
    return promise;
  }

  isRunning(key: string): boolean {
    return this.running.has(key);
  }
}
