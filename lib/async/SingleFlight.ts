/**
 * At most one run per key at a time inside this process: a second caller for a key that is
 * already running joins the running promise instead of starting a parallel one. The sync uses
 * it per mailbox (a parallel sync would double the quota use and race on the cursor; across
 * service-worker restarts it adds a lease in storage), the token managers per refresh.
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
