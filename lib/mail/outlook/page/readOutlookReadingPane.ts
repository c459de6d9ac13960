import type { MailAddress, MailMessageInput, ThreadSnapshotInput } from '../../MailMessage';
import { normaliseAddress } from '../../normaliseAddress';
import { normaliseDisplayName } from '../../parseAddressList';
import { toGraphRestId } from './outlookIds';
import { afterLabel, OUTLOOK_LABELS } from './outlookLabels';
import { parseOutlookDate } from './parseOutlookDate';
import type { OutlookLocation } from './parseOutlookUrl';

/**
 * The page structure this reader relies on: language-independent hooks only (element ids and
 * id suffixes, `data-testid`, persona attributes, ARIA roles). Each one was seen on the live
 * page by a public source listed in tests/fixtures/outlook/SOURCES.md (keys in brackets).
 * Localised label texts are a fallback and live in ./outlookLabels. When Outlook changes,
 * these two tables are the places to update.
 */
export const OUTLOOK_HOOKS = {
  /** [S4][S9] present in the three-pane and the deeplink read view; [S1][S3] older shapes. */
  readingPane: ['#ReadingPaneContainerId', '[data-app-section="MailReadCompose"]', '[role="main"]'],
  /** [S3][S6] one per message, expanded or collapsed. */
  time: '[data-testid="SentReceivedSavedTime"]',
  /** [S1] the body container; everything inside it is mail content, never a header. */
  body: '[role="document"], [id^="UniqueMessageBody"]',
  /** [S6][S7] `MSG_<key>_FROM`, `_TO`, `_CC`, `CONV_<key>_SUBJECT`. */
  from: '[id$="_FROM"]',
  to: '[id$="_TO"]',
  cc: '[id$="_CC"]',
  subject: '[id$="_SUBJECT"]',
  /** [S1][S8] */
  recipientWell: '[data-testid="RecipientWell"]',
  /** [S8] a person in a header: text "Name <address>" or just "Name". */
  persona: '[data-lpc-hover-target-id]',
  /** [S6] the "+N others" button of a collapsed recipient list. */
  moreRecipients: '[id^="plusOthers"]',
  /** [S1] attachments are a listbox of options outside the body. */
  attachmentList: '[role="listbox"]',
  attachment: '[role="option"]',
  /** [S1][S2][S3] the selected row of the message list names the conversation. */
  selectedRow: '[role="option"][aria-selected="true"][data-convid]',
  /** [S1][S2] the folder pane's primary mailbox node carries the signed-in address. */
  mailboxRoot: '[id^="primaryMailboxRoot_"]',
  /** [S8] the account manager's flyout, once opened, shows the address. */
  accountAddress: '#mectrl_currentAccount_secondary',
  accountName: '#mectrl_currentAccount_primary',
  /** [S11] the header's account button names the user in its aria-label. */
  accountButton: ['#mectrl_main_trigger', '#O365_MainLink_Me', '#meInitialsButton'],
} as const;

const SNIPPET_LENGTH = 200;
/**
 * The text of an expanded message, kept for the "full text" privacy level (buildActivities
 * drops it at the other levels); bounded like the CRM contract's body (100,000 characters).
 */
const BODY_LENGTH = 100_000;
const NAMED_ADDRESS = /^(.*?)\s*<\s*([^<>\s]+@[^<>\s]+)\s*>$/;

const text = (el: Element | null | undefined): string => normaliseDisplayName(el?.textContent ?? '');

function inBody(el: Element): boolean {
  return el.closest(OUTLOOK_HOOKS.body) !== null;
}

/** Header elements under `root` matching `selector`, never from inside a message body. */
function headerAll(root: ParentNode, selector: string): Element[] {
  return Array.from(root.querySelectorAll(selector)).filter((el) => !inBody(el));
}

function headerFirst(root: ParentNode, selector: string): Element | null {
  return headerAll(root, selector)[0] ?? null;
}

