import { z } from 'zod';
import type { MailAddress } from './MailMessage';
import { localPartOfAddress } from './normaliseAddress';

/**
 * Automated-mail detection that weighs evidence instead of trusting one header.
 *
 * Evidence comes in kinds:
 * - decisive: headers only machines write (RFC 3834 Auto-Submitted, RFC 3462/6522 report
 *   content types, vendor auto-reply headers such as iCloud's X-Apple-Action: VACATION,
 *   the RFC 5321 null reverse path), list-server headers (RFC 2369 List-Post, ezmlm's
 *   Mailing-List, list-owner Sender addresses), auto-reply subject prefixes and mail-system
 *   senders (mailer-daemon, postmaster). One is enough.
 * - weighed: what email services add to everything they send (List-Unsubscribe, List-Id,
 *   Precedence bulk, Feedback-ID, campaign headers) and no-reply style senders. Their
 *   weights add up and must reach AUTOMATED_THRESHOLD.
 * - counter-signals: a reply in a conversation addressed to the user, one recipient, a
 *   personal salutation. They only offset weighed evidence, so a person's reply sent
 *   through a service that stamps List-Unsubscribe on all mail stays loggable, while a
 *   bounce or an out-of-office reply (also "replies") is never rescued.
 *
 * Header names are lower-cased keys; values are raw (unfolded) header values.
 */

/** What kind of machine sent it; a zod enum because skip receipts carry it across runtime messages. */
export const AutomatedCategory = z.enum([
  'bounce',
  'auto_reply',
  'report',
  'mailing_list',
  'newsletter',
  'notification',
]);
export type AutomatedCategory = z.infer<typeof AutomatedCategory>;

export type AutomatedSignal =
  | 'auto_submitted'
  | 'delivery_report'
  | 'report_content'
  | 'report_subject'
  | 'apple_vacation'
  | 'x_autoreply'
  | 'x_autorespond'
  | 'precedence_auto_reply'
  | 'inbox_rule_loop'
  | 'auto_reply_subject'
  | 'bounce_subject'
  | 'null_return_path'
  | 'mail_system_sender'
  | 'list_post'
  | 'mailing_list_header'
  | 'list_sender'
  | 'list_id'
  | 'precedence_list'
  | 'list_unsubscribe'
  | 'one_click_unsubscribe'
  | 'precedence'
  | 'feedback_id'
  | 'bounce_return_path'
  | 'campaign_header'
  | 'bulk_mailer'
  | 'automated_sender'
  | 'bulk_sender';

export type CounterSignal = 'reply_to_user' | 'single_recipient' | 'personal_salutation';

export interface AutomatedEvidence {
  signal: AutomatedSignal;
  /** Infinity for decisive evidence. */
  weight: number;
  category: AutomatedCategory;
  /** What was seen, worded for a person ("List-Unsubscribe", "Precedence: bulk"). */
  detail: string;
}

export interface CounterEvidence {
  signal: CounterSignal;
  weight: number;
  detail: string;
}

export type AutomatedVerdict =
  | {
      automated: false;
      reason: string;
      evidence: AutomatedEvidence[];
      counter: CounterEvidence[];
    }
  | {
      automated: true;
      category: AutomatedCategory;
      /** The evidence that decided (the decisive one, else the heaviest weighed one). */
      signal: AutomatedSignal;
      reason: string;
      evidence: AutomatedEvidence[];
      counter: CounterEvidence[];
    };

/** What the detector reads of a message (a `MailMessage` fits). */
export interface AutomatedMailInput {
  from: MailAddress | null;
  headers: Readonly<Record<string, string>>;
  to?: readonly MailAddress[];
  cc?: readonly MailAddress[];
  subject?: string;
  /** The start of the body as the provider gives it (Gmail/Graph snippet). */
  snippet?: string;
  inReplyTo?: string | null;
  references?: readonly string[];
}

export interface AutomatedMailContext {
  /** The user's own addresses, normalised. Without them "addressed to the user" is unknown. */
  ownAddresses?: ReadonlySet<string>;
  /**
   * Set when the caller knows the message answers one the user sent: its In-Reply-To or
   * References name a Message-ID of the user's own mail (lib/linking/linkMessage).
   */
  repliesToOwnMessage?: boolean;
}

