import type { ErrorInfo } from '../errors/ErrorInfo';
import { toErrorInfo } from '../errors/toErrorInfo';
import type { CrmSidebarDb, EventLevel, EventRow } from './db';

export const DEFAULT_EVENT_LIMIT = 500;

/** How long an unresolved failure stays in the popup's problem list. */
export const PROBLEM_WINDOW_MS = 24 * 60 * 60_000;

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

  async append(
    level: EventLevel,
    kind: string,
    message: string,
    data?: unknown,
    about: Pick<EventRow, 'area' | 'activity' | 'error'> = {},
  ): Promise<void> {
    await this.db.transaction('rw', this.db.events, async () => {
      await this.db.events.add({ at: this.now(), level, kind, message, data, ...about });
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

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * Records a background failure with its kind, so it shows in the popup until something
   * in the same area succeeds. Never throws: when even the database fails, the console is
   * the last place left to say so.
   */
  async failure(area: string, kind: string, activity: string, error: unknown): Promise<ErrorInfo> {
    const info = toErrorInfo(error);
    try {
      await this.append('error', kind, `${activity} failed: ${info.message}`, undefined, {
        area,
        activity,
        error: info,
      });
    } catch (logError) {
      console.error(`${activity} failed (${info.kind}: ${info.message}); the event log failed too`, logError);
    }
    return info;
  }

  /** A success in `area`, which ends any failure shown there. */
  success(area: string, kind: string, message: string, data?: unknown): Promise<void> {
    return this.append('info', kind, message, data, { area });
  }

  /** Runs background work that nobody awaits (alarms, start-up), recording its failure. */
  async guard(area: string, kind: string, activity: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      await this.failure(area, kind, activity, error);
    }
  }

  /**
   * Failures still standing: the newest event of each area within the window, when that
   * event is a failure. Newest first.
   */
  async problems(limit = 5): Promise<EventRow[]> {
    const since = this.now() - PROBLEM_WINDOW_MS;
    const recent = await this.db.events.where('at').aboveOrEqual(since).reverse().sortBy('id');
    const seen = new Set<string>();
    const standing: EventRow[] = [];
    for (const event of recent) {
      if (!event.area || seen.has(event.area)) continue;
      seen.add(event.area);
      if (event.level === 'error' && event.error) standing.push(event);
    }
    return standing.slice(0, limit);
  }

  /** Newest first. */
  async recent(limit = 50): Promise<EventRow[]> {
    return this.db.events.orderBy('id').reverse().limit(limit).toArray();
  }
}
