import type { CrmConnector } from '../crm/CrmConnector';
import type { Contact } from '../crm/contract';
import { createOrFindContact } from '../crm/createOrFindContact';
import { storedErrorInfo } from '../errors/ErrorInfo';
import { toErrorInfo } from '../errors/toErrorInfo';
import { MessageRegistry } from '../logging/MessageRegistry';
import { Outbox } from '../logging/Outbox';
import { ThreadDealChoices } from '../logging/ThreadDealChoices';
import type { MailMessage, ThreadSnapshot } from '../mail/MailMessage';
import type { ExtensionStatus, MailboxStatus, TestConnectionResult } from '../messaging/messages';
import type { FeatureContext } from '../panel/features/PanelFeature';
import type { MessageLogStatus, ThreadView } from '../panel/ThreadView';
import {
  type CrmConnection,
  isConnectionComplete,
  isCrmConfigured,
  mergeSettings,
  type Settings,
} from '../settings/Settings';
import type { CrmSidebarDb, MailboxRow } from '../store/db';
import { EventLog } from '../store/EventLog';
import { LookupCache } from '../store/LookupCache';
import { type ConnectorFactory, type CrmSession, CrmSessionProvider } from './CrmSession';
import { enqueueLinkedMessages, linkingContextFor, lookupThread } from './MessagePipeline';
import { ThreadViewService } from './ThreadViewService';

const DELIVERED_HISTORY = 1_000;

export interface BackgroundOptions {
  db: CrmSidebarDb;
  createConnector: ConnectorFactory;
  version: string;
  now?: () => number;
  /** Asks the platform to wake the background at `at` (ms) to deliver the outbox; null cancels. */
  scheduleOutboxDrain?: (at: number | null) => void;
  /** How long a click waits in-process for a retry before it reports "queued". */
  clickDrainMaxWaitMs?: number;
  /** Upgrades a page-read snapshot with provider API data (exact Message-IDs) when possible. */
  enrichSnapshot?: (snapshot: ThreadSnapshot) => Promise<ThreadSnapshot>;
  /** Live mailbox state (sync progress); defaults to what the database says. */
  describeMailbox?: (row: MailboxRow) => MailboxStatus;
}

/**
 * Everything the background does for the content scripts and pages, free of browser
 * APIs: the entrypoint wires runtime messages and alarms to these methods.
 */
export class CrmSidebarBackground {
  readonly sessions: CrmSessionProvider;
  readonly registry: MessageRegistry;
  readonly threadDeals: ThreadDealChoices;
  readonly events: EventLog;
  readonly cache: LookupCache;
  readonly threads: ThreadViewService;
  /** Called after settings are saved (the entrypoint re-plans alarms). */
  onSettingsChanged: (() => void) | null = null;
  private outbox: { userId: string; connector: CrmConnector; outbox: Outbox } | null = null;

  constructor(private readonly options: BackgroundOptions) {
    const { db } = options;
    const now = options.now ?? Date.now;
    this.sessions = new CrmSessionProvider(db, options.createConnector, now);
    this.registry = new MessageRegistry(db, now);
    this.threadDeals = new ThreadDealChoices(db, now);
    this.events = new EventLog(db, { now });
    this.cache = new LookupCache(db, { now });
    this.threads = new ThreadViewService({
      db,
      cache: this.cache,
      registry: this.registry,
      threadDeals: this.threadDeals,
      events: this.events,
      outboxFor: (s) => this.outboxFor(s),
      drainOutbox: async (s) => {
        await this.drainOutbox(s);
      },
      ownAddresses: () => this.mailboxAddresses(),
      now,
    });
  }

  private async mailboxAddresses(): Promise<string[]> {
    const rows = await this.options.db.mailboxes.toArray();
    return rows.map((r) => r.address);
  }