/** Weighed evidence at or above this (after counter-signals) makes a message automated. */
export const AUTOMATED_THRESHOLD = 4;

const DECISIVE = Number.POSITIVE_INFINITY;

// Addresses no person reads: no-reply in any position and spelling (noreply, no-reply,
// no_reply, donotreply, do-not-reply, gmail-noreply, newsalerts-noreply, noreply+tag),
// and notification senders.
const NO_REPLY_LOCAL_PART =
  /(?:^|[-_.+])(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply)(?:$|[-_.+\d])|^(?:notifications?|notify|alerts?)(?:$|[-_.+])/;
// The mail system itself (RFC 5321 postmaster, MTA daemons), in the spellings MTAs use.
const MAIL_SYSTEM_LOCAL_PART =
  /^(?:mailer[-_.]?daemon|mail[-_.]?daemon|post[-_.]?master|mail[-_.]?delivery[-_.]?(?:system|subsystem))(?:$|[-_.+])/;
// Local parts and sub-domain labels bulk senders use for campaign mail.
const BULK_LOCAL_PART =
  /^(?:newsletters?|news|marketing|mailings?|campaigns?|promotions?|offers)(?:$|[-_.+])/;
const BULK_SUBDOMAIN =
  /(?:^|\.)(?:newsletters?|mailings?|news|emails?|mailers?|campaigns?|marketing)\.[^.]+\.[^.]+/;

/** Whether an address belongs to a machine that does not read replies. */
export function isAutomatedSenderAddress(address: string): boolean {
  const local = localPartOfAddress(address.toLowerCase());
  return NO_REPLY_LOCAL_PART.test(local) || MAIL_SYSTEM_LOCAL_PART.test(local);
}

// Out-of-office subject prefixes as Exchange, Gmail, iCloud and common servers write them, in
// the languages of their localisations. Anchored at the start: "Re: Automatic reply: ..." is
// a person answering one.
const AUTO_REPLY_SUBJECT =
  /^\s*(?:automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|autorespons\w*|out of (?:the )?office(?: reply| autoreply)?|away from (?:the )?office|automatische antwort|abwesenheitsnotiz|abwesenheit|réponse automatique|risposta automatica|respuesta automática|resposta automática|automatisch antwoord|afwezigheidsmelding|autosvar|automaattinen vastaus|automatyczna odpowiedź|automatická odpověď|автоответ|автоматический ответ|自動応答|自動返信|自动回复|자동 응답)\s*[:：]/iu;

// Non-delivery subjects of the MTAs in public bounce collections (Postfix, Exim, Sendmail,
// qmail, Exchange, Gmail, Domino, Courier, ...).
const BOUNCE_SUBJECT =
  /^\s*(?:undeliverable|undelivered mail|undeliverable mail|returned mail|mail delivery (?:failed|failure|status)|delivery (?:status notification|failure|notification|has failed)|failure notice|mail system error|non[- ]?delivery|delivery status|notice: mail delivery status|\[postmaster\]|warning: could not send|delayed mail|email bounce notification|nondeliverable)/i;

