import { z } from 'zod';
import type { SyncPipeline } from '../background/BackgroundCore';
import { ExtensionError } from '../errors/ErrorInfo';
import { toErrorInfo } from '../errors/toErrorInfo';
import { MailMessage } from '../mail/MailMessage';
import type { MailboxApi, SyncFolder } from '../mail/sync/MailboxProvider';
import type { CrmSidebarDb, MailboxRow } from '../store/db';
import { auditMailboxWindow, listedMissing, logMissingMessages } from './SyncAudit';
import { type AuditWindowDays, SyncAuditReport } from './SyncAuditReport';

/** The connected mailbox and its provider client (the one the sync uses: same quota limiter). */
export type MailboxApiSource = (mailboxId: string) => Promise<{ row: MailboxRow; api: MailboxApi }>;

export interface SyncAuditServiceOptions {
  db: CrmSidebarDb;
  /** The CRM session, stores and outbox the sync logs through (lib/background/BackgroundCore). */
  background: SyncPipeline;
  mailboxApi: MailboxApiSource;
  now?: () => number;
}

const DAY_MS = 86_400_000;
const REPORT_KEY = (mailboxId: string) => `syncAudit:${mailboxId}`;
const MISSING_KEY = (mailboxId: string) => `syncAudit:${mailboxId}:missing`;
const StoredMissing = z.array(MailMessage);

/**
 * The sync audit in the background: one audit per mailbox at a time, its report kept in the
 * database's key/value table (so the popup and options page show the last figures after a
 * restart), progress answered live while it runs, every failure recorded in the event log
 * under `audit:<mailbox>` and on the report, and "Log missing" sent through the outbox once.
 */
export class SyncAuditService {
  private readonly live = new Map<string, SyncAuditReport>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly options: SyncAuditServiceOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private iso(at = this.now()): string {
    return new Date(at).toISOString();
  }

  /** The last report of every mailbox that has one, live ones first-hand. */
  async reports(): Promise<SyncAuditReport[]> {
    const rows = await this.options.db.settings.where('key').startsWith('syncAudit:').toArray();
    const out: SyncAuditReport[] = [];
    for (const row of rows) {
      if (row.key.endsWith(':missing')) continue;
      const parsed = SyncAuditReport.safeParse(row.value);
      if (!parsed.success) continue;
      out.push(this.present(parsed.data));
    }
    return out.sort((a, b) => a.address.localeCompare(b.address));
  }

  async report(mailboxId: string): Promise<SyncAuditReport | null> {
    const live = this.live.get(mailboxId);
    if (live) return structuredClone(live);
    const row = await this.options.db.settings.get(REPORT_KEY(mailboxId));
    const parsed = SyncAuditReport.safeParse(row?.value);
    return parsed.success ? this.present(parsed.data) : null;
  }

  /** A stored "running" report with nothing running in this worker was cut off by a restart. */
  private present(stored: SyncAuditReport): SyncAuditReport {
    const live = this.live.get(stored.mailboxId);
    if (live) return structuredClone(live);
    const interrupted = (state: 'running' | 'done' | 'failed') =>
      state === 'running' && !this.running.has(stored.mailboxId);
    const report = structuredClone(stored);
    if (interrupted(report.state)) {
      report.state = 'failed';
      report.error = toErrorInfo(
        new ExtensionError(
          'internal',
          'The audit stopped before it finished (the extension restarted). Run it again.',
        ),
      );
    }
    if (report.logMissing && interrupted(report.logMissing.state)) {
      report.logMissing = {
        ...report.logMissing,
        state: 'failed',
        error: toErrorInfo(
          new ExtensionError(
            'internal',
            '"Log missing" stopped before it finished. Press it again: nothing is sent twice.',
          ),
        ),
      };
    }
    return report;
  }

  private async save(report: SyncAuditReport): Promise<void> {
    await this.options.db.settings.put({
      key: REPORT_KEY(report.mailboxId),
      value: report,
      updatedAt: this.now(),
    });
  }

