import type { z } from 'zod';
import { SingleFlight } from '../../async/SingleFlight';
import type { MailMessage } from '../MailMessage';

/**
 * Where a sync engine keeps its position per mailbox (Dexie `syncCursors` in the extension).
 * `set` must be durable when it resolves: the engine only moves on after it.
 */
export interface CursorStore<TCursor> {
  get(mailboxId: string): Promise<TCursor | null>;
  set(mailboxId: string, cursor: TCursor): Promise<void>;
}

/**
 * Receives one page of mapped messages and resolves only when the page is durable (in the
 * outbox / registry). The engine advances its cursor after that, never before, so a
 * service-worker kill at any point re-delivers a page rather than losing it; the
 * Message-ID registry downstream makes a re-delivery harmless.
 */
export type MailSink = (messages: MailMessage[]) => Promise<unknown>;

export interface SyncProgress {
  /** Provider items looked at in this pass (including ones skipped as gone or out of window). */
  scanned: number;
  /** Messages handed to the sink and acknowledged. */
  handedOff: number;
  /** Provider's estimate of the items in this pass, when it gives one. */
  total?: number;
}

export type SyncMode =
  /** Incremental from a stored cursor. */
  | 'incremental'
  /** First run: the historical import window. */
  | 'initial'
  /** The stored cursor had expired (Gmail 404 / Graph 410): bounded re-scan of the window. */
  | 'rescan';

export interface SyncPassResult {
  /** Items whose payload did not match the schema: skipped, never retried forever. */
  unreadable: number;
  mailboxId: string;
  mode: SyncMode;
  scanned: number;
  handedOff: number;
  /** Items listed by the provider that were gone by the time they were fetched. */
  vanished: number;
  /** Items the provider reported as removed from the folder (Graph `@removed`). */
  removed: number;
  /** Change rows that carry no message, only changed properties (a Graph update row). */
  ignored: number;
  /** Pages handed to the sink. */
  pages: number;
}

/** The stored cursor under `key`, or null when there is none or it no longer parses. */
export async function readCursor<TCursor>(
  cursors: CursorStore<TCursor>,
  key: string,
  schema: z.ZodType<TCursor>,
): Promise<TCursor | null> {
  const stored = await cursors.get(key);
  return stored === null ? null : (schema.safeParse(stored).data ?? null);
}

/** Start of the historical import window for `days` before `now` (0 = from now on). */
export function importWindowStart(days: number, now: number): number {
  return now - days * 24 * 60 * 60 * 1000;
}

/**
 * The process-wide guard both sync engines use by default: one pass per mailbox and folder
 * at a time (a second request joins the running pass). Share one API client per mailbox so
 * the sent and inbox passes also share its quota limiter.
 */
export const mailboxSyncFlights = new SingleFlight<SyncPassResult>();
