import { z } from 'zod';
import {
  type CursorStore,
  importWindowStart,
  type MailSink,
  mailboxSyncFlights,
  readCursor,
  type SyncMode,
  type SyncPassResult,
  type SyncProgress,
} from '../../sync/MailboxSync';
import { mapWithConcurrency } from '../../sync/mapWithConcurrency';
import { ProviderRequestError } from '../../sync/ProviderRequestError';
import type { SingleFlight } from '../../sync/SingleFlight';
import { SyncPassTally } from '../../sync/SyncPassTally';
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

export interface GmailSentSyncOptions {
  /** Key for cursors and the single-flight guard (the extension's mailbox id). */
  mailboxId: string;
  /** The mailbox's own address (lower-cased into `MailMessage.mailbox`). */
  mailboxAddress: string;
  client: Pick<GmailApiClient, 'getProfile' | 'listMessages' | 'listHistory' | 'getMessageMetadata'>;
  cursors: CursorStore<GmailSyncCursor>;
  sink: MailSink;
  /** SENT (default) or INBOX for the optional "auto-log received mail". */
  labelId?: GmailSyncLabel;
  /** Historical import window in days (settings: 0 / 30 / 60 / 90). */
  importWindowDays: number;
  /**
   * Whether the token may use `q` (gmail.readonly). Tokens with only gmail.metadata get a
   * 403 for any `q`, so the window scan then lists the label newest-first and stops at the
   * first page that reaches past the window.
   */
  searchQuerySupported?: boolean;
  /** Messages per list page and per sink page (Gmail allows up to 500). */
  pageSize?: number;
  /** messages.get calls in flight; the quota limiter decides the actual rate. */
  concurrency?: number;
  onProgress?: (progress: SyncProgress) => void;
  now?: () => number;
  flights?: SingleFlight<SyncPassResult>;
}

/** Cursor store key for a label: the sent cursor under the mailbox id, others suffixed. */
export function gmailCursorKey(mailboxId: string, labelId: GmailSyncLabel): string {
  return labelId === 'SENT' ? mailboxId : `${mailboxId}:${labelId}`;
}

/**
 * One sync pass of one Gmail mailbox's sent (or inbox) label: history.list from the stored
 * history id, or a window scan with messages.list on the first run and when the history id
 * has expired. Messages are fetched with format=metadata (only the headers we need) in
 * parallel within the quota, mapped, handed to the sink a page at a time, and the cursor
 * moves only after the sink has resolved for everything before it.
 */
export class GmailSentSync {
  private readonly labelId: GmailSyncLabel;
  private readonly cursorKey: string;
  private readonly pageSize: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private tally: SyncPassTally;

  constructor(private readonly options: GmailSentSyncOptions) {
    this.labelId = options.labelId ?? 'SENT';
    this.cursorKey = gmailCursorKey(options.mailboxId, this.labelId);
    this.pageSize = Math.min(500, Math.max(1, options.pageSize ?? 100));
    this.concurrency = options.concurrency ?? 10;
    this.now = options.now ?? Date.now;
    this.tally = new SyncPassTally(options);
  }

  /** Runs one pass, or joins the pass already running for this mailbox and label. */
  run(): Promise<SyncPassResult> {
    return (this.options.flights ?? mailboxSyncFlights).run(`gmail:${this.cursorKey}`, () => this.pass());
  }

  private async pass(): Promise<SyncPassResult> {
    this.tally = new SyncPassTally(this.options);
    const cursor = await readCursor(this.options.cursors, this.cursorKey, GmailSyncCursor);
    let mode: SyncMode;
    if (cursor?.kind === 'history') {
      try {
        await this.syncHistory(cursor.historyId);
        mode = 'incremental';
      } catch (error) {
        if (!(error instanceof GmailHistoryExpiredError)) throw error;
        // Gmail keeps history for about a week; older ids get 404. Re-scan the window; the
        // Message-ID registry downstream drops what was already logged.
        await this.scanWindow(await this.startScan('rescan'));
        mode = 'rescan';
      }
    } else if (cursor?.kind === 'scan') {
      await this.scanWindow(cursor);
      mode = cursor.mode;
    } else {
      await this.scanWindow(await this.startScan('initial'));
      mode = 'initial';
    }
    return this.tally.result(this.options.mailboxId, mode);
  }

