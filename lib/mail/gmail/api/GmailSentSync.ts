import { z } from 'zod';
import type { CursorStore } from '../../sync/MailboxSync';
import { MailboxSyncEngine, type MailboxSyncEngineOptions } from '../../sync/MailboxSyncEngine';
import { ProviderRequestError } from '../../sync/ProviderRequestError';
import {
  type GmailApiClient,
  GmailHistoryExpiredError,
  type GmailMessage,
  type GmailMessageRef,
} from './GmailApiClient';
import { GMAIL_METADATA_HEADERS, mapGmailMessage } from './mapGmailMessage';

/**
 * Where a Gmail mailbox's sync stands. `history`: incremental from a history id. `scan`: a
 * window scan (first run or after the history id expired) that stopped after a page; it
 * resumes from `pageToken` and ends by switching to history at `historyIdAtStart`, the
 * mailbox's history id from before the scan began, so nothing sent during the scan is missed.
 */
export const GmailSyncCursor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('history'), historyId: z.string() }),
  z.object({
    kind: z.literal('scan'),
    mode: z.enum(['initial', 'rescan']),
    historyIdAtStart: z.string(),
    windowStart: z.number(),
    pageToken: z.string().nullable(),
  }),
]);
export type GmailSyncCursor = z.infer<typeof GmailSyncCursor>;

export type GmailSyncLabel = 'SENT' | 'INBOX';

export interface GmailSentSyncOptions extends MailboxSyncEngineOptions {
  client: Pick<GmailApiClient, 'getProfile' | 'listMessages' | 'listHistory' | 'getMessagesMetadata'>;
  cursors: CursorStore<GmailSyncCursor>;
  /** SENT (default) or INBOX for the optional "auto-log received mail". */
  labelId?: GmailSyncLabel;
  /**
   * Whether the token may use `q` (gmail.readonly). Tokens with only gmail.metadata get a
   * 403 for any `q`, so the window scan then lists the label newest-first and stops at the
   * first page that reaches past the window.
   */
  searchQuerySupported?: boolean;
  /** Messages per list page and per sink page (Gmail allows up to 500). */
  pageSize?: number;
  /** Batch requests in flight; the quota limiter decides the actual rate. */
  concurrency?: number;
  /** messages.get calls per batch request (at most 50). */
  batchSize?: number;
}

/** Cursor store key for a label: the sent cursor under the mailbox id, others suffixed. */
export function gmailCursorKey(mailboxId: string, labelId: GmailSyncLabel): string {
  return labelId === 'SENT' ? mailboxId : `${mailboxId}:${labelId}`;
}

type GmailScanCursor = GmailSyncCursor & { kind: 'scan' };

/**
 * One sync pass of one Gmail mailbox's sent (or inbox) label, on the shared pass skeleton:
 * history.list from the stored history id, or a window scan with messages.list on the first
 * run and when the history id has expired. Messages are fetched with format=metadata (only
 * the headers we need) in parallel within the quota, mapped, handed to the sink a page at a
 * time, and the cursor moves only after the sink has resolved for everything before it.
 */
export class GmailSentSync extends MailboxSyncEngine<GmailSyncCursor, GmailScanCursor> {
  private readonly labelId: GmailSyncLabel;
  private readonly pageSize: number;
  private readonly concurrency: number;
  private readonly batchSize: number | undefined;

  constructor(private readonly options: GmailSentSyncOptions) {
    const labelId = options.labelId ?? 'SENT';
    super({
      ...options,
      provider: 'gmail',
      cursorKey: gmailCursorKey(options.mailboxId, labelId),
      cursorSchema: GmailSyncCursor,
    });
    this.labelId = labelId;
    this.pageSize = Math.min(500, Math.max(1, options.pageSize ?? 100));
    this.concurrency = options.concurrency ?? 4;
    this.batchSize = options.batchSize;
  }

  protected isExpiredCursor(error: unknown): boolean {
    // Gmail keeps history for about a week; older ids get 404.
    return error instanceof GmailHistoryExpiredError;
  }

  protected followChanges(cursor: GmailSyncCursor & { kind: 'history' }): Promise<void> {
    return this.syncHistory(cursor.historyId);
  }

  protected async beginWindow(mode: 'initial' | 'rescan'): Promise<GmailScanCursor> {
    const profile = await this.options.client.getProfile();
    const cursor: GmailScanCursor = {
      kind: 'scan',
      mode,
      historyIdAtStart: profile.historyId,
      windowStart: this.windowStart(),
      pageToken: null,
    };
    await this.saveCursor(cursor);
    return cursor;
  }

