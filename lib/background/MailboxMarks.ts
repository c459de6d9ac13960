import { isMailboxAuthError } from '../auth/MailboxAuthError';
import type { ErrorKind } from '../errors/ErrorInfo';
import { toErrorInfo } from '../errors/toErrorInfo';
import type { MessageRegistry } from '../logging/MessageRegistry';
import type { MailMessage, MailProvider } from '../mail/MailMessage';
import type { MailboxApi, MailboxMark } from '../mail/sync/MailboxProvider';
import { planMailboxMark } from '../mail/sync/planMailboxMark';
import type { MailboxMarkSettings } from '../settings/MailboxMarkSettings';
import type { CrmSidebarDb, MailboxMarkRow } from '../store/db';
import type { EventLog } from '../store/EventLog';

/** Failed mark calls on one message before it is left as logged only (the error stays on the row). */
const MAX_MARK_ATTEMPTS = 5;
/** Settled rows are kept this long for the thread list's "In CRM" marker. */
const SETTLED_KEEP_MS = 180 * 24 * 60 * 60_000;
const PENDING_PAGE = 500;
/** Failures a later pass may get past. */
const TRANSIENT_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['rate_limited', 'server', 'network']);

export interface MailboxMarksOptions {
  db: CrmSidebarDb;
  registry: MessageRegistry;
  events: EventLog;
  settings: () => Promise<MailboxMarkSettings>;
  /** The connected mailbox's API client (the sync's own, so quota and budget are shared); null when not connected. */
  api: (mailboxId: string) => Promise<MailboxApi | null>;
  /** Whether the mailbox's grant includes the write scope. */
  writeAccess: (mailboxId: string) => Promise<boolean>;
  /** The provider refused a write for want of the scope: the grant changed since it was checked. */
  onWriteRefused?: (mailboxId: string, error: unknown) => Promise<void>;
  now?: () => number;
}

export function mailboxIdOf(provider: MailProvider, address: string): string {
  return `${provider}:${address.trim().toLowerCase()}`;
}

/**
 * The mailbox shows what reached the CRM. Every message handed to the outbox from a mailbox
 * is remembered (`record`); after each outbox delivery, `apply` asks the Message-ID registry
 * which of them the CRM now holds and, per the settings and the mailbox's grant, labels or
 * categorises them and archives received ones (planMailboxMark has the rules). Logged threads
 * are answered to Gmail's thread list (`loggedThreads`), which needs no write access.
 */
