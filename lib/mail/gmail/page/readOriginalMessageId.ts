import { normaliseMessageId } from '../../normaliseMessageId';
import { parseGmailAccountUrl } from './parseGmailAccountUrl';

/*
 * Exact internet Message-IDs without the Gmail API.
 *
 * InboxSDK 2.2.26 exposes no Message-ID header on MessageView or on the compose `sent`
 * event: `getMessageIDAsync()` / `getMessageID()` return Gmail's own hex id. The SDK does,
 * internally, resolve RFC Message-IDs itself (`getRfcMessageIdForGmailMessageId`, used by
 * `Compose.openDraftByMessageID` and custom thread lists) by fetching Gmail's "Show
 * original" page same-origin: `GET /mail/u/N?ik=<ik>&view=om&th=<gmail message id>` and
 * matching `^Message-ID:` in it. `ik` is the per-account key Gmail keeps in its page
 * globals; InboxSDK's page-world script copies it to `<head data-inboxsdk-ik-value>`.
 *
 * So the request is the one the SDK's maintainers rely on in production, but it is not a
 * documented API of Gmail or of InboxSDK (the `ik` attribute is an SDK internal), and it
 * cannot be exercised offline. It is therefore used only as an upgrade: whatever it cannot
 * answer (no `ik`, non-200, sign-in page, no header) yields null, the message keeps
 * `messageIdSource: 'none'`, and the background fetches the id from the Gmail API
 * (`format=metadata`) when the mailbox is connected. Nothing is ever guessed.
 */

const RAW_MESSAGE_PRE = /<pre\b[^>]*\bid=["']?raw_message_text["']?[^>]*>([\s\S]*?)<\/pre>/i;
const NAMED_ENTITIES: Record<string, string> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code =
        entity[1] === 'x' || entity[1] === 'X'
          ? Number.parseInt(entity.slice(2), 16)
          : Number(entity.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

/**
 * The normalised Message-ID in Gmail's "Show original" page, or null when the page does
 * not hold one. Only the header block of the raw message is searched (when the raw
 * message `<pre>` is found), so a `Message-ID:` line quoted in a body never counts.
 */
export function parseOriginalMessageId(html: string): string | null {
  const pre = RAW_MESSAGE_PRE.exec(html);
  const text = decodeEntities((pre ? pre[1]! : html).replace(/<[^>]*>/g, '')).replace(/\r\n?/g, '\n');
  const searched = pre ? (text.split(/\n[ \t]*\n/)[0] ?? '') : text;
  // Folded headers continue on lines that start with whitespace (RFC 5322 2.2.3).
  const header = /^Message-ID:[ \t]*((?:.*)(?:\n[ \t]+.*)*)/im.exec(searched);
  return header ? normaliseMessageId(header[1]) : null;
}

export interface OriginalMessageIdReaderDeps {
  /** GET a same-origin URL with the user's cookies; rejects on network errors. */
  fetchPage: (url: string) => Promise<{ status: number; text: string }>;
  /** Gmail's `ik` for the current account, or null when unknown. */
  readIk: () => string | null;
  /** The tab's current URL (decides the `/mail/u/N` account path). */
  pageUrl: () => string;
}

export type InternetMessageIdResolver = (gmailMessageId: string) => Promise<string | null>;

const GMAIL_HEX_ID = /^[0-9a-f]{6,32}$/i;

/** Reads a message's Message-ID from Gmail's original-message page; null whenever it cannot. */
export function createOriginalMessageIdReader(deps: OriginalMessageIdReaderDeps): InternetMessageIdResolver {
  return async (gmailMessageId) => {
    if (!GMAIL_HEX_ID.test(gmailMessageId)) return null;
    const ik = deps.readIk();
    const pageUrl = deps.pageUrl();
    const account = parseGmailAccountUrl(pageUrl);
    if (!ik || !account) return null;
    const query = new URLSearchParams({ ik, view: 'om', th: gmailMessageId });
    const url = `${new URL(pageUrl).origin}${account.basePath}?${query}`;
    try {
      const page = await deps.fetchPage(url);
      return page.status === 200 ? parseOriginalMessageId(page.text) : null;
    } catch {
      return null;
    }
  };
}

/** InboxSDK's page-world script publishes Gmail's `ik` here (SDK internal; may disappear). */
export const INBOXSDK_IK_ATTRIBUTE = 'data-inboxsdk-ik-value';
