import type { Contact } from '../crm/contract';
import { createOrFindContact } from '../crm/createOrFindContact';
import { missingConnectionCode } from '../crm/vendors/crmVendors';
import { storedErrorInfo } from '../errors/ErrorInfo';
import { toErrorInfo } from '../errors/toErrorInfo';
import type { PageIntegrationState } from '../health/PageIntegrationHealth';
import { isFreeMailDomain } from '../linking/DomainExclusions';
import type { MessageRegistry } from '../logging/MessageRegistry';
import type { Outbox } from '../logging/Outbox';
import type { ThreadDealChoices } from '../logging/ThreadDealChoices';
import type { MailMessage, ThreadSnapshot } from '../mail/MailMessage';
import { LOG_OFF_REASON, type SentMessageOutcome } from '../mail/SentMessageOutcome';
import type { ExtensionStatus, MailboxStatus, TestConnectionResult } from '../messaging/messages';
import type { FeatureContext } from '../panel/features/PanelFeature';
import type { MessageLogStatus, ThreadView } from '../panel/ThreadView';
import type { PolicyView } from '../policy/PolicyView';
import {
  type CrmConnection,
  isConnectionComplete,
  isCrmConfigured,
  type Settings,
} from '../settings/Settings';
import type { CrmSidebarDb, MailboxRow } from '../store/db';
import type { EventLog } from '../store/EventLog';
import type { LookupCache } from '../store/LookupCache';
import type { BackgroundCore } from './BackgroundCore';
import type { CrmSession, CrmSessionProvider } from './CrmSession';
import { enqueueLinkedMessages, linkingContextFor, lookupThread, type PipelineDeps } from './MessagePipeline';
import { ThreadViewService } from './ThreadViewService';

/** What the background shows of the connected mailboxes (lib/background/MailboxService). */
export interface MailboxView {
  /** Upgrades a page-read snapshot with provider API data (exact Message-IDs) when possible. */
  enrichSnapshot(snapshot: ThreadSnapshot): Promise<ThreadSnapshot>;
  /** Live mailbox state (sync progress). */
  statusOf(row: MailboxRow): MailboxStatus;
  /** Remembers what a click or a compose send queued, so the mailbox can show it once logged. */
  rememberQueued?: PipelineDeps['onQueued'];
}

export interface BackgroundOptions {
  core: BackgroundCore;
  version: string;
  /** Without connected mailboxes' services (tests), the database's mailbox rows as they are. */
  mailboxes?: MailboxView;
  /** Whether the page integrations read threads; without it (tests) none is reported. */
  pageHealth?: { states(): Promise<PageIntegrationState[]> };
}

/**
 * Everything the background does for the content scripts and pages, free of browser
 * APIs: the composition root (composeBackground) builds it, and the entrypoint wires
 * runtime messages and alarms to it.
 */
export class CrmSidebarBackground {
  readonly core: BackgroundCore;
  readonly sessions: CrmSessionProvider;
  readonly registry: MessageRegistry;
  readonly threadDeals: ThreadDealChoices;
  readonly events: EventLog;
  readonly cache: LookupCache;
  readonly threads: ThreadViewService;
  private readonly db: CrmSidebarDb;
  private readonly now: () => number;

  constructor(private readonly options: BackgroundOptions) {
    const { core } = options;
    this.core = core;
    this.db = core.db;
    this.now = core.now;
    this.sessions = core.sessions;
    this.registry = core.registry;
    this.threadDeals = core.threadDeals;
    this.events = core.events;
    this.cache = core.cache;
    this.threads = new ThreadViewService({
      db: core.db,
      cache: core.cache,
      registry: core.registry,
      threadDeals: core.threadDeals,
      events: core.events,
      outboxFor: (s) => core.outboxFor(s),
      drainOutbox: (s) => core.drainOutbox(s),
      ownAddresses: () => this.mailboxAddresses(),
      now: core.now,
      onQueued: options.mailboxes?.rememberQueued,
    });
    // Linking rules may have changed: answers built under the old ones must not be reused.
    core.settings.onChange(() => this.threads.forgetAll());
  }

  private async mailboxAddresses(): Promise<string[]> {
    const rows = await this.db.mailboxes.toArray();
    return rows.map((r) => r.address);
  }

  outboxFor(session: CrmSession): Outbox {
    return this.core.outboxFor(session);
  }

  /** Delivers what is due and asks to be woken for what is left. */
  drainOutbox(session?: CrmSession): Promise<void> {
    return this.core.drainOutbox(session);
  }