/** "Name <address>", "address" or "Name" (a colleague or the user: Outlook shows no address). */
export function parsePersona(raw: string): MailAddress | null {
  const t = normaliseDisplayName(raw)
    .replace(/[;,]+$/, '')
    .trim();
  if (!t) return null;
  const named = t.match(NAMED_ADDRESS);
  if (named) {
    const address = normaliseAddress(named[2]!);
    if (address) return { name: named[1]!.replace(/^["']|["']$/g, '').trim(), address };
  }
  const bare = t.includes('@') ? normaliseAddress(t) : null;
  if (bare) return { name: '', address: bare };
  return { name: t, address: '' };
}

function personaOf(el: Element, labels: readonly string[]): MailAddress | null {
  const fromText = parsePersona(text(el));
  const labelled = el.matches('[aria-label]') ? el : el.querySelector('[aria-label]');
  const aria = labelled ? afterLabel(labelled.getAttribute('aria-label') ?? '', labels) : null;
  const fromAria = aria ? parsePersona(aria) : null;
  if (fromText?.address || !fromAria?.address) return fromText ?? fromAria;
  return fromAria;
}

function recipientsIn(holder: Element, labels: readonly string[]): MailAddress[] {
  const personas = headerAll(holder, OUTLOOK_HOOKS.persona);
  if (personas.length > 0) return personas.map((p) => parsePersona(text(p))).filter((a) => a !== null);
  // No persona spans: the holder's text after its label, split on semicolons.
  const clone = holder.cloneNode(true) as Element;
  for (const more of Array.from(clone.querySelectorAll(OUTLOOK_HOOKS.moreRecipients))) more.remove();
  const raw = text(clone);
  const list = afterLabel(raw, labels) ?? raw.replace(/^[^:<@]*:\s*/, '');
  return list
    .split(';')
    .map((part) => parsePersona(part))
    .filter((a) => a !== null);
}

interface RecipientRead {
  list: MailAddress[];
  incomplete: boolean;
}

function readRecipients(root: Element, hook: string, labels: readonly string[]): RecipientRead {
  const holder = headerFirst(root, hook);
  if (holder) {
    return {
      list: recipientsIn(holder, labels),
      incomplete: holder.querySelector(OUTLOOK_HOOKS.moreRecipients) !== null,
    };
  }
  // Fallback [S1]: a recipient well whose lines start with a localised label ("An: …").
  for (const well of headerAll(root, OUTLOOK_HOOKS.recipientWell)) {
    for (const line of Array.from(well.children)) {
      const rest = afterLabel(text(line), labels);
      if (rest !== null) return { list: recipientsIn(line, labels), incomplete: false };
    }
  }
  return { list: [], incomplete: false };
}

function readSender(root: Element, expanded: boolean): MailAddress | null {
  const holder = headerFirst(root, OUTLOOK_HOOKS.from);
  if (holder) return personaOf(holder, OUTLOOK_LABELS.from);
  // Fallback: an element whose aria-label starts with a localised "From:".
  for (const el of headerAll(root, '[aria-label]')) {
    const rest = afterLabel(el.getAttribute('aria-label') ?? '', OUTLOOK_LABELS.from);
    if (rest) return parsePersona(rest);
  }
  // A collapsed message shows its sender as the first persona, outside any recipient well [S5].
  if (!expanded) {
    const persona = headerAll(root, OUTLOOK_HOOKS.persona).find(
      (p) => p.closest(OUTLOOK_HOOKS.recipientWell) === null,
    );
    if (persona) return parsePersona(text(persona));
  }
  return null;
}

function readAttachments(root: Element): string[] {
  const names: string[] = [];
  for (const list of headerAll(root, OUTLOOK_HOOKS.attachmentList)) {
    for (const option of Array.from(list.querySelectorAll(OUTLOOK_HOOKS.attachment))) {
      const name = option.querySelector('[title]')?.getAttribute('title')?.trim();
      if (name) names.push(name);
    }
  }
  return names;
}

/** The part of the page's own messages: each time node's nearest expandable ancestor. */
function messageRoots(pane: Element): { root: Element; time: Element }[] {
  const seen = new Set<Element>();
  const roots: { root: Element; time: Element }[] = [];
  for (const time of headerAll(pane, OUTLOOK_HOOKS.time)) {
    const expandable = time.closest('[aria-expanded]');
    let root: Element | null = expandable && pane.contains(expandable) ? expandable : null;
    if (!root) {
      // No expandable wrapper (single item): the nearest ancestor that holds a sender.
      root = time.parentElement;
      while (root && root !== pane && !headerFirst(root, OUTLOOK_HOOKS.from)) root = root.parentElement;
      root ??= pane;
    }
    if (seen.has(root)) continue;
    seen.add(root);
    roots.push({ root, time });
  }
  return roots;
}

/** FNV-1a: a short, stable key from what a person sees of a message. */
export function fnv(parts: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export interface OutlookAccount {
  address: string | null;
  name: string | null;
}

/**
 * The signed-in mailbox from hooks that exist on the live page ([S1][S2][S8][S11]). Like every
 * other hook, an account hook inside a message body or the reading pane is mail content: a
 * sender could otherwise make someone else "me" (and so their mail outgoing) with one element.
 */
export function readOutlookAccount(root: ParentNode): OutlookAccount {
  const outsideMail = (el: Element) => !inBody(el) && el.closest('#ReadingPaneContainerId') === null;
  const first = (selector: string) => Array.from(root.querySelectorAll(selector)).find(outsideMail) ?? null;
  const mailboxRoot = first(OUTLOOK_HOOKS.mailboxRoot);
  const address =
    normaliseAddress(
      mailboxRoot?.getAttribute('data-folder-name') ?? mailboxRoot?.getAttribute('title') ?? '',
    ) ?? normaliseAddress(text(first(OUTLOOK_HOOKS.accountAddress)));
  let name: string | null = text(first(OUTLOOK_HOOKS.accountName)) || null;
  if (!name) {
    for (const selector of OUTLOOK_HOOKS.accountButton) {
      const label = first(selector)?.getAttribute('aria-label') ?? '';
      const rest = afterLabel(label, OUTLOOK_LABELS.accountManager);
      const parsed = rest ? parsePersona(rest) : null;
      if (parsed?.name) {
        name = parsed.name;
        break;
      }
    }
  }
  return { address, name };
}

export interface ReadOptions {
  url: string;
  /** The signed-in account; read from the page when omitted. */
  account?: OutlookAccount;
  /** The page's UI language (`<html lang>`), for dates. */
  lang?: string | null;
}

/**
 * Reads the open reading pane into a ThreadSnapshot (only what the page shows, no network),
 * or null when no message is open. Collapsed messages become partial messages (sender, date,
 * preview); a date the page shows in a form this reader cannot be sure of is null.
 */
export function readOutlookReadingPane(
  root: Document | Element,
  location: OutlookLocation,
  options: ReadOptions,
): ThreadSnapshotInput | null {
  const pane = OUTLOOK_HOOKS.readingPane.map((s) => root.querySelector(s)).find((el) => el !== null) ?? null;
  if (!pane) return null;
  const roots = messageRoots(pane);
  if (roots.length === 0) return null;
  const doc = 'documentElement' in root ? root : root.ownerDocument;
  const lang = options.lang ?? doc?.documentElement.getAttribute('lang') ?? null;
  const account = options.account ?? readOutlookAccount(root);

  const subjectEl =
    headerFirst(pane, OUTLOOK_HOOKS.subject) ??
    headerAll(pane, '[role="heading"]').find((h) => !h.matches(OUTLOOK_HOOKS.time)) ??
    null;
  const subject = normaliseDisplayName(
    subjectEl?.querySelector('[title]')?.getAttribute('title') || text(subjectEl),
  );
  const selected = Array.from(root.querySelectorAll(OUTLOOK_HOOKS.selectedRow)).find((r) => !inBody(r));
  const rawThreadId = selected?.getAttribute('data-convid') ?? location.itemId;
  const threadId = rawThreadId ? toGraphRestId(rawThreadId) : null;

  const read = roots.map(({ root: el, time }) => {
    const expanded = el.getAttribute('aria-expanded') !== 'false';
    const to = readRecipients(el, OUTLOOK_HOOKS.to, OUTLOOK_LABELS.to);
    const cc = readRecipients(el, OUTLOOK_HOOKS.cc, OUTLOOK_LABELS.cc);
    const dateText = text(time);
    const date = parseOutlookDate(dateText, lang) ?? parseOutlookDate(time.getAttribute('title') ?? '', lang);
    let snippet: string;
    let body: string | undefined;
    if (expanded) {
      snippet = text(el.querySelector(OUTLOOK_HOOKS.body));
      body = snippet.slice(0, BODY_LENGTH);
    } else {
      // [S5] the collapsed preview sits next to the time node.
      const line = text(time.parentElement);
      snippet = line.startsWith(dateText) ? line.slice(dateText.length).trim() : line;
    }
    return {
      expanded,
      from: readSender(el, expanded),
      to,
      cc,
      dateText,
      date,
      snippet: snippet.slice(0, SNIPPET_LENGTH),
      body,
      attachments: readAttachments(el),
    };
  });

  // A person the page shows by name only (a colleague, the user) stays name-only: no address is
  // ever inferred from a display name, since anyone can send as "Sam Okafor" <someone-else@…>
  // and so make a colleague's internal message log to an outsider's record. A connected
  // mailbox fills the addresses from Graph (ThreadViewService's enrichment).
  const occurrences = new Map<string, number>();
  const messages: MailMessageInput[] = read.map((m) => {
    const from = m.from;
    const fromMe =
      !!from &&
      ((!!account.address && from.address === account.address) ||
        (!from.address && !!account.name && from.name === account.name));
    // The key is what a person sees of the message, so it survives a new reply arriving on
    // top and the message being expanded; a repeat (same sender, same minute) is numbered.
    const base = [threadId ?? '', (from?.name || from?.address || '').toLowerCase(), m.dateText];
    const seenBefore = occurrences.get(base.join('\u0000')) ?? 0;
    occurrences.set(base.join('\u0000'), seenBefore + 1);
    return {
      provider: 'outlook',
      mailbox: account.address ?? '',
      providerMessageId: `dom-${fnv([...base, String(seenBefore)])}`,
      providerThreadId: threadId,
      messageId: null,
      messageIdSource: 'none',
      from,
      to: m.to.list,
      cc: m.cc.list,
      subject,
      date: m.date,
      snippet: m.snippet,
      ...(m.body ? { body: m.body } : {}),
      hasAttachments: m.attachments.length > 0,
      folderRole: fromMe ? 'sent' : location.folderRole === 'other' ? 'inbox' : location.folderRole,
      partial: !m.expanded,
      recipientsIncomplete: m.to.incomplete || m.cc.incomplete,
    };
  });
  return {
    provider: 'outlook',
    mailbox: account.address,
    threadId,
    subject,
    messages,
    url: options.url,
    source: 'page',
  };
}

/** Attachment names of each message, in page order (for the panel and tests). */
export function readOutlookAttachments(root: Document | Element): string[][] {
  const pane = OUTLOOK_HOOKS.readingPane.map((s) => root.querySelector(s)).find((el) => el !== null) ?? null;
  return pane ? messageRoots(pane).map(({ root: el }) => readAttachments(el)) : [];
}
