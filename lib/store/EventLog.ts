import type { CrmSidebarDb, EventLevel, EventRow } from './db';

export const DEFAULT_EVENT_LIMIT = 500;

/**
 * A bounded log of what the background did (sync runs, delivery failures, re-auth
 * needed), for the popup and for bug reports. Only the newest `limit` events are kept.
 */
export class EventLog {
  constructor(
    private readonly db: CrmSidebarDb,
    private readonly options: { limit?: number; now?: () => number } = {},
  ) {}

  get limit(): number {
    return this.options.limit ?? DEFAULT_EVENT_LIMIT;
  }

  async append(level: EventLevel, kind: string, message: string, data?: unknown): Promise<void> {
    await this.db.transaction('rw', this.db.events, async () => {
      await this.db.events.add({ at: (this.options.now ?? Date.now)(), level, kind, message, data });
      const count = await this.db.events.count();
      if (count > this.limit) {
        const excess = await this.db.events
          .orderBy('id')
          .limit(count - this.limit)
          .primaryKeys();
        await this.db.events.bulkDelete(excess);
      }
    });
  }

  /** Newest first. */
  async recent(limit = 50): Promise<EventRow[]> {
    return this.db.events.orderBy('id').reverse().limit(limit).toArray();
  }
}