  outboxFor(session: CrmSession): Outbox {
    if (this.outbox?.userId !== session.me.user.id || this.outbox.connector !== session.connector) {
      this.outbox = {
        userId: session.me.user.id,
        connector: session.connector,
        outbox: new Outbox(this.options.db, session.connector, {
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
  }

  async status(): Promise<ExtensionStatus> {
    const settings = await this.sessions.settings();
    const me = await this.sessions.cachedIdentity(settings);
    const userId = me?.user.id;
    const rows = userId ? await this.options.db.outbox.where('crmUserId').equals(userId).toArray() : [];
    const count = (state: string) => rows.filter((r) => r.state === state).length;
    const mailboxes = await this.options.db.mailboxes.toArray();
    const problems = await this.events.problems();
    return {
      version: this.options.version,
      crmConfigured: isCrmConfigured(settings),
      crmBaseUrl: settings.crm.baseUrl,
      crmUser: me ? { id: me.user.id, name: me.user.name } : null,
      outbox: { pending: count('pending'), failed: count('failed'), delivered: count('delivered') },
      outboxFailures: rows
        .filter((r) => r.state === 'failed')
        .sort((a, b) => b.updatedAt - a.updatedAt)
        .slice(0, 50)
        .map((r) => ({
          id: String(r.id),
          externalId: r.activity.externalId,
          contactId: r.activity.contactId,
          subject: r.activity.subject,
          error: storedErrorInfo(r.lastError) ?? { kind: 'internal', message: 'No error was recorded.' },
          attempts: r.attempts,
        })),
      problems: problems.map((p) => ({
        id: p.id ?? 0,
        at: new Date(p.at).toISOString(),
        activity: p.activity ?? p.kind,
        error: p.error ?? { kind: 'internal', message: p.message },
      })),
      mailboxes: mailboxes.map(
        (m): MailboxStatus =>
          this.options.describeMailbox
            ? this.options.describeMailbox(m)
            : {
                id: m.id,
                provider: m.provider,
                address: m.address,
                primary: m.primary,
                state: m.status,
                lastSyncAt: m.lastSyncAt ? new Date(m.lastSyncAt).toISOString() : null,
                lastError: storedErrorInfo(m.lastError),
                signInExpiresAt: m.signInExpiresAt ? new Date(m.signInExpiresAt).toISOString() : null,
                progress: null,
                skippedReasons: {},
                recipientsCut: 0,
              },
      ),
    };
  }

  private async enrich(snapshot: ThreadSnapshot): Promise<ThreadSnapshot> {
    if (!this.options.enrichSnapshot) return snapshot;
    // Enrichment is a bonus: the page's own data still gives a working panel.
    return this.options.enrichSnapshot(snapshot).catch(() => snapshot);
  }

  getSettings(): Promise<Settings> {
    return this.sessions.settings();
  }

  async updateSettings(patch: Record<string, unknown>): Promise<Settings> {
    const current = await this.sessions.settings();
    const next = await this.sessions.settingsRepository.replace(mergeSettings(current, patch));
    // Linking rules may have changed: answers built under the old ones must not be reused.
    this.threads.forgetAll();
    this.onSettingsChanged?.();
    return next;
  }

  async testConnection(crm: CrmConnection): Promise<TestConnectionResult> {
    if (!isConnectionComplete(crm))
      return {
        ok: false,
        kind: 'not_configured',
        message:
          crm.type === 'hubspot'
            ? 'Enter the HubSpot token and your HubSpot login email first.'
            : crm.type === 'salesforce'
              ? 'Sign in to Salesforce first.'
              : 'Enter the CRM URL and token first.',
      };
    try {
      const me = await this.options.createConnector(crm).whoami();
      return { ok: true, me };
    } catch (e) {
      const info = toErrorInfo(e, 'crm');
      return { ok: false, kind: info.kind, message: info.message };
    }
  }

  async openThread(snapshot: ThreadSnapshot, preferCache: boolean): Promise<ThreadView> {
    const session = await this.sessions.session();
    return this.threads.open(session, await this.enrich(snapshot), preferCache);
  }

  async logThread(
    snapshot: ThreadSnapshot,
    providerMessageIds: readonly string[],
  ): Promise<MessageLogStatus[]> {
    const session = await this.sessions.session();
    return this.threads.log(session, await this.enrich(snapshot), providerMessageIds);
  }

  async createContact(input: {
    name: string;
    email: string;
    companyId: string | null;
  }): Promise<{ contact: Contact; existed: boolean }> {
    const session = await this.sessions.session();
    const result = await createOrFindContact(session.connector, {
      name: input.name,
      emails: [input.email],
      companyId: input.companyId,
    });
    // The new contact must show on the next open: cached lookups no longer tell the truth.
    await this.cache.clear();
    this.threads.forgetAll();
    return result;
  }

  /**
   * A message the user just sent with "Log to CRM" on. With its exact Message-ID it goes
   * through the pipeline at once; without one, a connected mailbox's sent-mail sync logs it
   * under the exact id (a provider-derived key now would double it later), and without a
   * connected mailbox the provider-derived key is the best key there will ever be.
   */
  async logSentMessage(
    message: MailMessage,
  ): Promise<{ outcome: 'queued' | 'already_logged' | 'skipped'; reason?: string }> {
    const session = await this.sessions.session();
    const mailboxes = await this.options.db.mailboxes.toArray();
    const syncing = mailboxes.some(
      (m) => m.provider === message.provider && m.address === message.mailbox && m.status === 'connected',
    );
    if (!message.messageId && syncing) {
      return { outcome: 'skipped', reason: 'the sent-mail sync will log it with its exact Message-ID' };
    }
    const context = linkingContextFor(session, [...mailboxes.map((m) => m.address), message.mailbox]);
    const linked = await lookupThread([message], context, session.connector, this.cache, true);
    const [outcome] = await enqueueLinkedMessages(linked.messages, 'manual', {
      session,
      outbox: this.outboxFor(session),
      registry: this.registry,
      threadDeals: this.threadDeals,
      events: this.events,
      now: this.options.now,
    });
    await this.drainOutbox(session);
    if (!outcome || outcome.status === 'skipped') return { outcome: 'skipped', reason: outcome?.reason };
    return { outcome: outcome.status === 'enqueued' ? 'queued' : 'already_logged' };
  }

  /** What the panel features' handlers (lib/panel/features) may use. */
  featureContext(): FeatureContext {
    return {
      session: () => this.sessions.session(),
      forgetThreadViews: () => this.threads.forgetAll(),
      threadDeals: this.threadDeals,
      registry: this.registry,
      settings: () => this.getSettings(),
      updateSettings: (patch) => this.updateSettings(patch),
      now: this.options.now ?? Date.now,
    };
  }

  async retryOutbox(ids?: string[]): Promise<number> {
    const session = await this.sessions.session();
    const outbox = this.outboxFor(session);
    let retried = 0;
    if (ids && ids.length > 0) {
      for (const id of ids) if (await outbox.retry(Number(id))) retried++;
    } else {
      retried = await outbox.retryAllFailed();
    }
    this.threads.forgetAll();
    await this.drainOutbox(session);
    return retried;
  }
}
