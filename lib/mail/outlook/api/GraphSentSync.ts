import { z } from 'zod';
import { folderRoleFromGraphWellKnownName } from '../../folderRoles';
import type { MailMessage } from '../../MailMessage';
import type { CursorStore } from '../../sync/MailboxSync';
import { MailboxSyncEngine, type MailboxSyncEngineOptions } from '../../sync/MailboxSyncEngine';
import {
  GRAPH_MESSAGE_SELECT,
  type GraphClient,
  type GraphDeltaPage,
  GraphSyncStateExpiredError,
  type GraphWellKnownFolder,
  isGraphRemovedItem,
} from './GraphClient';
import { mapGraphMessage } from './mapGraphMessage';

/**
 * Where a folder's sync stands: `delta` is the stored deltaLink of a finished round, or the
 * nextLink of an incremental round that stopped after a delivered page; `scan` is the
 * historical import of the window, resumed from `link` (null: not started).
 */
export const GraphSyncCursor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('delta'), link: z.string() }),
  z.object({
    kind: z.literal('scan'),
    mode: z.enum(['initial', 'rescan']),
    windowStart: z.number(),
    link: z.string().nullable(),
  }),
]);
export type GraphSyncCursor = z.infer<typeof GraphSyncCursor>;
type GraphScanCursor = GraphSyncCursor & { kind: 'scan' };

export interface GraphSentSyncOptions extends MailboxSyncEngineOptions {
  client: Pick<GraphClient, 'startDelta' | 'followDeltaLink'>;
  cursors: CursorStore<GraphSyncCursor>;
  /** sentitems (default) or inbox for "auto-log received mail". */
  folder?: GraphWellKnownFolder;
  /** `Prefer: odata.maxpagesize`; also the sink page size. */
  pageSize?: number;
}

/** Cursor store key: the sent cursor under the mailbox id, others suffixed with the folder. */
export function graphCursorKey(mailboxId: string, folder: GraphWellKnownFolder): string {
  return folder === 'sentitems' ? mailboxId : `${mailboxId}:${folder}`;
}

/**
 * One sync pass of one Microsoft 365 mailbox's Sent Items (or Inbox), on the shared pass
 * skeleton: the import of the window, then rounds that follow the stored deltaLink; an
 * expired state (410) begins a re-scan of the window. Each page is handed to the sink, and
 * the next cursor is stored only after the sink resolved.
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
    const cursor: GraphScanCursor = { kind: 'scan', mode, windowStart: this.windowStart(), link: null };
    await this.saveCursor(cursor);
    return cursor;
  }

  protected async importWindow(cursor: GraphScanCursor): Promise<void> {
    let page =
      cursor.link === null
        ? await this.options.client.startDelta({
            folder: this.folder,
            select: this.select(),
            receivedSince: new Date(cursor.windowStart),
            maxPageSize: this.pageSize,
          })
        : await this.options.client.followDeltaLink(cursor.link, this.pageSize);
    for (;;) {
      await this.handOff(page);
      const next = page['@odata.nextLink'];
      if (next === undefined) return this.finishRound(page);
      await this.saveCursor({ ...cursor, link: next });
      page = await this.options.client.followDeltaLink(next, this.pageSize);
    }
  }

  protected async followChanges(cursor: GraphSyncCursor & { kind: 'delta' }): Promise<void> {
    let page = await this.options.client.followDeltaLink(cursor.link, this.pageSize);
    for (;;) {
      await this.handOff(page);
      const next = page['@odata.nextLink'];
      if (next === undefined) return this.finishRound(page);
      await this.saveCursor({ kind: 'delta', link: next });
      page = await this.options.client.followDeltaLink(next, this.pageSize);
    }
  }

  private async finishRound(page: GraphDeltaPage): Promise<void> {
    const delta = page['@odata.deltaLink'];
    if (delta === undefined) throw new Error('Graph delta page has neither a nextLink nor a deltaLink');
    await this.saveCursor({ kind: 'delta', link: delta });
  }

  private select(): string[] {
    // Sent Items carry no transport headers; received mail needs them for automated-mail detection.
    return this.folder === 'inbox'
      ? [...GRAPH_MESSAGE_SELECT, 'internetMessageHeaders']
      : [...GRAPH_MESSAGE_SELECT];
  }

  private async handOff(page: GraphDeltaPage): Promise<void> {
    const role = folderRoleFromGraphWellKnownName(this.folder);
    const messages: MailMessage[] = [];
    for (const item of page.value) {
      this.tally.progress.scanned++;
      if (isGraphRemovedItem(item)) {
        this.tally.counts.vanished++;
        continue;
      }
      messages.push(mapGraphMessage(item, this.options.mailboxAddress, role));
    }
    await this.tally.handOff(messages);
  }
}