  private async startScan(mode: 'initial' | 'rescan'): Promise<GmailSyncCursor & { kind: 'scan' }> {
    const profile = await this.options.client.getProfile();
    const cursor = {
      kind: 'scan' as const,
      mode,
      historyIdAtStart: profile.historyId,
      windowStart: importWindowStart(this.options.importWindowDays, this.now()),
      pageToken: null,
    };
    await this.options.cursors.set(this.cursorKey, cursor);
    return cursor;
  }

  private async scanWindow(start: GmailSyncCursor & { kind: 'scan' }): Promise<void> {
    const useQuery = this.options.searchQuerySupported ?? true;
    const afterSeconds = Math.floor(start.windowStart / 1000);
    let cursor = start;
    for (;;) {
      let list: Awaited<ReturnType<GmailSentSyncOptions['client']['listMessages']>>;
      try {
        list = await this.options.client.listMessages({
          labelIds: [this.labelId],
          ...(useQuery ? { q: `after:${afterSeconds}` } : {}),
          maxResults: this.pageSize,
          ...(cursor.pageToken !== null ? { pageToken: cursor.pageToken } : {}),
        });
      } catch (error) {
        // A saved page token can outlive Gmail's memory of it (400): start the scan over.
        if (cursor.pageToken !== null && error instanceof ProviderRequestError && error.status === 400) {
          cursor = await this.startScan(cursor.mode);
          continue;
        }
        throw error;
      }
      if (cursor.pageToken === null && useQuery && list.resultSizeEstimate !== undefined) {
        this.tally.progress.total = list.resultSizeEstimate;
      }
      const fetched = await this.fetchAll(list.messages ?? []);
      const inWindow = fetched.filter((m) => Number(m.internalDate) >= cursor.windowStart);
      await this.tally.handOff(inWindow.map((m) => mapGmailMessage(m, this.options.mailboxAddress)));
      // messages.list is newest first: without `q`, a page reaching past the window ends it.
      const last = fetched.at(-1);
      const reachedPastWindow =
        !useQuery && last !== undefined && Number(last.internalDate) < cursor.windowStart;
      if (list.nextPageToken !== undefined && !reachedPastWindow) {
        cursor = { ...cursor, pageToken: list.nextPageToken };
        await this.options.cursors.set(this.cursorKey, cursor);
        continue;
      }
      await this.options.cursors.set(this.cursorKey, { kind: 'history', historyId: cursor.historyIdAtStart });
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
        await this.options.cursors.set(this.cursorKey, { kind: 'history', historyId: page.historyId });
        return;
      }
      // Records come in increasing id order, so the last record of a delivered page is a safe
      // restart point if the worker dies before the next page.
      if (lastRecordId !== undefined) {
        await this.options.cursors.set(this.cursorKey, { kind: 'history', historyId: lastRecordId });
      }
    }
  }

  private async fetchAll(refs: readonly GmailMessageRef[]): Promise<GmailMessage[]> {
    const fetched = await mapWithConcurrency(refs, this.concurrency, async (ref) => {
      try {
        const message = await this.options.client.getMessageMetadata(ref.id, GMAIL_METADATA_HEADERS);
        // Deleted between listing and fetching: nothing to log.
        if (message === null) this.tally.counts.vanished++;
        return message;
      } catch (error) {
        if (error instanceof z.ZodError) {
          // One malformed payload must not stall the mailbox forever; it is counted instead.
          this.tally.counts.unreadable++;
          return null;
        }
        throw error;
      }
    });
    this.tally.progress.scanned += refs.length;
    return fetched.filter((m): m is GmailMessage => m !== null);
  }
}