  async status(): Promise<ExtensionStatus> {
    const settings = await this.sessions.settings();
    const me = await this.sessions.cachedIdentity(settings);
    const userId = me?.user.id;
    const rows = userId ? await this.db.outbox.where('crmUserId').equals(userId).toArray() : [];
    const count = (state: string) => rows.filter((r) => r.state === state).length;
    const mailboxes = await this.db.mailboxes.toArray();
    // A broken page integration has its own notice (pageIntegrations), not a line among problems.
    const problems = (await this.events.problems(10)).filter((p) => !p.area?.startsWith('page:')).slice(0, 5);
    const pageIntegrations = (await this.options.pageHealth?.states()) ?? [];
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
      pageIntegrations,
      problems: problems.map((p) => ({
        id: p.id ?? 0,
        at: new Date(p.at).toISOString(),
        activity: p.activity ?? p.kind,
        error: p.error ?? { kind: 'internal', message: p.message },
      })),
      mailboxes: mailboxes.map(
        (m): MailboxStatus =>
          this.options.mailboxes
            ? this.options.mailboxes.statusOf(m)
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
                shared: m.sharedThrough !== undefined,
              },
      ),
    };
  }

  private async enrich(snapshot: ThreadSnapshot): Promise<ThreadSnapshot> {
    if (!this.options.mailboxes) return snapshot;
    // Enrichment is a bonus: the page's own data still gives a working panel.
    return this.options.mailboxes.enrichSnapshot(snapshot).catch(() => snapshot);
  }

  getSettings(): Promise<Settings> {
    return this.core.getSettings();
  }

  updateSettings(patch: Record<string, unknown>): Promise<Settings> {
    return this.core.updateSettings(patch);
  }

  /** The settings as the options page edits them (the organisation's list entries apart, see policyView). */
  editableSettings(): Promise<Settings> {
    return this.core.settings.editableSettings();
  }

  /** Saves the rep's change and answers with the settings as the options page edits them. */
  async updateEditableSettings(patch: Record<string, unknown>): Promise<Settings> {
    await this.core.updateSettings(patch);
    return this.editableSettings();
  }

  policyView(): Promise<PolicyView> {
    return this.core.settings.policyView();
  }

  async testConnection(crm: CrmConnection): Promise<TestConnectionResult> {
    if (!isConnectionComplete(crm)) {
      const code = missingConnectionCode(crm);
      return {
        ok: false,
        kind: 'not_configured',
        code,
        message: `The CRM connection is not complete (${code}).`,
      };
    }
    try {
      const me = await this.core.createConnector(crm).whoami();
      return { ok: true, me };
    } catch (e) {
      const info = toErrorInfo(e, 'crm');
      return { ok: false, kind: info.kind, message: info.message, ...(info.code ? { code: info.code } : {}) };
    }
  }

  async openThread(snapshot: ThreadSnapshot, preferCache: boolean): Promise<ThreadView> {
    // A thread seen before answers from its cached view at once; the panel's refresh that
    // follows takes the prefetched lookup.
    const cached = preferCache ? this.threads.cachedView(snapshot) : null;
    if (cached) return cached;
    const early = this.threads.takePrefetched(snapshot);
    if (early) {
      try {
        return await early;
      } catch {
        // The prefetch failed (an expired token, the CRM down): ask again and report that.
      }
    }
    const session = await this.sessions.session();
    return this.threads.open(session, await this.enrich(snapshot), preferCache);
  }

  /**
   * Starts the thread's lookup for the panel frame about to ask (ThreadViewService.prefetch);
   * a failure is the frame's own `thread.open` to report, so this never throws.
   */
  prefetchThread(snapshot: ThreadSnapshot): Promise<void> {
    const view = this.threads.prefetch(snapshot, async () => {
      const session = await this.sessions.session();
      return this.threads.open(session, await this.enrich(snapshot), false);
    });
    // A failure is reported by the frame's own thread.open, which asks again.
    return view.then(
      () => undefined,
      () => undefined,
    );
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
    const mailboxes = await this.db.mailboxes.toArray();
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
      now: this.now,
      onQueued: this.options.mailboxes?.rememberQueued,
    });
    await this.drainOutbox(session);
    if (!outcome || outcome.status === 'skipped') return { outcome: 'skipped', reason: outcome?.reason };
    return { outcome: outcome.status === 'enqueued' ? 'queued' : 'already_logged' };
  }

  /**
   * A message the user just sent with "Log to CRM" off, as the mailbox's API gave it: the
   * registry remembers, so the sync never logs it by itself (the rep's word for this message
   * outranks "log sent mail automatically"); "Log email" on its receipt still logs it. A message
   * already logged (a sync pass came first) stays logged: its receipt offers the way back.
   */
  async declineSentMessage(message: MailMessage): Promise<SentMessageOutcome> {
    // Without a Message-ID the sync never logs it anyway.
    if (!message.messageId) return { outcome: 'skipped', reason: LOG_OFF_REASON };
    const session = await this.sessions.session();
    const marked = await this.registry.markLogOffAtSend(session.me.user.id, message.messageId);
    this.threads.forgetAll();
    return marked === 'already_logged'
      ? { outcome: 'already_logged' }
      : { outcome: 'skipped', reason: LOG_OFF_REASON };
  }

  /** What the panel features' handlers (lib/panel/features) may use. */
  featureContext(): FeatureContext {
    return {
      session: () => this.sessions.session(),
      forgetThreadViews: () => this.threads.forgetAll(),
      isFreeMailDomain,
      forgetCrmAnswers: async () => {
        await this.cache.clear();
        this.threads.forgetAll();
      },
      threadDeals: this.threadDeals,
      registry: this.registry,
      settings: () => this.getSettings(),
      updateSettings: (patch) => this.updateSettings(patch),
      now: this.now,
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
