import type { MailAddress, MailMessageInput, ThreadSnapshotInput } from '../../MailMessage';
import { normaliseAddress } from '../../normaliseAddress';
import { normaliseDisplayName } from '../../parseAddressList';
import type { OutlookLocation } from './parseOutlookUrl';

/**
 * The page structure this adapter reads. Outlook's class names are generated and change
 * with every release, so only ARIA roles, `data-app-section` hooks and persona `title`
 * attributes (which carry the address) are used; each entry lists alternatives, newest first.
 * When Outlook changes, this table is the one place to update.
 */
export const OUTLOOK_SELECTORS = {
  readingPane: ['[data-app-section="MailReadCompose"]', '[role="main"][aria-label="Reading Pane"]'],
  subject: ['[role="heading"][aria-level="2"]', '[data-app-section="ConversationTopic"]'],
  conversation: ['[data-convid]'],
  message: ['[aria-label="Email message"]', '[data-app-section="ItemContainer"]'],
  from: ['[data-app-section="From"]', '[aria-label="From"]'],
  to: ['[data-app-section="To"]', '[aria-label="To"]'],
  cc: ['[data-app-section="Cc"]', '[aria-label="Cc"]'],
  date: ['[data-testid="SentReceivedSavedTime"]', 'time[datetime]'],
  body: ['[role="document"][aria-label="Message body"]', '[aria-label="Message body"]'],
  attachments: ['[aria-label="Attachments"]', '[data-app-section="AttachmentWell"]'],
} as const;

const SNIPPET_LENGTH = 200;

function first(root: ParentNode, selectors: readonly string[]): Element | null {
  for (const s of selectors) {
    const found = root.querySelector(s);
    if (found) return found;
  }
  return null;
}

function all(root: ParentNode, selectors: readonly string[]): Element[] {
  for (const s of selectors) {
    const found = root.querySelectorAll(s);
    if (found.length > 0) return Array.from(found);
  }
  return [];
}

const ANGLE_ADDRESS = /<([^<>\s]+@[^<>\s]+)>/;

/** A persona shows the name; the address is in its title or in a "Name <address>" text. */
function personaAddress(el: Element): MailAddress | null {
  const title = el.getAttribute('title') ?? '';
  const text = normaliseDisplayName(el.textContent ?? '');
  const fromTitle = title.includes('@') ? normaliseAddress(title.match(ANGLE_ADDRESS)?.[1] ?? title) : null;
  const fromText = normaliseAddress(text.match(ANGLE_ADDRESS)?.[1] ?? (text.includes('@') ? text : ''));
  const address = fromTitle ?? fromText;
  if (!address) return null;
  const name = text.replace(ANGLE_ADDRESS, '').trim();
  return { name: name.includes('@') && normaliseAddress(name) === address ? '' : name, address };
}

function addressesIn(container: Element | null): MailAddress[] {
  if (!container) return [];
  const candidates = container.querySelectorAll('[title*="@"], .persona, [role="button"]');
  const seen = new Set<string>();
  const result: MailAddress[] = [];
  for (const el of Array.from(candidates)) {
    const a = personaAddress(el);
    if (a && !seen.has(a.address)) {
      seen.add(a.address);
      result.push(a);
    }
  }
  return result;
}

function readDate(el: Element | null): string | null {
  if (!el) return null;
  const raw = el.getAttribute('datetime') ?? el.getAttribute('title') ?? el.textContent ?? '';
  const d = new Date(raw.trim());
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Stable per-message key for DOM-only reading: FNV-1a over what identifies the message. */
function domMessageKey(parts: string[]): string {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `dom-${h.toString(16).padStart(8, '0')}`;
}

/**
 * Reads the reading pane into a ThreadSnapshot, or null when no message is open.
 * Only what the page shows is read (no network); the background upgrades it with Graph
 * data (internetMessageId, exact recipients) when the mailbox is connected.
 */
export function readOutlookReadingPane(
  root: ParentNode,
  location: OutlookLocation,
  options: { mailbox: string | null; url: string },
): ThreadSnapshotInput | null {
  const pane = first(root, OUTLOOK_SELECTORS.readingPane);
  if (!pane) return null;
  const messageEls = all(pane, OUTLOOK_SELECTORS.message);
  if (messageEls.length === 0) return null;
  const subjectEl = first(pane, OUTLOOK_SELECTORS.subject);
  const subject = normaliseDisplayName(subjectEl?.getAttribute('title') || subjectEl?.textContent || '');
  const conversationId = first(pane, OUTLOOK_SELECTORS.conversation)?.getAttribute('data-convid') ?? null;
  const threadId = conversationId ?? location.itemId;
  const mailbox = options.mailbox;

  const messages: MailMessageInput[] = [];
  for (const el of messageEls) {
    const from = addressesIn(first(el, OUTLOOK_SELECTORS.from))[0] ?? null;
    const to = addressesIn(first(el, OUTLOOK_SELECTORS.to));
    const cc = addressesIn(first(el, OUTLOOK_SELECTORS.cc));
    const date = readDate(first(el, OUTLOOK_SELECTORS.date)) ?? new Date(0).toISOString();
    const bodyText = normaliseDisplayName(first(el, OUTLOOK_SELECTORS.body)?.textContent ?? '');
    const itemId = el.getAttribute('data-item-id');
    const providerMessageId =
      itemId ?? domMessageKey([threadId ?? '', from?.address ?? '', date, subject, String(messages.length)]);
    // Mail the user sent shows them as the sender; the URL folder alone would call a
    // reply inside an inbox conversation "incoming".
    const fromMe = !!mailbox && from?.address === mailbox;
    messages.push({
      provider: 'outlook',
      mailbox: mailbox ?? '',
      providerMessageId,
      providerThreadId: threadId,
      messageId: null,
      messageIdSource: 'none',
      from,
      to,
      cc,
      subject,
      date,
      snippet: bodyText.slice(0, SNIPPET_LENGTH),
      hasAttachments: first(el, OUTLOOK_SELECTORS.attachments) !== null,
      folderRole: fromMe ? 'sent' : location.folderRole === 'other' ? 'inbox' : location.folderRole,
    });
  }
  return { provider: 'outlook', mailbox, threadId, subject, messages, url: options.url };
}

/** The signed-in account's address from the header's account button, when it shows one. */
export function readOutlookAccountAddress(root: ParentNode): string | null {
  const button = root.querySelector('#O365_MainLink_Me, [data-app-section="AccountManager"]');
  const title = button?.getAttribute('title') ?? '';
  return normaliseAddress(title.match(ANGLE_ADDRESS)?.[1] ?? title);
}
