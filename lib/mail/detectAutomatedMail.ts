import type { MailAddress } from './MailMessage';
import { localPartOfAddress } from './normaliseAddress';

export type AutomatedSignal =
  | 'auto_submitted'
  | 'list_id'
  | 'list_unsubscribe'
  | 'precedence'
  | 'x_autoreply'
  | 'x_autorespond'
  | 'delivery_report'
  | 'null_return_path'
  | 'automated_sender';

export type AutomatedVerdict =
  | { automated: false; reason: string }
  | { automated: true; signal: AutomatedSignal; reason: string };

// no-reply, noreply, no_reply, donotreply, do-not-reply, mailer-daemon, postmaster, with an
// optional tag or suffix (noreply+abc@, no-reply-notifications@).
const AUTOMATED_LOCAL_PART =
  /^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|postmaster)(?:[-_.+].*)?$/;

/** Whether an address belongs to a machine that does not read replies. */
export function isAutomatedSenderAddress(address: string): boolean {
  return AUTOMATED_LOCAL_PART.test(localPartOfAddress(address.toLowerCase()));
}

function header(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const value = headers[name];
  return value === undefined ? undefined : value.trim();
}

/** Content-Type parameter value (unquoted, lower-case), e.g. report-type. */
function contentTypeParameter(contentType: string, parameter: string): string | undefined {
  const match = new RegExp(`;\\s*${parameter}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(contentType);
  const value = match?.[1] ?? match?.[2];
  return value?.toLowerCase();
}

/**
 * Whether a message was sent by a machine rather than a person (RFC 3834 Auto-Submitted,
 * mailing-list headers, Precedence, vendor auto-reply headers, delivery/read reports,
 * no-reply senders). `headers` is keyed by lower-cased header name. The reason is shown to
 * the user, so it names the header or address that decided.
 */
export function detectAutomatedMail(message: {
  from: MailAddress | null;
  headers: Readonly<Record<string, string>>;
}): AutomatedVerdict {
  const { headers } = message;

  // Reports first: a bounce also carries Auto-Submitted, but "bounce" is the better reason.
  const contentType = header(headers, 'content-type');
  if (contentType && /^multipart\/report\b/i.test(contentType)) {
    const reportType = contentTypeParameter(contentType, 'report-type') ?? 'unknown';
    const what =
      reportType === 'delivery-status'
        ? 'delivery status notification (bounce)'
        : reportType === 'disposition-notification'
          ? 'read receipt'
          : `${reportType} report`;
    return { automated: true, signal: 'delivery_report', reason: `${what}: Content-Type multipart/report` };
  }

  const autoSubmitted = header(headers, 'auto-submitted');
  if (autoSubmitted && autoSubmitted.split(/[;\s]/u)[0]?.toLowerCase() !== 'no') {
    return { automated: true, signal: 'auto_submitted', reason: `Auto-Submitted: ${autoSubmitted}` };
  }

  const xAutoreply = header(headers, 'x-autoreply');
  if (xAutoreply !== undefined && xAutoreply.toLowerCase() !== 'no') {
    return { automated: true, signal: 'x_autoreply', reason: `auto-reply: X-Autoreply: ${xAutoreply}` };
  }
  const xAutorespond = header(headers, 'x-autorespond');
  if (xAutorespond !== undefined && xAutorespond.toLowerCase() !== 'no') {
    return { automated: true, signal: 'x_autorespond', reason: `auto-reply: X-Autorespond: ${xAutorespond}` };
  }

  const precedence = header(headers, 'precedence')?.toLowerCase();
  if (
    precedence === 'bulk' ||
    precedence === 'list' ||
    precedence === 'junk' ||
    precedence === 'auto_reply'
  ) {
    return { automated: true, signal: 'precedence', reason: `bulk mail: Precedence: ${precedence}` };
  }

  const listId = header(headers, 'list-id');
  if (listId) {
    return { automated: true, signal: 'list_id', reason: `mailing list: List-Id: ${listId}` };
  }
  if (header(headers, 'list-unsubscribe')) {
    return {
      automated: true,
      signal: 'list_unsubscribe',
      reason: 'newsletter or mailing list: has List-Unsubscribe',
    };
  }

  const from = message.from?.address;
  if (from && isAutomatedSenderAddress(from)) {
    return {
      automated: true,
      signal: 'automated_sender',
      reason: `sent from an automated address (${from})`,
    };
  }

  // RFC 5321 null reverse-path: only bounces and other reports are sent with `<>`.
  const returnPath = header(headers, 'return-path');
  if (returnPath !== undefined && /^<\s*>$/.test(returnPath)) {
    return {
      automated: true,
      signal: 'null_return_path',
      reason: 'sent with an empty Return-Path (<>), as bounces are',
    };
  }

  return { automated: false, reason: 'no automated-mail headers and a personal sender address' };
}
