import type { FolderRole } from './MailMessage';

/**
 * Folder roles from the three ways providers name special folders. When a message carries
 * several (Gmail labels, IMAP flags), the role that forbids logging wins: a draft in the
 * inbox is still a draft, a sent message in the trash is trash.
 */
const PRECEDENCE: readonly FolderRole[] = ['drafts', 'junk', 'trash', 'sent', 'inbox', 'archive', 'other'];

function strongest(roles: Iterable<FolderRole>): FolderRole | null {
  let best: FolderRole | null = null;
  for (const role of roles) {
    if (best === null || PRECEDENCE.indexOf(role) < PRECEDENCE.indexOf(best)) best = role;
  }
  return best;
}

const GMAIL_SYSTEM_LABELS: Record<string, FolderRole> = {
  DRAFT: 'drafts',
  SPAM: 'junk',
  TRASH: 'trash',
  SENT: 'sent',
  INBOX: 'inbox',
};

/**
 * Gmail label ids (`INBOX`, `SENT`, `DRAFT`, `SPAM`, `TRASH`, `CATEGORY_*`, user labels).
 * A message with none of the system folder labels lives only in "All Mail": archived.
 * CATEGORY_* labels are inbox tabs, not folders, so they do not change the role.
 */
export function folderRoleFromGmailLabels(labelIds: readonly string[]): FolderRole {
  const roles: FolderRole[] = [];
  for (const label of labelIds) {
    const role = GMAIL_SYSTEM_LABELS[label.toUpperCase()];
    if (role) roles.push(role);
  }
  return strongest(roles) ?? 'archive';
}

const GRAPH_WELL_KNOWN: Record<string, FolderRole> = {
  inbox: 'inbox',
  sentitems: 'sent',
  drafts: 'drafts',
  // Outbox holds mail not yet sent; it reaches sentitems once sent and is logged there.
  outbox: 'drafts',
  junkemail: 'junk',
  deleteditems: 'trash',
  recoverableitemsdeletions: 'trash',
  archive: 'archive',
};

/** Microsoft Graph well-known folder names (`inbox`, `sentitems`, `junkemail`, ...). */
export function folderRoleFromGraphWellKnownName(name: string | null | undefined): FolderRole {
  if (!name) return 'other';
  return GRAPH_WELL_KNOWN[name.trim().toLowerCase()] ?? 'other';
}

const SPECIAL_USE: Record<string, FolderRole> = {
  '\\inbox': 'inbox',
  '\\sent': 'sent',
  '\\drafts': 'drafts',
  '\\junk': 'junk',
  '\\trash': 'trash',
  '\\archive': 'archive',
  '\\all': 'archive',
};

/**
 * IMAP special-use flags (RFC 6154 plus EmailEngine's `\Inbox`), for a folder or a message
 * (`messageSpecialUse`). Other flags (`\Flagged`, `\Important`, `\HasChildren`) are ignored.
 */
export function folderRoleFromSpecialUse(flags: string | readonly string[] | null | undefined): FolderRole {
  if (!flags) return 'other';
  const list = typeof flags === 'string' ? [flags] : flags;
  const roles: FolderRole[] = [];
  for (const flag of list) {
    const role = SPECIAL_USE[flag.trim().toLowerCase()];
    if (role) roles.push(role);
  }
  return strongest(roles) ?? 'other';
}