  protected async importWindow(start: GmailScanCursor): Promise<void> {
    const useQuery = this.options.searchQuerySupported ?? true;
    const afterSeconds = Math.floor(start.windowStart / 1000);
    // A page is listed and its messages fetched while the page before is still being fetched
    // and handed off, so the quota window never idles at a page boundary; what is handed off
    // and when the cursor moves stays in page order. Promises are awaited in turn below; until
    // then a failure must not count as unhandled.
    const loadPage = (pageToken: string | null) => {
      const page = this.options.client
        .listMessages({
          labelIds: [this.labelId],
          ...(useQuery ? { q: `after:${afterSeconds}` } : {}),
          maxResults: this.pageSize,
          ...(pageToken !== null ? { pageToken } : {}),
        })
        .then((list) => {
          const fetched = this.fetchPage(list.messages ?? []);
          fetched.catch(() => {});
          return { list, fetched };
        });
      page.catch(() => {});
      return page;
    };
    let cursor = start;
    let loading = loadPage(cursor.pageToken);
    for (;;) {
      let page: Awaited<typeof loading>;
      try {
        page = await loading;
      } catch (error) {
        // A saved page token can outlive Gmail's memory of it (400): start the scan over.
        if (cursor.pageToken !== null && error instanceof ProviderRequestError && error.status === 400) {
          cursor = await this.beginWindow(cursor.mode);
          loading = loadPage(null);
          continue;
        }
        throw error;
      }
      const { list } = page;
      if (cursor.pageToken === null && useQuery && list.resultSizeEstimate !== undefined) {
        this.tally.progress.total = list.resultSizeEstimate;
      }
      const next = list.nextPageToken;
      if (next !== undefined) loading = loadPage(next);
      const fetched = this.countFetched(await page.fetched);
      const inWindow = fetched.filter((m) => Number(m.internalDate) >= cursor.windowStart);
      await this.tally.handOff(inWindow.map((m) => mapGmailMessage(m, this.options.mailboxAddress)));
      // messages.list is newest first: without `q`, a page reaching past the window ends it
      // (the next page, already loading, is left unused).
      const last = fetched.at(-1);
      const reachedPastWindow =
        !useQuery && last !== undefined && Number(last.internalDate) < cursor.windowStart;
      if (next !== undefined && !reachedPastWindow) {
        cursor = { ...cursor, pageToken: next };
        await this.saveCursor(cursor);
        continue;
      }
      await this.saveCursor({ kind: 'history', historyId: cursor.historyIdAtStart });
      return;
    }
  }

  private async syncHistory(startHistoryId: string): Promise<void> {
    const seen = new Set<string>();
    let pageToken: string | undefined;
    for (;;) {
      const page = await this.options.client.listHistory({
        startHistoryId,
        labelId: this.labelId,
        historyTypes: ['messageAdded'],
        maxResults: 500,
        ...(pageToken !== undefined ? { pageToken } : {}),
      });
      const refs: GmailMessageRef[] = [];
      for (const record of page.history ?? []) {
        for (const added of record.messagesAdded ?? []) {
          const ref = added.message;
          // labelIds on the ref are the labels at the time of the change; a message added
          // to another label in the same record is not ours.
          if (ref.labelIds !== undefined && !ref.labelIds.includes(this.labelId)) continue;
          if (seen.has(ref.id)) continue;
          seen.add(ref.id);
          refs.push(ref);
        }
      }
      for (let i = 0; i < refs.length; i += this.pageSize) {
        const fetched = await this.fetchAll(refs.slice(i, i + this.pageSize));
        await this.tally.handOff(fetched.map((m) => mapGmailMessage(m, this.options.mailboxAddress)));
      }
      pageToken = page.nextPageToken;
      const lastRecordId = page.history?.at(-1)?.id;
      if (pageToken === undefined) {
        await this.saveCursor({ kind: 'history', historyId: page.historyId });
        return;
      }
      // Records come in increasing id order, so the last record of a delivered page is a safe
      // restart point if the worker dies before the next page.
      if (lastRecordId !== undefined) {
        await this.saveCursor({ kind: 'history', historyId: lastRecordId });
      }
    }
  }

  /**
   * messages.get for a page of refs through batch requests, in the refs' order. Deleted
   * messages are counted as vanished and malformed payloads as unreadable (one of them must
   * not stall the mailbox); anything else that fails fails the page, which is then fetched
   * again whole by the next pass (the cursor has not moved).
   */
  private fetchAll(refs: readonly GmailMessageRef[]): Promise<GmailMessage[]> {
    return this.fetchPage(refs).then((page) => this.countFetched(page));
  }

  /** The fetch itself; nothing is counted until the page is used (`countFetched`). */
  private async fetchPage(refs: readonly GmailMessageRef[]): Promise<FetchedPage> {
    const page: FetchedPage = { messages: [], vanished: 0, unreadable: 0, scanned: refs.length };
    if (refs.length === 0) return page;
    const results = await this.options.client.getMessagesMetadata(
      refs.map((r) => r.id),
      GMAIL_METADATA_HEADERS,
      { inFlight: this.concurrency, ...(this.batchSize !== undefined ? { maxParts: this.batchSize } : {}) },
    );
    for (const ref of refs) {
      const result = results.get(ref.id);
      if (result?.kind === 'message') page.messages.push(result.message);
      else if (result?.kind === 'unreadable') page.unreadable++;
      else page.vanished++;
    }
    return page;
  }

  private countFetched(page: FetchedPage): GmailMessage[] {
    this.tally.counts.vanished += page.vanished;
    this.tally.counts.unreadable += page.unreadable;
    this.tally.progress.scanned += page.scanned;
    return page.messages;
  }
}

interface FetchedPage {
  messages: GmailMessage[];
  vanished: number;
  unreadable: number;
  scanned: number;
}
