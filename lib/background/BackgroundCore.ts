import type { CrmConnector } from '../crm/CrmConnector';
import { MessageRegistry } from '../logging/MessageRegistry';
import { Outbox } from '../logging/Outbox';
import { ThreadDealChoices } from '../logging/ThreadDealChoices';
import { isCrmConfigured, type Settings } from '../settings/Settings';
import type { CrmSidebarDb } from '../store/db';
import type { EventLog } from '../store/EventLog';
import { LookupCache } from '../store/LookupCache';
import { type ConnectorFactory, type CrmSession, CrmSessionProvider } from './CrmSession';
import type { SettingsService } from './SettingsService';

const DELIVERED_HISTORY = 1_000;

export interface BackgroundCoreOptions {
  db: CrmSidebarDb;
  settings: SettingsService;
  events: EventLog;
  createConnector: ConnectorFactory;
  now?: () => number;
  /** Asks the platform to wake the background at `at` (ms) to deliver the outbox; null cancels. */
  scheduleOutboxDrain?: (at: number | null) => void;
  /** How long a click waits in-process for a retry before it reports "queued". */
  clickDrainMaxWaitMs?: number;
}

/**
 * What the panel's thread views, the mailbox sync and the sync audit share: the CRM
 * session, the lookup cache, the registry of logged messages, the deal choices, the event
 * log and the outbox with its delivery. It needs neither the mailboxes nor the sign-ins'
 * objects (only the connector factory), so the composition root builds it before both.
 */
export class BackgroundCore {
  readonly db: CrmSidebarDb;
  readonly settings: SettingsService;
  readonly sessions: CrmSessionProvider;
  readonly registry: MessageRegistry;
  readonly threadDeals: ThreadDealChoices;
  readonly events: EventLog;
  readonly cache: LookupCache;
  readonly now: () => number;
  private outbox: { userId: string; connector: CrmConnector; outbox: Outbox } | null = null;
  private readonly drainListeners: ((crmUserId: string) => Promise<void>)[] = [];

  constructor(private readonly options: BackgroundCoreOptions) {
    const { db } = options;
    this.db = db;
    this.now = options.now ?? Date.now;
    this.settings = options.settings;
    this.events = options.events;
    this.sessions = new CrmSessionProvider(db, options.settings, options.createConnector, this.now);
    this.registry = new MessageRegistry(db, this.now);
    this.threadDeals = new ThreadDealChoices(db, this.now);
    this.cache = new LookupCache(db, { now: this.now });
  }

  /** The connector a connection's settings give (connection tests use it without saving). */
  get createConnector(): ConnectorFactory {
    return this.options.createConnector;
  }

  getSettings(): Promise<Settings> {
    return this.settings.getSettings();
  }

  updateSettings(patch: Record<string, unknown>): Promise<Settings> {
    return this.settings.updateSettings(patch);
  }

  outboxFor(session: CrmSession): Outbox {
    if (this.outbox?.userId !== session.me.user.id || this.outbox.connector !== session.connector) {
      this.outbox = {
        userId: session.me.user.id,
        connector: session.connector,
        outbox: new Outbox(this.db, session.connector, {
          crmUserId: session.me.user.id,
          registry: this.registry,
          events: this.events,
          now: this.options.now,
          maxWaitMs: this.options.clickDrainMaxWaitMs ?? 3_000,
        }),
      };
    }
    return this.outbox.outbox;
  }

  /** Delivers what is due and asks to be woken for what is left. */
  async drainOutbox(session?: CrmSession): Promise<void> {
    let s = session;
    if (!s) {
      const settings = await this.sessions.settings();
      if (!isCrmConfigured(settings)) return;
      s = await this.sessions.session();
    }
    const outbox = this.outboxFor(s);
    const report = await outbox.drain();
    // Delivered rows are history for the popup; the registry is the lasting record.
    if (report.deliveredNow > 0) {
      await outbox.pruneDelivered(DELIVERED_HISTORY);
      // The CRM took activities again: a "delivery paused" problem in the popup is over.
      if (!report.blocked)
        await this.events.success(
          'outbox',
          'outbox.delivered',
          `Delivered ${report.deliveredNow} activities`,
        );
    }
    this.options.scheduleOutboxDrain?.(report.blocked ? null : report.nextAttemptAt);
    for (const listener of this.drainListeners) await listener(s.me.user.id);
  }

  /**
   * Runs `listener` with the CRM user after every delivery (the mailbox marks settle what
   * the CRM now holds). It must record its own failures: a delivery never fails for it.
   */
  onDrained(listener: (crmUserId: string) => Promise<void>): void {
    this.drainListeners.push(listener);
  }
}

/** What the mailbox sync and the sync audit use of the core (the background satisfies it too). */
export type SyncPipeline = Pick<
  BackgroundCore,
  'sessions' | 'registry' | 'threadDeals' | 'events' | 'cache' | 'outboxFor' | 'drainOutbox' | 'getSettings'
> &
  Partial<Pick<BackgroundCore, 'onDrained'>>;
