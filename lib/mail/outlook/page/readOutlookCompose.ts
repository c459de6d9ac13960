import type { MailAddress } from '../../MailMessage';
import { normaliseAddress } from '../../normaliseAddress';
import { normaliseDisplayName } from '../../parseAddressList';
import { toGraphRestId } from './outlookIds';
import type { OutlookLocation } from './parseOutlookUrl';
import { parsePersona } from './readOutlookReadingPane';

/**
 * What this reader relies on in Outlook on the web's compose form (new message, reply and
 * forward, in the reading pane or full page). Each hook was seen on the live page by a public
 * source listed in tests/fixtures/outlook-compose/SOURCES.md (keys in brackets); the English
 * `aria-label`s are the only ones any source shows, so other UI languages fall back to the
 * structural hooks (ids, Fluent classes, `contenteditable` text boxes).
 */
export const OUTLOOK_COMPOSE_HOOKS = {
  /** [C1] the form's root (`docking_InitVisiblePart_0`); [C7] `data-app-section="ComposeForm"`. */
  form: '[id^="docking_InitVisiblePart_"], [data-app-section="ComposeForm"]',
  /** [C1][C3][C7][C8] the message body: an editable text box labelled "Message body…" inside `#editorParent_N`. */
  body: '[contenteditable="true"][aria-label^="Message body"], [id^="editorParent_"] [contenteditable="true"]',
  /**
   * [C3][C4][C5][C6][C7] the Send button by its name; [C1][C2] by structure: the primary action
   * of the form's first Fluent split button (Send, with "schedule send" behind the arrow).
   */
  sendByName: 'button[aria-label="Send"], button[name="Send"], button[title^="Send"]',
  sendByStructure: 'button.fui-SplitButton__primaryActionButton, button[id$="__primaryActionButton"]',
  /** [C4][C5] the recipient wells: editable boxes labelled "To", "Cc", "Bcc". */
  to: '[aria-label="To"]',
  cc: '[aria-label="Cc"]',
  bcc: '[aria-label="Bcc"]',
  /** [C7] a resolved recipient (persona chip) names its address in its tooltip or label. */
  chip: '[title*="@"], [aria-label*="@"], [data-lpc-hover-target-id*="@"]',
  /** [C3][C4][C6][C7] the subject line. */
  subject: 'input[aria-label="Add a subject"], input[placeholder="Add a subject"], input[id$="_SUBJECT"]',
  /** [C7] Outlook's quoted header of the message replied to or forwarded. */
  quotedHeader: '#divRplyFwdMsg, #mail-editor-reference-message-container',
  /** [S1][S3] of tests/fixtures/outlook: a reply written inside the open conversation. */
  conversation: '[data-app-section="ConversationContainer"], #ConversationReadingPaneContainer',
  /** [S1][S2] of tests/fixtures/outlook: the selected row names the conversation. */
  selectedRow: '[role="option"][aria-selected="true"][data-convid]',
} as const;

/** How far up from a body the reader looks for the Send button when no form hook is present. */
const MAX_CLIMB = 14;
const ADDRESS_IN_TEXT = /[^\s<>"';,:()]+@[^\s<>"';,:()]+\.[^\s<>"';,:()]+/;

export interface OutlookComposeDraft {
  /** A reply or forward (quoted header, or written inside the open conversation) or a new message. */
  kind: 'new' | 'reply';
  subject: string;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  /** The conversation a reply belongs to (Graph REST form), when the page names it. */
  conversationId: string | null;
}

/** The Send button of one compose form, or null when the form shows none. */
export function findOutlookSendButton(form: Element): HTMLElement | null {
  return (
    form.querySelector<HTMLElement>(OUTLOOK_COMPOSE_HOOKS.sendByName) ??
    form.querySelector<HTMLElement>(OUTLOOK_COMPOSE_HOOKS.sendByStructure)
  );
}

function bodyOf(form: Element): Element | null {
  return form.querySelector(OUTLOOK_COMPOSE_HOOKS.body);
}

/**
 * The compose forms open on the page: each root holds one message body and its Send button.
 * A message being read is never a form (it has no editable body).
 */
