import { folderRoleFromGraphWellKnownName } from '../../folderRoles';
import type { FolderRole } from '../../MailMessage';

export interface OutlookLocation {
  /** The item or conversation id from the URL (REST-format, URL-decoded), or null. */
  itemId: string | null;
  /** Graph well-known folder name from the path (`inbox`, `sentitems`...), or null. */
  folder: string | null;
  folderRole: FolderRole;
  /** `/mail/0/` style account index on outlook.live.com (null when absent). */
  accountIndex: number | null;
  /** The deeplink read view (`/mail/deeplink/read/<item id>`): the id names one message. */
  deeplink: boolean;
}

// The URL folder segments Outlook on the web uses, mapped to Graph well-known names.
const URL_FOLDERS: Record<string, string> = {
  inbox: 'inbox',
  sentitems: 'sentitems',
  drafts: 'drafts',
  junkemail: 'junkemail',
  deleteditems: 'deleteditems',
  archive: 'archive',
};

/**
 * Reads the open item from an Outlook on the web URL. Deep links look like
 * `/mail/inbox/id/AAQk...`, `/mail/0/sentitems/id/...` (consumer accounts),
 * `/mail/id/...` and `/mail/deeplink/read/...`; ids are URL-encoded REST ids.
 */
export function parseOutlookUrl(href: string): OutlookLocation {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return { itemId: null, folder: null, folderRole: 'other', accountIndex: null, deeplink: false };
  }
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments[0] !== 'mail')
    return { itemId: null, folder: null, folderRole: 'other', accountIndex: null, deeplink: false };
  let i = 1;
  let accountIndex: number | null = null;
  if (segments[i] !== undefined && /^\d+$/.test(segments[i]!)) {
    accountIndex = Number(segments[i]);
    i++;
  }
  const folderSegment = segments[i]?.toLowerCase();
  const folder = folderSegment ? (URL_FOLDERS[folderSegment] ?? null) : null;
  let itemId: string | null = null;
  const idIndex = segments.indexOf('id', i);
  const readIndex = segments.indexOf('read', i);
  const deeplink = segments[i] === 'deeplink';
  // The deeplink route may carry the id as ?ItemID= instead of a path segment
  // (tests/fixtures/outlook/SOURCES.md S9).
  const raw =
    (idIndex >= 0 ? segments[idIndex + 1] : readIndex >= 0 ? segments[readIndex + 1] : undefined) ??
    (deeplink ? (url.searchParams.get('ItemID') ?? undefined) : undefined);
  if (raw) {
    try {
      itemId = decodeURIComponent(raw);
    } catch {
      itemId = raw;
    }
  }
  return { itemId, folder, folderRole: folderRoleFromGraphWellKnownName(folder), accountIndex, deeplink };
}