export class MailboxMarks {
  constructor(private readonly options: MailboxMarksOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Remembers a message the pipeline queued (or found already logged). */
  async record(message: MailMessage, externalId: string, direction: 'incoming' | 'outgoing'): Promise<void> {
    if (!message.mailbox || message.providerMessageId.startsWith('dom-')) return;
    const mailboxId = mailboxIdOf(message.provider, message.mailbox);
    const key = `${mailboxId} ${message.providerMessageId}`;
    const now = this.now();
    const { db } = this.options;
    await db.transaction('rw', db.mailboxMarks, async () => {
      const existing = await db.mailboxMarks.get(key);
      if (existing && existing.state !== 'not_logged') return;
      await db.mailboxMarks.put({
        key,
        mailboxId,
        provider: message.provider,
        providerMessageId: message.providerMessageId,
        providerThreadId: message.providerThreadId,
        externalId,
        inInbox: direction === 'incoming' && message.folderRole === 'inbox',
        state: 'pending',
        createdAt: now,
        updatedAt: now,
        attempts: 0,
      });
    });
  }

  /**
   * Settles what the CRM now holds. Per mailbox one call to the provider's mark method (Gmail:
   * a batchModify per change; Graph: per message, inside the request budget).
   */
  async apply(crmUserId: string): Promise<{ marked: number; logged: number }> {
    const { db } = this.options;
    const pending = await db.mailboxMarks.where('state').equals('pending').limit(PENDING_PAGE).toArray();
    const tally = { marked: 0, logged: 0 };
    if (pending.length === 0) return tally;
    const logged = await this.options.registry.loggedAmong(crmUserId, [
      ...new Set(pending.map((r) => r.externalId)),
    ]);
    const settings = await this.options.settings();
    const now = this.now();
    const toMark = new Map<string, { row: MailboxMarkRow; mark: MailboxMark }[]>();
    const access = new Map<string, boolean>();
    for (const row of pending) {
      const isLogged = logged.has(row.externalId);
      let writeAccess = access.get(row.mailboxId);
      if (writeAccess === undefined && isLogged) {
        writeAccess = await this.options.writeAccess(row.mailboxId);
        access.set(row.mailboxId, writeAccess);
      }
      const decision = planMailboxMark({
        logged: isLogged,
        inInbox: row.inInbox,
        createdAt: row.createdAt,
        now,
        settings,
        writeAccess: writeAccess ?? false,
      });
      if (decision.action === 'wait') continue;
      if (decision.action === 'give_up') {
        await db.mailboxMarks.update(row.key, { state: 'not_logged', updatedAt: now });
      } else if (decision.action === 'logged') {
        await db.mailboxMarks.update(row.key, { state: 'logged', updatedAt: now });
        tally.logged++;
      } else {
        const list = toMark.get(row.mailboxId) ?? [];
        list.push({
          row,
          mark: {
            providerMessageId: row.providerMessageId,
            label: decision.label,
            archive: decision.archive,
          },
        });
        toMark.set(row.mailboxId, list);
      }
    }
    for (const [mailboxId, items] of toMark) {
      const done = await this.markMailbox(mailboxId, items, settings);
      tally.marked += done;
      tally.logged += items.length - done;
    }
    await this.prune();
    return tally;
  }

  private async markMailbox(
    mailboxId: string,
    items: { row: MailboxMarkRow; mark: MailboxMark }[],
    settings: MailboxMarkSettings,
  ): Promise<number> {
    const { db, events } = this.options;
    const now = this.now();
    const api = await this.options.api(mailboxId).catch(() => null);
    if (!api?.markMessages) {
      // Disconnected meanwhile, or a provider without writes: logged, and left as it is.
      await db.mailboxMarks.bulkUpdate(
        items.map(({ row }) => ({ key: row.key, changes: { state: 'logged', updatedAt: now } })),
      );
      return 0;
    }
    const area = `marks:${mailboxId}`;
    try {
      const outcomes = await api.markMessages(
        items.map((i) => i.mark),
        { gmailLabel: settings.gmailLabel, outlookCategory: settings.outlookCategory },
      );
      const applied = new Set(outcomes.filter((o) => o.applied).map((o) => o.providerMessageId));
      await db.mailboxMarks.bulkUpdate(
        items.map(({ row, mark }) => {
          const ok = applied.has(row.providerMessageId);
          return {
            key: row.key,
            changes: ok
              ? { state: 'marked', labelled: mark.label, archived: mark.archive, updatedAt: now }
              : { state: 'logged', updatedAt: now },
          };
        }),
      );
      const archived = items.filter((i) => i.mark.archive && applied.has(i.row.providerMessageId)).length;
      await events.success(
        area,
        'marks.applied',
        `Marked ${applied.size} logged email${applied.size === 1 ? '' : 's'} in ${mailboxId.slice(mailboxId.indexOf(':') + 1)}${archived > 0 ? ` (${archived} archived)` : ''}`,
      );
      return applied.size;
    } catch (error) {
      const info = toErrorInfo(error);
      const refused = isMailboxAuthError(error) && error.reason === 'insufficient_scope';
      if (refused) await this.options.onWriteRefused?.(mailboxId, error);
      await events.failure(area, 'marks.failed', `Marking logged mail in ${mailboxId}`, error);
      // No write access, or tried often enough: the messages stay as they are, logged.
      await db.mailboxMarks.bulkUpdate(
        items.map(({ row }) => {
          const attempts = row.attempts + 1;
          const settle = refused || !TRANSIENT_KINDS.has(info.kind) || attempts >= MAX_MARK_ATTEMPTS;
          return {
            key: row.key,
            changes: settle
              ? { state: 'logged', attempts, lastError: info, updatedAt: now }
              : { attempts, lastError: info, updatedAt: now },
          };
        }),
      );
      return 0;
    }
  }

  /**
   * Of `threadIds` (the provider's thread ids in `address`'s mailbox), those with a message the
   * CRM holds: read-only, for Gmail's thread-list marker.
   */
  async loggedThreads(
    provider: MailProvider,
    address: string,
    threadIds: readonly string[],
  ): Promise<string[]> {
    const mailboxId = mailboxIdOf(provider, address);
    const rows = await this.options.db.mailboxMarks
      .where('[mailboxId+providerThreadId]')
      .anyOf(threadIds.map((t) => [mailboxId, t]))
      .filter((r) => r.state === 'logged' || r.state === 'marked')
      .toArray();
    return [...new Set(rows.map((r) => r.providerThreadId).filter((t): t is string => t !== null))];
  }

  private async prune(): Promise<void> {
    const before = this.now() - SETTLED_KEEP_MS;
    await this.options.db.mailboxMarks
      .where('updatedAt')
      .below(before)
      .filter((r) => r.state !== 'pending')
      .delete();
  }
}