  /**
   * Starts an audit of the last `days` of a connected mailbox and answers its first report at
   * once; the audit goes on in the background (ask `report` for progress). A second start while
   * one runs answers the running one.
   */
  async start(mailboxId: string, days: AuditWindowDays): Promise<SyncAuditReport> {
    const current = this.live.get(mailboxId);
    if (current && this.running.has(mailboxId)) return structuredClone(current);
    const { row, api } = await this.options.mailboxApi(mailboxId);
    const session = await this.options.background.sessions.session();
    const to = this.now();
    const window = { from: to - days * DAY_MS, to };
    const folders: SyncFolder[] = session.settings.autoLogReceived ? ['sent', 'inbox'] : ['sent'];
    const report: SyncAuditReport = {
      mailboxId,
      address: row.address,
      windowDays: days,
      from: this.iso(window.from),
      to: this.iso(window.to),
      folders,
      state: 'running',
      startedAt: this.iso(to),
      finishedAt: null,
      progress: { scanned: 0, total: null },
      counts: { scanned: 0, logged: 0, skipped: 0, missing: 0 },
      skippedByRule: [],
      missing: [],
      crmRequests: 0,
      error: null,
      logMissing: null,
    };
    this.live.set(mailboxId, report);
    await this.save(report);
    const { background, db } = this.options;
    const work = (async () => {
      try {
        const mailboxes = await db.mailboxes.toArray();
        const outcome = await auditMailboxWindow({
          session,
          mailboxAddress: row.address,
          ownAddresses: mailboxes.map((m) => m.address),
          listWindow: (folder, w, o) => api.listWindow(folder, w, o),
          removedByRep: (ids) => background.registry.removedAmong(session.me.user.id, ids),
          loggedOffAtSend: (ids) => background.registry.logOffAtSendAmong(session.me.user.id, ids),
          folders,
          window,
          cache: background.cache,
          onProgress: (p) => {
            report.progress = { scanned: p.scanned, total: p.total };
            report.counts = p.counts;
          },
        });
        report.counts = outcome.counts;
        report.skippedByRule = outcome.skippedByRule;
        report.missing = listedMissing(outcome.missing);
        report.crmRequests = outcome.crmRequests;
        report.progress = { scanned: outcome.counts.scanned, total: outcome.counts.scanned };
        report.state = 'done';
        report.finishedAt = this.iso();
        await db.settings.put({
          key: MISSING_KEY(mailboxId),
          value: outcome.missing.map((m) => m.message),
          updatedAt: this.now(),
        });
        await this.save(report);
        await background.events.success(
          `audit:${mailboxId}`,
          'audit.done',
          `Audit of ${row.address} (${days} days): ${report.counts.logged} logged, ${report.counts.skipped} skipped, ${report.counts.missing} missing`,
          { counts: report.counts, crmRequests: report.crmRequests },
        );
      } catch (error) {
        report.state = 'failed';
        report.finishedAt = this.iso();
        report.error = await background.events.failure(
          `audit:${mailboxId}`,
          'audit.failed',
          `Audit of ${row.address}`,
          error,
        );
        await this.save(report).catch(() => undefined);
      }
    })().finally(() => {
      this.running.delete(mailboxId);
      this.live.delete(mailboxId);
    });
    this.running.set(mailboxId, work);
    return structuredClone(report);
  }

  /** Waits for a running audit (tests, and "Log missing" right after an audit). */
  async settled(mailboxId: string): Promise<void> {
    await this.running.get(mailboxId);
  }

  /**
   * Sends the last audit's missing messages through the outbox (see `logMissingMessages`) and
   * delivers them; answers the report with what it did. What it sent leaves the missing list,
   * so pressing it again sends nothing.
   */
  async logMissing(mailboxId: string): Promise<SyncAuditReport> {
    await this.settled(mailboxId);
    const report = await this.report(mailboxId);
    if (report?.state !== 'done') {
      throw new ExtensionError('not_found', 'Run an audit of this mailbox first.');
    }
    const { background, db } = this.options;
    const stored = StoredMissing.safeParse((await db.settings.get(MISSING_KEY(mailboxId)))?.value);
    const missing = stored.success ? stored.data : [];
    report.logMissing = { state: 'running', queued: 0, alreadyLogged: 0, at: this.iso(), error: null };
    this.live.set(mailboxId, report);
    const work = (async () => {
      try {
        const session = await background.sessions.session();
        const mailboxes = await db.mailboxes.toArray();
        const outcome = await logMissingMessages({
          session,
          ownAddresses: mailboxes.map((m) => m.address),
          cache: background.cache,
          pipeline: {
            outbox: background.outboxFor(session),
            registry: background.registry,
            threadDeals: background.threadDeals,
            events: background.events,
            now: this.options.now,
          },
          missing,
        });
        await db.settings.put({ key: MISSING_KEY(mailboxId), value: [], updatedAt: this.now() });
        report.logMissing = {
          state: 'done',
          queued: outcome.queued,
          alreadyLogged: outcome.alreadyLogged,
          at: this.iso(),
          error: null,
        };
        report.missing = [];
        await this.save(report);
        await background.events.success(
          `audit:${mailboxId}`,
          'audit.log_missing',
          `Log missing for ${report.address}: ${outcome.queued} sent to the CRM, ${outcome.alreadyLogged} already there`,
          outcome,
        );
        await background.events.guard(
          'outbox',
          'outbox.drain.failed',
          'Delivering logged emails to the CRM',
          () => background.drainOutbox(session),
        );
      } catch (error) {
        const info = await background.events.failure(
          `audit:${mailboxId}`,
          'audit.log_missing.failed',
          `Log missing for ${report.address}`,
          error,
        );
        report.logMissing = { state: 'failed', queued: 0, alreadyLogged: 0, at: this.iso(), error: info };
        await this.save(report).catch(() => undefined);
      }
    })().finally(() => {
      this.running.delete(mailboxId);
      this.live.delete(mailboxId);
    });
    this.running.set(mailboxId, work);
    await work;
    return (await this.report(mailboxId)) ?? report;
  }
}
