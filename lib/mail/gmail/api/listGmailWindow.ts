import type { MailMessage } from '../../MailMessage';
import type { SyncFolder } from '../../sync/MailboxProvider';
import type { MailWindow, MailWindowListingOptions } from '../../sync/MailWindowListing';
import type { GmailApiClient, GmailMessage } from './GmailApiClient';
import { GMAIL_METADATA_HEADERS, mapGmailMessage } from './mapGmailMessage';

export interface GmailWindowListingOptions extends MailWindowListingOptions {
  /** Batch requests in flight; the client's quota limiter sets the actual rate. */
  concurrency?: number;
}

/**
 * A Gmail label's messages inside a window: users.messages.list with `labelIds` and
 * `q=after:<s> before:<s>` (epoch seconds, developers.google.com/gmail/api/guides/filtering),
 * up to 500 ids per page (users.messages/list, "maxResults ... maximum allowed value for this
 * field is 500"), then users.messages.get format=metadata with the sync's headers for each id,
 * through the batch endpoint as the sync does (`getMessagesMetadata`; the Message-ID comes
 * from the headers, the list answers only ids). Every call takes its units from the client's
 * quota limiter, so the listing shares the mailbox's quota with the sync.
 * Gmail's after:/before: are whole seconds; the query is widened by a second each side and the
 * window applied to `internalDate` here.
 */
export async function* listGmailWindow(
  client: Pick<GmailApiClient, 'listMessages' | 'getMessagesMetadata'>,
  folder: SyncFolder,
  window: MailWindow,
  options: GmailWindowListingOptions,
): AsyncGenerator<MailMessage[]> {
  const labelId = folder === 'sent' ? 'SENT' : 'INBOX';
  const q = `after:${Math.floor(window.from / 1000) - 1} before:${Math.ceil(window.to / 1000) + 1}`;
  const pageSize = Math.min(500, Math.max(1, options.pageSize ?? 500));
  const concurrency = options.concurrency ?? 4;
  let pageToken: string | undefined;
  let scanned = 0;
  let total: number | null = null;
  for (;;) {
    const list = await client.listMessages({
      labelIds: [labelId],
      q,
      maxResults: pageSize,
      ...(pageToken !== undefined ? { pageToken } : {}),
    });
    if (total === null && list.resultSizeEstimate !== undefined) total = list.resultSizeEstimate;
    const refs = list.messages ?? [];
    const results =
      refs.length === 0
        ? new Map()
        : await client.getMessagesMetadata(
            refs.map((r) => r.id),
            GMAIL_METADATA_HEADERS,
            { inFlight: concurrency },
          );
    // Deleted since listed (404) or unreadable (the sync counts those and moves on): left out.
    const fetched = refs.map((r) => {
      const result = results.get(r.id);
      return result?.kind === 'message' ? result.message : null;
    });
    scanned += refs.length;
    options.onProgress?.({ scanned, total: total === null ? null : Math.max(total, scanned) });
    const inWindow = fetched.filter(
      (m): m is GmailMessage =>
        m !== null && Number(m.internalDate) >= window.from && Number(m.internalDate) < window.to,
    );
    if (inWindow.length > 0) yield inWindow.map((m) => mapGmailMessage(m, options.mailboxAddress));
    pageToken = list.nextPageToken;
    if (pageToken === undefined) return;
  }
}
