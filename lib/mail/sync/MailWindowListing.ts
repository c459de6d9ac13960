import type { MailMessage } from '../MailMessage';

/** A span of time, epoch milliseconds, `from` included and `to` excluded. */
export interface MailWindow {
  from: number;
  to: number;
}

export interface MailWindowProgress {
  /** Provider items looked at so far. */
  scanned: number;
  /** The provider's estimate of the items in the window, when it gives one. */
  total: number | null;
}

export interface MailWindowListingOptions {
  /** The mailbox's own address (direction and "who am I" for mapping, as in the sync). */
  mailboxAddress: string;
  onProgress?: (progress: MailWindowProgress) => void;
  /** Messages per provider page (and per yielded page). */
  pageSize?: number;
}

/**
 * The messages of one folder dated inside a window, mapped exactly as the sync maps them
 * (same fields requested, same mapper), a page at a time and without side effects: what the
 * sync audit compares with the CRM. Pages come newest first; a message deleted between
 * listing and fetching is left out.
 */
export type MailWindowListing = AsyncIterable<MailMessage[]>;
