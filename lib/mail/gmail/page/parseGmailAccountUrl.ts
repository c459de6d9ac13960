/**
 * Which signed-in Gmail account a page belongs to. Several accounts share the origin
 * (`/mail/u/0`, `/mail/u/1`, ...), so the account index is part of every same-origin URL
 * the adapter builds and of the links/logs it writes. The mailbox address itself comes
 * from InboxSDK (`User.getEmailAddress()`), never from the index: indexes change when the
 * user signs accounts in and out.
 */
export interface GmailAccountUrl {
  accountIndex: number;
  /** Id of the delegated mailbox (`/mail/b/<id>/u/N`), or null for the user's own. */
  delegatedAccount: string | null;
  /** Path prefix of the account, without trailing slash: `/mail/u/1`, `/mail/b/x/u/0`. */
  basePath: string;
}

const DELEGATED = /^\/mail\/b\/([^/]+)\/u\/(\d+)(?:\/|$)/;
const ACCOUNT = /^\/mail\/u\/(\d+)(?:\/|$)/;

/** The account of a Gmail URL, or null when the URL is not a Gmail mail page. */
export function parseGmailAccountUrl(url: string): GmailAccountUrl | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.hostname !== 'mail.google.com') return null;
  const path = parsed.pathname;
  const delegated = DELEGATED.exec(path);
  if (delegated) {
    const [, id = '', index = '0'] = delegated;
    return { accountIndex: Number(index), delegatedAccount: id, basePath: `/mail/b/${id}/u/${index}` };
  }
  const own = ACCOUNT.exec(path);
  if (own) {
    const index = own[1] ?? '0';
    return { accountIndex: Number(index), delegatedAccount: null, basePath: `/mail/u/${index}` };
  }
  // `/mail/` with no account segment is how Gmail serves the only (first) account.
  if (path === '/mail' || path.startsWith('/mail/')) {
    return { accountIndex: 0, delegatedAccount: null, basePath: '/mail/u/0' };
  }
  return null;
}
