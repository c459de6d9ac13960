import { z } from 'zod';
import { folderRoleFromGraphWellKnownName } from '../../folderRoles';
import type { MailMessage } from '../../MailMessage';
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
import type { SingleFlight } from '../../sync/SingleFlight';
import { SyncPassTally } from '../../sync/SyncPassTally';
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
 * Where a folder's delta stands: `delta` is the stored deltaLink of a finished round; `next`
 * is the nextLink of a round that stopped after a delivered page (resumed as is).
 */
export const GraphSyncCursor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('delta'), link: z.string() }),
  z.object({ kind: z.literal('next'), link: z.string(), mode: z.enum(['initial', 'rescan', 'incremental']) }),
]);
export type GraphSyncCursor = z.infer<typeof GraphSyncCursor>;

export interface GraphSentSyncOptions {
  mailboxId: string;
  mailboxAddress: string;
  client: Pick<GraphClient, 'startDelta' | 'followDeltaLink'>;
  cursors: CursorStore<GraphSyncCursor>;
  sink: MailSink;
  /** sentitems (default) or inbox for "auto-log received mail". */
  folder?: GraphWellKnownFolder;
  /** Historical import window in days (0 / 30 / 60 / 90). */
  importWindowDays: number;
  /** `Prefer: odata.maxpagesize`; also the sink page size. */
  pageSize?: number;
  onProgress?: (progress: SyncProgress) => void;
  now?: () => number;
  flights?: SingleFlight<SyncPassResult>;
}

/** Cursor store key: the sent cursor under the mailbox id, others suffixed with the folder. */
export function graphCursorKey(mailboxId: string, folder: GraphWellKnownFolder): string {
  return folder === 'sentitems' ? mailboxId : `${mailboxId}:${folder}`;
}

// Restarting is the answer to an expired state; a state that expires again at once is a
// server problem, and looping would burn the mailbox's request budget.
const MAX_RESTARTS_PER_PASS = 2;

/**
 * One sync pass of one Microsoft 365 mailbox's Sent Items (or Inbox) through a Graph delta
 * query: the first round is limited to the import window with `receivedDateTime ge`, later
 * rounds follow the stored deltaLink; an expired state (410) starts a new round over the
 * window. Each page is handed to the sink, and the next/delta link is stored only after the
 * sink resolved.
 */
export class GraphSentSync {
  private readonly folder: GraphWellKnownFolder;
  private readonly cursorKey: string;
  private readonly pageSize: number;
  private readonly now: () => number;
  private tally: SyncPassTally;

  constructor(private readonly options: GraphSentSyncOptions) {
    this.folder = options.folder ?? 'sentitems';
    this.cursorKey = graphCursorKey(options.mailboxId, this.folder);
    this.pageSize = Math.min(1000, Math.max(1, options.pageSize ?? 50));
    this.now = options.now ?? Date.now;
    this.tally = new SyncPassTally(options);
  }

  run(): Promise<SyncPassResult> {
    return (this.options.flights ?? mailboxSyncFlights).run(`outlook:${this.cursorKey}`, () => this.pass());
  }

  private async pass(): Promise<SyncPassResult> {
    this.tally = new SyncPassTally(this.options);
    const cursor = await readCursor(this.options.cursors, this.cursorKey, GraphSyncCursor);
    let mode: SyncMode = cursor === null ? 'initial' : cursor.kind === 'delta' ? 'incremental' : cursor.mode;
    let restarts = 0;
    let page: GraphDeltaPage;
    const startRound = (roundMode: 'initial' | 'rescan') =>
      this.options.client
        .startDelta({
          folder: this.folder,
          select: this.select(),
          receivedSince: new Date(importWindowStart(this.options.importWindowDays, this.now())),
          maxPageSize: this.pageSize,
        })
        .then((p) => {
          mode = roundMode;
          return p;
        });
    const follow = async (link: string): Promise<GraphDeltaPage> => {
      try {
        return await this.options.client.followDeltaLink(link, this.pageSize);
      } catch (error) {
        if (!(error instanceof GraphSyncStateExpiredError) || restarts >= MAX_RESTARTS_PER_PASS) throw error;
        restarts++;
        // The registry downstream drops what the previous round already delivered.
        return startRound('rescan');
      }
    };
    page = cursor === null ? await startRound('initial') : await follow(cursor.link);
    for (;;) {
      await this.handOff(page);
      const next = page['@odata.nextLink'];
      const delta = page['@odata.deltaLink'];
      if (next !== undefined) {
        await this.options.cursors.set(this.cursorKey, {
          kind: 'next',
          link: next,
          mode,
        });
        page = await follow(next);
        continue;
      }
      if (delta === undefined) throw new Error('Graph delta page has neither a nextLink nor a deltaLink');
      await this.options.cursors.set(this.cursorKey, { kind: 'delta', link: delta });
      return this.tally.result(this.options.mailboxId, mode);
    }
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
