import type { z } from 'zod';
import type { SingleFlight } from '../../async/SingleFlight';
import type { MailProvider } from '../MailMessage';
import {
  type CursorStore,
  importWindowStart,
  type MailSink,
  mailboxSyncFlights,
  readCursor,
  type SyncMode,
  type SyncPassResult,
  type SyncProgress,
} from './MailboxSync';
import { SyncPassTally } from './SyncPassTally';

/** A historical import of the window that stopped after a delivered page; resumed as is. */
export interface WindowScanCursor {
  kind: 'scan';
  mode: 'initial' | 'rescan';
  /** Epoch ms: the oldest message the import takes. */
  windowStart: number;
}

/** What every engine is built with, besides its provider client. */
export interface MailboxSyncEngineOptions {
  /** Key for cursors and the single-flight guard (the extension's mailbox id). */
  mailboxId: string;
  /** The mailbox's own address (lower-cased into `MailMessage.mailbox`). */
  mailboxAddress: string;
  sink: MailSink;
  /** Historical import window in days (settings: 0 / 30 / 60 / 90). */
  importWindowDays: number;
  onProgress?: (progress: SyncProgress) => void;
  now?: () => number;
  flights?: SingleFlight<SyncPassResult>;
}

/**
 * The one pass skeleton both sync engines share (Gmail history, Graph delta). A pass reads
 * the folder's cursor and then:
 * - no cursor: begins the historical import of the window (`beginWindow('initial')`), which
 *   first fixes the point incremental sync will start from, then pages the window;
 * - a `scan` cursor: resumes that import where its last delivered page ended;
 * - any other cursor: follows the provider's changes from it; when the provider says the
 *   cursor has expired, begins a bounded re-scan of the window (`'rescan'`), whose
 *   duplicates the Message-ID registry downstream drops.
 * One pass per mailbox and folder at a time; the engine stores a cursor only after the
 * sink resolved for everything before it.
 */
export abstract class MailboxSyncEngine<
  TCursor extends { kind: string },
  TScan extends TCursor & WindowScanCursor,
> {
  protected tally: SyncPassTally;
  protected readonly now: () => number;

  protected constructor(
    protected readonly engine: MailboxSyncEngineOptions & {
      provider: MailProvider;
      cursorKey: string;
      cursors: CursorStore<TCursor>;
      cursorSchema: z.ZodType<TCursor>;
    },
  ) {
    this.now = engine.now ?? Date.now;
    this.tally = new SyncPassTally(engine);
  }

  /** Runs one pass, or joins the pass already running for this mailbox and folder. */
  run(): Promise<SyncPassResult> {
    const { provider, cursorKey } = this.engine;
    return (this.engine.flights ?? mailboxSyncFlights).run(`${provider}:${cursorKey}`, () => this.pass());
  }

  private async pass(): Promise<SyncPassResult> {
    this.tally = new SyncPassTally(this.engine);
    const cursor = await readCursor(this.engine.cursors, this.engine.cursorKey, this.engine.cursorSchema);
    let mode: SyncMode;
    if (cursor === null) {
      await this.importWindow(await this.beginWindow('initial'));
      mode = 'initial';
    } else if (isScanCursor<TScan>(cursor)) {
      await this.importWindow(cursor);
      mode = cursor.mode;
    } else {
      try {
        await this.followChanges(cursor as Exclude<TCursor, TScan>);
        mode = 'incremental';
      } catch (error) {
        if (!this.isExpiredCursor(error)) throw error;
        await this.importWindow(await this.beginWindow('rescan'));
        mode = 'rescan';
      }
    }
    return this.tally.result(this.engine.mailboxId, mode);
  }

  protected saveCursor(cursor: TCursor): Promise<void> {
    return this.engine.cursors.set(this.engine.cursorKey, cursor);
  }

  /** Start of the import window for this pass. */
  protected windowStart(): number {
    return importWindowStart(this.engine.importWindowDays, this.now());
  }

  /**
   * Fixes where incremental sync will continue after the import (Gmail's history id, Graph's
   * delta started now), stores the `scan` cursor and returns it.
   */
  protected abstract beginWindow(mode: 'initial' | 'rescan'): Promise<TScan>;
  /** Pages the window from `cursor`; ends by storing the incremental cursor. */
  protected abstract importWindow(cursor: TScan): Promise<void>;
  /** Delivers everything that changed since `cursor`, storing cursors as it goes. */
  protected abstract followChanges(cursor: Exclude<TCursor, TScan>): Promise<void>;
  /** The provider no longer knows the cursor (Gmail 404 history, Graph 410 sync state). */
  protected abstract isExpiredCursor(error: unknown): boolean;
}

function isScanCursor<TScan extends WindowScanCursor>(cursor: { kind: string }): cursor is TScan {
  return cursor.kind === 'scan';
}
