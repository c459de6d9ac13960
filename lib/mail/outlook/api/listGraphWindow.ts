import { folderRoleFromGraphWellKnownName } from '../../folderRoles';
import type { MailMessage } from '../../MailMessage';
import type { SyncFolder } from '../../sync/MailboxProvider';
import type { MailWindow, MailWindowListingOptions } from '../../sync/MailWindowListing';
import { GRAPH_MESSAGE_SELECT, type GraphClient } from './GraphClient';
import { mapGraphMessage } from './mapGraphMessage';

/**
 * A well-known folder's messages inside a window through the message list
 * (learn.microsoft.com/graph/api/user-list-messages): `$filter` on receivedDateTime with the
 * same `$orderby` first, `$select` of the sync's fields (internetMessageId among them), one
 * request at a time (Graph allows four concurrent requests per mailbox,
 * learn.microsoft.com/graph/throttling-limits#outlook-service-limits). Pages are read by a
 * keyset on receivedDateTime, as the sync's import does, so a deletion during the audit cannot
 * shift a page. In Sent Items receivedDateTime is when the sent copy was stored, the send time.
 */
export async function* listGraphWindow(
  client: Pick<GraphClient, 'listMessages'>,
  folder: SyncFolder,
  window: MailWindow,
  options: MailWindowListingOptions,
): AsyncGenerator<MailMessage[]> {
  const wellKnown = folder === 'sent' ? 'sentitems' : 'inbox';
  const role = folderRoleFromGraphWellKnownName(wellKnown);
  // Sent Items carry no transport headers; received mail needs them for automated-mail detection.
  const select =
    folder === 'inbox' ? [...GRAPH_MESSAGE_SELECT, 'internetMessageHeaders'] : [...GRAPH_MESSAGE_SELECT];
  const pageSize = Math.min(1000, Math.max(1, options.pageSize ?? 100));
  // `to` is excluded; Graph's `le` is inclusive and keeps milliseconds.
  let upper = window.to - 1;
  let seenAtUpper = new Set<string>();
  let scanned = 0;
  for (;;) {
    const top = Math.min(1000, pageSize + seenAtUpper.size);
    const page = await client.listMessages({
      folder: wellKnown,
      select,
      receivedFrom: new Date(window.from),
      receivedThrough: new Date(upper),
      top,
    });
    const fresh = page.value.filter((m) => !seenAtUpper.has(m.id));
    scanned += fresh.length;
    options.onProgress?.({ scanned, total: null });
    if (fresh.length > 0) yield fresh.map((m) => mapGraphMessage(m, options.mailboxAddress, role));
    const oldest = page.value.at(-1);
    const oldestAt = oldest ? Date.parse(oldest.receivedDateTime ?? '') : Number.NaN;
    if (page.value.length < top || fresh.length === 0 || Number.isNaN(oldestAt)) return;
    const atOldest = page.value
      .filter((m) => Date.parse(m.receivedDateTime ?? '') === oldestAt)
      .map((m) => m.id);
    seenAtUpper = oldestAt === upper ? new Set([...seenAtUpper, ...atOldest]) : new Set(atOldest);
    upper = oldestAt;
  }
}