// RFC 7489 §7.2.1.1 aggregate-report subject, and the failure/forensic report subjects
// receivers use (RFC 7489 §7.3, RFC 6591).
const REPORT_SUBJECT =
  /^\s*(?:report domain:.*submitter:|\[?[\w\s]*dmarc (?:failure|forensic|aggregate) report|dmarc (?:failure|forensic) report|email feedback report)/i;

const REPORT_TYPES: Record<string, { category: AutomatedCategory; what: string }> = {
  'delivery-status': { category: 'bounce', what: 'delivery status report' },
  'disposition-notification': { category: 'report', what: 'read receipt' },
  'feedback-report': { category: 'report', what: 'abuse or DMARC failure report' },
  tlsrpt: { category: 'report', what: 'SMTP TLS report' },
};

// Mailers that only send campaigns (their X-Mailer names them).
const BULK_MAILER =
  /mailchimp|sendinblue|brevo|cleverreach|newsletter2go|inxmail|getresponse|klaviyo|convertkit|mailjet|phplist|aspnetemail|campaign ?monitor|acumbamail|mailerlite|emarsys|salesforce marketing/i;

const CAMPAIGN_HEADERS = [
  'x-campaign',
  'x-campaignid',
  'x-mc-user',
  'x-mailchimp-campaign',
  'x-newsletter',
  'x-csa-complaints',
  'x-sfmc-stack',
  'x-mailgun-tag',
] as const;

// "Hi Riley," / "Dear Ms Kim," / "Hallo Jan," at the start of the body.
const SALUTATION =
  /^\s*(?:hi|hello|hey|dear|hallo|liebe[rs]?|bonjour|salut|hola|ciao|hej|hoi|beste|good (?:morning|afternoon|evening))\b[^\n,!:]{0,40}[,!:]/i;

function header(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Content-Type parameter value (unquoted, lower-case), e.g. report-type. */
function contentTypeParameter(contentType: string, parameter: string): string | undefined {
  const match = new RegExp(`;\\s*${parameter}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(contentType);
  const value = match?.[1] ?? match?.[2];
  return value?.toLowerCase();
}

/**
 * The lower-cased address inside a header like `Sender: "List" <owner-list@host>`. Only its
 * local part and host labels are matched, so no full normalisation (it is on the hot path
 * of every synced message).
 */
function addressIn(value: string | undefined): string | null {
  if (!value) return null;
  const match = /<([^<>\s]+@[^<>\s]+)>/.exec(value) ?? /([^\s<>"(),;]+@[^\s<>"(),;]+)/.exec(value);
  return match?.[1] ? match[1].toLowerCase() : null;
}

function short(value: string, max = 60): string {
  const oneLine = value.replace(/\s+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

type AddEvidence = (
  signal: AutomatedSignal,
  weight: number,
  category: AutomatedCategory,
  detail: string,
) => void;

function addTo(evidence: AutomatedEvidence[]): AddEvidence {
  return (signal, weight, category, detail) => {
    evidence.push({ signal, weight, category, detail });
  };
}

function collectEvidence(message: AutomatedMailInput): AutomatedEvidence[] {
  const { headers } = message;
  const evidence: AutomatedEvidence[] = [];
  const add = addTo(evidence);
  const subject = message.subject ?? header(headers, 'subject') ?? '';
  const from = message.from?.address ?? '';
  const fromLocal = from ? localPartOfAddress(from) : '';
  const mailSystemSender = fromLocal !== '' && MAIL_SYSTEM_LOCAL_PART.test(fromLocal);

  // Reports (bounces, read receipts, ARF, TLS-RPT) by content type.
  const contentType = header(headers, 'content-type') ?? '';
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (mediaType === 'multipart/report') {
    const reportType = contentTypeParameter(contentType, 'report-type') ?? 'unknown';
    const known = REPORT_TYPES[reportType];
    add(
      'delivery_report',
      DECISIVE,
      known?.category ?? 'report',
      `${known?.what ?? (reportType === 'unknown' ? 'report' : `${reportType} report`)} (multipart/report)`,
    );
  } else if (
    mediaType === 'message/delivery-status' ||
    mediaType === 'message/feedback-report' ||
    mediaType.startsWith('application/tlsrpt')
  ) {
    add(
      'report_content',
      DECISIVE,
      mediaType.includes('delivery') ? 'bounce' : 'report',
      `Content-Type ${mediaType}`,
    );
  }
  if (REPORT_SUBJECT.test(subject)) {
    add('report_subject', DECISIVE, 'report', `a DMARC or feedback report subject ("${short(subject, 40)}")`);
  }

  // RFC 3834 and vendor auto-reply headers.
  const autoSubmitted = header(headers, 'auto-submitted');
  if (autoSubmitted && autoSubmitted.split(/[;\s(]/u)[0]?.toLowerCase() !== 'no') {
    // auto-replied (RFC 3834 §5) is decisive. auto-generated is weighed: helpdesks stamp it
    // on every message they send, agents' replies included (Zendesk documents
    // "Auto-Submitted: auto-generated" among the headers of all its outbound mail,
    // https://support.zendesk.com/hc/en-us/articles/4408836366362), so a reply addressed to
    // the user can outweigh it.
    const replied = /^auto-replied/i.test(autoSubmitted);
    add(
      'auto_submitted',
      replied ? DECISIVE : 5,
      replied ? 'auto_reply' : 'notification',
      `Auto-Submitted: ${short(autoSubmitted, 40)}`,
    );
  }
  const appleAction = header(headers, 'x-apple-action');
  if (appleAction && /vacation/i.test(appleAction)) {
    add(
      'apple_vacation',
      DECISIVE,
      'auto_reply',
      `X-Apple-Action: ${short(appleAction, 20)} (iCloud vacation reply)`,
    );
  }
  const xAutoreply = header(headers, 'x-autoreply');
  if (xAutoreply && xAutoreply.toLowerCase() !== 'no') {
    add('x_autoreply', DECISIVE, 'auto_reply', `X-Autoreply: ${short(xAutoreply, 20)}`);
  }
  const xAutorespond = header(headers, 'x-autorespond');
  if (xAutorespond && xAutorespond.toLowerCase() !== 'no') {
    add('x_autorespond', DECISIVE, 'auto_reply', `X-Autorespond: ${short(xAutorespond, 20)}`);
  }
  const precedence = header(headers, 'precedence')?.toLowerCase();
  if (precedence === 'auto_reply' || precedence === 'auto-reply') {
    add('precedence_auto_reply', DECISIVE, 'auto_reply', `Precedence: ${precedence}`);
  }
  if (AUTO_REPLY_SUBJECT.test(subject)) {
    add('auto_reply_subject', DECISIVE, 'auto_reply', `an automatic-reply subject ("${short(subject, 40)}")`);
  }
  // Exchange stamps mail generated by an inbox rule (out-of-office, rule replies).
  if (header(headers, 'x-ms-exchange-inbox-rules-loop')) {
    add('inbox_rule_loop', 3, 'auto_reply', 'X-MS-Exchange-Inbox-Rules-Loop (sent by a mailbox rule)');
  }

  // Bounces: the null reverse path (RFC 5321 §4.5.5) and the mail system as sender.
  const returnPath = header(headers, 'return-path');
  const nullReturnPath = returnPath !== undefined && /^<\s*>$/.test(returnPath);
  if (nullReturnPath)
    add('null_return_path', DECISIVE, 'bounce', 'empty Return-Path (<>), which only machines send');
  if (mailSystemSender) {
    add('mail_system_sender', DECISIVE, 'bounce', `sent by the mail system (${from})`);
  }
  if (BOUNCE_SUBJECT.test(subject)) {
    add('bounce_subject', 3, 'bounce', `a non-delivery subject ("${short(subject, 40)}")`);
  }

  // Mailing lists: headers only list servers write.
  const listPost = header(headers, 'list-post');
  if (listPost) add('list_post', DECISIVE, 'mailing_list', `List-Post: ${short(listPost, 50)}`);
  const mailingList = header(headers, 'mailing-list') ?? header(headers, 'x-mailing-list');
  if (mailingList)
    add('mailing_list_header', DECISIVE, 'mailing_list', `Mailing-List: ${short(mailingList, 50)}`);
  const sender = addressIn(header(headers, 'sender'));
  if (sender) {
    const local = localPartOfAddress(sender);
    // Majordomo owner-list@, list-owner@, Mailman list-bounces@, ezmlm list-return-…@,
    // LISTSERV's own host (LISTSERV.example.edu) and its owner-… addresses.
    if (
      /^owner-|-owner$|-request$|-bounces(?:\+|$)|-return-|^listserv$|^majordomo$/.test(local) ||
      /(?:^|@)listserv\./.test(sender)
    ) {
      add('list_sender', DECISIVE, 'mailing_list', `Sender: ${sender} (a list server)`);
    }
  }
  if (precedence === 'list') add('precedence_list', 4, 'mailing_list', 'Precedence: list');
  const listId = header(headers, 'list-id');
  if (listId) add('list_id', 2, 'mailing_list', `List-Id: ${short(listId, 50)}`);

  // Bulk mail: what email services add to campaign (and sometimes all) mail.
  if (header(headers, 'list-unsubscribe')) add('list_unsubscribe', 3, 'newsletter', 'List-Unsubscribe');
  if (/one-click/i.test(header(headers, 'list-unsubscribe-post') ?? '')) {
    add('one_click_unsubscribe', 1, 'newsletter', 'one-click unsubscribe (RFC 8058)');
  }
  if (precedence === 'bulk' || precedence === 'junk') {
    add('precedence', 4, 'newsletter', `Precedence: ${precedence}`);
  }
  if (header(headers, 'feedback-id'))
    add('feedback_id', 1, 'newsletter', 'Feedback-ID (sent through a bulk-mail service)');
  // VERP return paths (bounces+id=recipient@…) are how bulk-mail services match bounces
  // to recipients; transactional relays use them too, hence the low weight.
  const returnAddress = addressIn(returnPath);
  if (
    returnAddress &&
    /^(?:bounces?|bnc|mailer-bounces?)(?:[-+._=]|$)|[-+._]bounces?(?:[-+._=]|$)/.test(
      localPartOfAddress(returnAddress),
    )
  ) {
    add(
      'bounce_return_path',
      1,
      'newsletter',
      `a bulk-mail bounce address as Return-Path (${short(returnAddress, 40)})`,
    );
  }
  let campaign: string | undefined;
  for (const name of CAMPAIGN_HEADERS) {
    if (header(headers, name)) {
      campaign = name;
      break;
    }
  }
  if (campaign) add('campaign_header', 2, 'newsletter', `a campaign header (${campaign})`);
  const mailer = header(headers, 'x-mailer');
  if (mailer && BULK_MAILER.test(mailer))
    add('bulk_mailer', 2, 'newsletter', `X-Mailer: ${short(mailer, 40)}`);

  // Senders.
  if (from && !mailSystemSender && NO_REPLY_LOCAL_PART.test(fromLocal)) {
    add('automated_sender', 4, 'notification', `sent from an address nobody reads (${from})`);
  } else if (from) {
    if (BULK_LOCAL_PART.test(fromLocal) || BULK_SUBDOMAIN.test(from.slice(from.lastIndexOf('@') + 1))) {
      add('bulk_sender', 2, 'newsletter', `a campaign sender address (${from})`);
    }
  }
  return evidence;
}

function collectCounterEvidence(
  message: AutomatedMailInput,
  context: AutomatedMailContext,
): CounterEvidence[] {
  const own = context.ownAddresses;
  const to = message.to ?? [];
  const cc = message.cc ?? [];
  let toUser = false;
  if (own) for (const a of to) if (own.has(a.address)) toUser = true;
  const isReply = Boolean(message.inReplyTo) || (message.references?.length ?? 0) > 0;
  // Every counter-signal hangs on the reply: newsletters also greet by name and go to one
  // recipient, but they do not answer the user's own mail.
  if (!(context.repliesToOwnMessage || (isReply && toUser))) return [];
  const counter: CounterEvidence[] = [
    {
      signal: 'reply_to_user',
      weight: 4,
      detail: context.repliesToOwnMessage
        ? 'a reply to a message you sent'
        : 'a reply in a conversation addressed to you',
    },
  ];
  if (to.length === 1 && cc.length === 0 && toUser) {
    counter.push({ signal: 'single_recipient', weight: 1, detail: 'sent to you alone' });
  }
  if (SALUTATION.test(message.snippet ?? '')) {
    counter.push({ signal: 'personal_salutation', weight: 1, detail: 'opens with a personal greeting' });
  }
  return counter;
}

const CATEGORY_WORDS: Record<AutomatedCategory, string> = {
  bounce: 'bounce',
  auto_reply: 'auto-reply',
  report: 'automated report',
  mailing_list: 'mailing list',
  newsletter: 'newsletter',
  notification: 'automated notification',
};

/** "bounce", "newsletter", ... as a rep reads it (skip counts, receipts). */
export function describeAutomatedCategory(category: AutomatedCategory): string {
  return CATEGORY_WORDS[category];
}

function joinDetails(details: readonly string[]): string {
  if (details.length <= 1) return details[0] ?? '';
  return `${details.slice(0, -1).join(', ')} and ${details[details.length - 1]}`;
}

// Decisive signals from most to least telling of what the message is.
const DECISIVE_PRIORITY: readonly AutomatedSignal[] = [
  'delivery_report',
  'report_content',
  'report_subject',
  'mail_system_sender',
  'apple_vacation',
  'x_autoreply',
  'x_autorespond',
  'precedence_auto_reply',
  'auto_reply_subject',
  'list_post',
  'mailing_list_header',
  'list_sender',
  'auto_submitted',
  'null_return_path',
];

// Ties between equally heavy weighed evidence.
const CATEGORY_ORDER: readonly AutomatedCategory[] = [
  'bounce',
  'auto_reply',
  'report',
  'mailing_list',
  'newsletter',
  'notification',
];

function heaviestOf(evidence: readonly AutomatedEvidence[]): AutomatedEvidence {
  return [...evidence].sort(
    (a, b) => b.weight - a.weight || CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category),
  )[0] as AutomatedEvidence;
}

/**
 * Whether a message was sent by a machine rather than a person, with the evidence and a
 * reason a rep can read ("newsletter: List-Unsubscribe and Precedence: bulk").
 */
export function detectAutomatedMail(
  message: AutomatedMailInput,
  context: AutomatedMailContext = {},
): AutomatedVerdict {
  const evidence = collectEvidence(message);
  if (evidence.length === 0) {
    return {
      automated: false,
      reason: 'personal mail: no automated-mail headers and a personal sender address',
      evidence,
      counter: [],
    };
  }
  const counter = collectCounterEvidence(message, context);

  const decisive = evidence.filter((e) => e.weight === DECISIVE);
  const weighedEvidence = evidence.filter((e) => e.weight !== DECISIVE);
  if (decisive.length > 0) {
    // The most telling signal names the category: a bounce also carries Auto-Submitted, an
    // auto-reply also has the empty Return-Path bounces use.
    const first = [...decisive].sort(
      (a, b) => DECISIVE_PRIORITY.indexOf(a.signal) - DECISIVE_PRIORITY.indexOf(b.signal),
    )[0] as AutomatedEvidence;
    // An empty Return-Path alone says "a machine", not which: the weighed evidence does.
    const category =
      first.signal === 'null_return_path' && weighedEvidence.length > 0
        ? heaviestOf(weighedEvidence).category
        : first.category;
    const details = [
      first.detail,
      ...decisive.filter((e) => e !== first && e.category === category).map((e) => e.detail),
      ...(category !== first.category ? weighedEvidence.map((e) => e.detail) : []),
    ];
    return {
      automated: true,
      category,
      signal: first.signal,
      reason: `${CATEGORY_WORDS[category]}: ${joinDetails(details.slice(0, 2))}`,
      evidence,
      counter,
    };
  }

  const weighed = evidence.reduce((sum, e) => sum + e.weight, 0);
  const offset = counter.reduce((sum, c) => sum + c.weight, 0);
  if (weighed - offset >= AUTOMATED_THRESHOLD) {
    const heaviest = heaviestOf(evidence);
    const details = [...evidence].sort((a, b) => b.weight - a.weight).map((e) => e.detail);
    return {
      automated: true,
      category: heaviest.category,
      signal: heaviest.signal,
      reason: `${CATEGORY_WORDS[heaviest.category]}: ${joinDetails(details.slice(0, 2))}`,
      evidence,
      counter,
    };
  }

  const seen = joinDetails(evidence.map((e) => e.detail).slice(0, 3));
  return {
    automated: false,
    reason:
      counter.length > 0
        ? `personal mail: ${joinDetails(counter.map((c) => c.detail))}; ${seen} alone is what email services add to everything they send`
        : `personal mail: ${seen} alone is not enough to call it automated`,
    evidence,
    counter,
  };
}
