import { z } from 'zod';
import { ExtensionError } from '../../../errors/ErrorInfo';
import { folderRoleFromGraphWellKnownName } from '../../folderRoles';
import type { MailMessage } from '../../MailMessage';
import type { CursorStore } from '../../sync/MailboxSync';
import { MailboxSyncEngine, type MailboxSyncEngineOptions } from '../../sync/MailboxSyncEngine';
import {
  GRAPH_MESSAGE_SELECT,
  type GraphClient,
  type GraphDeltaPage,
  type GraphMessage,
  GraphSyncStateExpiredError,
  type GraphWellKnownFolder,
  isGraphRemovedItem,
} from './GraphClient';
import { mapGraphMessage } from './mapGraphMessage';

/**
 * Where a folder's sync stands. `delta`: the stored deltaLink of a finished round, or the
 * nextLink of a round that stopped after a delivered page. `scan`: the historical import of
 * [windowStart, windowEnd] through the message list, newest first, resumed below `upper`
 * (the ids in `seenAtUpper` were delivered at exactly that instant); `deltaLink` is the
 * delta for new mail, started at windowEnd, that takes over when the import is done.
 */
export const GraphSyncCursor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('delta'), link: z.string() }),
  z.object({
    kind: z.literal('scan'),
    mode: z.enum(['initial', 'rescan']),
    windowStart: z.number(),
    windowEnd: z.number(),
    deltaLink: z.string(),
    upper: z.number(),
    seenAtUpper: z.array(z.string()),
  }),
]);
export type GraphSyncCursor = z.infer<typeof GraphSyncCursor>;
type GraphScanCursor = GraphSyncCursor & { kind: 'scan' };

export interface GraphSentSyncOptions extends MailboxSyncEngineOptions {
  client: Pick<GraphClient, 'startDelta' | 'followDeltaLink' | 'listMessages'>;
  cursors: CursorStore<GraphSyncCursor>;
  /** sentitems (default) or inbox for "auto-log received mail". */
  folder?: GraphWellKnownFolder;
  /** `$top` of the import and `Prefer: odata.maxpagesize` of delta; also the sink page size. */
  pageSize?: number;
  /**
   * Which messages are this rep's to log (a shared mailbox keeps what sharedMailboxCredit
   * does not give to a colleague); the others are counted as ignored. Default: all.
   */
  accept?: (message: GraphMessage) => boolean;
}

/** Cursor store key: the sent cursor under the mailbox id, others suffixed with the folder. */
export function graphCursorKey(mailboxId: string, folder: GraphWellKnownFolder): string {
  return folder === 'sentitems' ? mailboxId : `${mailboxId}:${folder}`;
}

/**
 * One sync pass of one Microsoft 365 mailbox's Sent Items (or Inbox), on the shared pass
 * skeleton. The window is never imported through a filtered delta: a delta with `$filter`
 * returns at most 5,000 messages in no guaranteed order
 * (learn.microsoft.com/graph/api/message-delta), so a 90-day window could be cut without a
 * word. Instead the delta for new mail starts at connect time (`receivedDateTime ge now`,
 * `changeType=created`), and the window before it is paged from the message list, newest
 * first, by a keyset on receivedDateTime that deletions cannot shift. Delta rows that are
 * not messages are counted: `@removed` as removed, update rows (only the changed
 * properties) as ignored. An expired state (410, or a nested syncStateNotFound /
 * resyncRequired) begins a re-scan of the window.
 */
export class GraphSentSync extends MailboxSyncEngine<GraphSyncCursor, GraphScanCursor> {
  private readonly folder: GraphWellKnownFolder;
  private readonly pageSize: number;

  constructor(private readonly options: GraphSentSyncOptions) {
    const folder = options.folder ?? 'sentitems';
    super({
      ...options,
      provider: 'outlook',
      cursorKey: graphCursorKey(options.mailboxId, folder),
      cursorSchema: GraphSyncCursor,
    });
    this.folder = folder;
    this.pageSize = Math.min(1000, Math.max(1, options.pageSize ?? 50));
  }

  protected isExpiredCursor(error: unknown): boolean {
    return error instanceof GraphSyncStateExpiredError;
  }