export function findOutlookComposeForms(root: ParentNode): HTMLElement[] {
  const forms: HTMLElement[] = [];
  const add = (form: HTMLElement) => {
    if (forms.some((f) => f === form || f.contains(form) || form.contains(f))) return;
    forms.push(form);
  };
  for (const form of Array.from(root.querySelectorAll<HTMLElement>(OUTLOOK_COMPOSE_HOOKS.form))) {
    if (bodyOf(form) && findOutlookSendButton(form)) add(form);
  }
  // No form hook (a build without the docking ids): the nearest ancestor of a body that also
  // holds a Send button, stopping before it takes in a second body (another draft).
  for (const body of Array.from(root.querySelectorAll<HTMLElement>(OUTLOOK_COMPOSE_HOOKS.body))) {
    if (forms.some((f) => f.contains(body))) continue;
    let node = body.parentElement;
    for (let i = 0; node && i < MAX_CLIMB; i++, node = node.parentElement) {
      if (node.querySelectorAll(OUTLOOK_COMPOSE_HOOKS.body).length > 1) break;
      if (node.querySelector(OUTLOOK_COMPOSE_HOOKS.sendByName)) {
        add(node);
        break;
      }
    }
  }
  return forms;
}

function addressIn(value: string | null): string | null {
  const match = value?.match(ADDRESS_IN_TEXT);
  return match ? normaliseAddress(match[0]) : null;
}

/** The people in one recipient well: its persona chips, else the addresses typed in it. */
function recipientsIn(well: Element | null): MailAddress[] {
  if (!well) return [];
  const seen = new Set<string>();
  const people: MailAddress[] = [];
  const push = (person: MailAddress | null) => {
    if (!person?.address || seen.has(person.address)) return;
    seen.add(person.address);
    people.push(person);
  };
  // The outermost chip only: a chip's inner parts may repeat its address.
  const chips = Array.from(well.querySelectorAll(OUTLOOK_COMPOSE_HOOKS.chip)).filter((chip) => {
    const outer = chip.parentElement?.closest(OUTLOOK_COMPOSE_HOOKS.chip);
    return !outer || !well.contains(outer);
  });
  for (const chip of chips) {
    const address =
      addressIn(chip.getAttribute('title')) ??
      addressIn(chip.getAttribute('data-lpc-hover-target-id')) ??
      addressIn(chip.getAttribute('aria-label'));
    if (!address) continue;
    const shown = normaliseDisplayName(chip.textContent ?? '').replace(/[;,]+$/, '');
    const parsed = shown ? parsePersona(shown) : null;
    const name = parsed?.address ? parsed.name : (parsed?.name ?? '');
    push({ name, address });
  }
  // Typed and not (yet) resolved into a chip: Outlook sends to what is typed when it is an address.
  const clone = well.cloneNode(true) as Element;
  for (const chip of Array.from(clone.querySelectorAll(OUTLOOK_COMPOSE_HOOKS.chip))) chip.remove();
  for (const part of normaliseDisplayName(clone.textContent ?? '').split(/[;,]/)) {
    const parsed = parsePersona(part);
    if (parsed?.address) push(parsed);
  }
  return people;
}

/** The well labelled `selector` that belongs to this form (not a nested quoted message). */
function well(form: Element, selector: string): Element | null {
  const body = bodyOf(form);
  return Array.from(form.querySelectorAll(selector)).find((el) => !body?.contains(el)) ?? null;
}

function subjectOf(form: Element): string {
  const input = form.querySelector<HTMLInputElement>(OUTLOOK_COMPOSE_HOOKS.subject);
  return normaliseDisplayName(input?.value ?? input?.getAttribute('value') ?? '');
}

/** Reads one compose form as the person sees it at this moment (no network). */
export function readOutlookCompose(form: Element, location: OutlookLocation): OutlookComposeDraft {
  const inConversation = form.closest(OUTLOOK_COMPOSE_HOOKS.conversation) !== null;
  const quoted = form.querySelector(OUTLOOK_COMPOSE_HOOKS.quotedHeader) !== null;
  const kind = inConversation || quoted ? 'reply' : 'new';
  let conversationId: string | null = null;
  if (kind === 'reply') {
    const doc = form.ownerDocument;
    const row = doc?.querySelector(OUTLOOK_COMPOSE_HOOKS.selectedRow);
    const raw = row?.getAttribute('data-convid') ?? (location.deeplink ? null : location.itemId);
    conversationId = raw ? toGraphRestId(raw) : null;
  }
  return {
    kind,
    subject: subjectOf(form),
    to: recipientsIn(well(form, OUTLOOK_COMPOSE_HOOKS.to)),
    cc: recipientsIn(well(form, OUTLOOK_COMPOSE_HOOKS.cc)),
    bcc: recipientsIn(well(form, OUTLOOK_COMPOSE_HOOKS.bcc)),
    conversationId,
  };
}