  protected async beginWindow(mode: 'initial' | 'rescan'): Promise<GraphScanCursor> {
    const windowEnd = this.now();
    // The delta for new mail, started now: its first round holds only what arrived since.
    // Graph keeps receivedDateTime to the second, and mail lands with some delay, so the
    // delta starts a minute before the window ends; the overlap is delivered twice at most,
    // and the Message-ID registry downstream drops the second copy.
    let page = await this.options.client.startDelta({
      folder: this.folder,
      select: this.select(),
      receivedSince: new Date(Math.floor(windowEnd / 1000) * 1000 - 60_000),
      changeType: 'created',
      maxPageSize: this.pageSize,
    });
    for (;;) {
      await this.handOffDelta(page);
      const next = page['@odata.nextLink'];
      if (next === undefined) break;
      page = await this.options.client.followDeltaLink(next, this.pageSize);
    }
    const deltaLink = page['@odata.deltaLink'];
    if (deltaLink === undefined) throw incompleteDeltaPage();
    const cursor: GraphScanCursor = {
      kind: 'scan',
      mode,
      windowStart: this.windowStart(),
      windowEnd,
      deltaLink,
      upper: windowEnd,
      seenAtUpper: [],
    };
    await this.saveCursor(cursor);
    return cursor;
  }

  protected async importWindow(start: GraphScanCursor): Promise<void> {
    const role = folderRoleFromGraphWellKnownName(this.folder);
    let cursor = start;
    for (;;) {
      // Ask for enough to get a full page past the ids already delivered at `upper`.
      const top = Math.min(1000, this.pageSize + cursor.seenAtUpper.length);
      const page = await this.options.client.listMessages({
        folder: this.folder,
        select: this.select(),
        receivedFrom: new Date(cursor.windowStart),
        receivedThrough: new Date(cursor.upper),
        top,
      });
      const seen = new Set(cursor.seenAtUpper);
      const fresh = page.value.filter((m) => !seen.has(m.id));
      this.tally.progress.scanned += fresh.length;
      const accepted = fresh.filter((m) => this.accepts(m));
      await this.tally.handOff(accepted.map((m) => mapGraphMessage(m, this.options.mailboxAddress, role)));
      const oldest = page.value.at(-1);
      const oldestAt = oldest ? Date.parse(oldest.receivedDateTime ?? '') : Number.NaN;
      if (page.value.length < top || fresh.length === 0 || Number.isNaN(oldestAt)) {
        await this.saveCursor({ kind: 'delta', link: cursor.deltaLink });
        return;
      }
      const atOldest = page.value
        .filter((m) => Date.parse(m.receivedDateTime ?? '') === oldestAt)
        .map((m) => m.id);
      cursor = {
        ...cursor,
        upper: oldestAt,
        seenAtUpper:
          oldestAt === cursor.upper ? [...new Set([...cursor.seenAtUpper, ...atOldest])] : atOldest,
      };
      await this.saveCursor(cursor);
    }
  }

  protected async followChanges(cursor: GraphSyncCursor & { kind: 'delta' }): Promise<void> {
    let page = await this.options.client.followDeltaLink(cursor.link, this.pageSize);
    for (;;) {
      await this.handOffDelta(page);
      const next = page['@odata.nextLink'];
      if (next === undefined) break;
      await this.saveCursor({ kind: 'delta', link: next });
      page = await this.options.client.followDeltaLink(next, this.pageSize);
    }
    const delta = page['@odata.deltaLink'];
    if (delta === undefined) throw incompleteDeltaPage();
    await this.saveCursor({ kind: 'delta', link: delta });
  }

  /** False (and counted as ignored) for a message that is not this rep's to log. */
  private accepts(message: GraphMessage): boolean {
    if (this.options.accept === undefined || this.options.accept(message)) return true;
    this.tally.counts.ignored++;
    return false;
  }

  private select(): string[] {
    // Sent Items carry no transport headers; received mail needs them for automated-mail detection.
    return this.folder === 'inbox'
      ? [...GRAPH_MESSAGE_SELECT, 'internetMessageHeaders']
      : [...GRAPH_MESSAGE_SELECT];
  }

  private async handOffDelta(page: GraphDeltaPage): Promise<void> {
    const role = folderRoleFromGraphWellKnownName(this.folder);
    const messages: MailMessage[] = [];
    for (const item of page.value) {
      this.tally.progress.scanned++;
      if (isGraphRemovedItem(item)) {
        this.tally.counts.removed++;
        continue;
      }
      // An update row carries only what changed (id, isRead, parentFolderId ...): it is no
      // message to log, and mapping it would invent one (no sender, dated 1970).
      if (item.receivedDateTime === undefined && item.sentDateTime === undefined) {
        this.tally.counts.ignored++;
        continue;
      }
      if (!this.accepts(item)) continue;
      messages.push(mapGraphMessage(item, this.options.mailboxAddress, role));
    }
    await this.tally.handOff(messages);
  }
}

/** Graph documents that a delta page ends with @odata.nextLink or @odata.deltaLink (learn.microsoft.com/graph/delta-query-overview). */
function incompleteDeltaPage(): ExtensionError<'invalid_response'> {
  return new ExtensionError('invalid_response', 'Graph delta page has neither a nextLink nor a deltaLink', {
    source: 'outlook',
    code: 'graph_delta_incomplete',
  });
}
