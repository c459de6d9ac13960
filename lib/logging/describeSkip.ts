import type { AutomatedCategory } from '../mail/detectAutomatedMail';
import { parseSkipCountKey, type SkipReason, type SkipRule } from './SkipReason';

interface SkipWords {
  /** In the sync's counts: "Skipped: newsletters 12, excluded domain 3". */
  count: string;
  /** In a message's receipt: "Skipped: <receipt>: <detail>". */
  receipt: string;
}

/**
 * The one table that words a skip rule, for the panel's receipts and the popup's (and
 * options page's) sync figures alike: a new rule does not compile until it is worded here.
 */
const SKIP_WORDS: Record<SkipRule, SkipWords> = {
  automated: { count: 'automated mail', receipt: 'automated mail' },
  excluded_domain: { count: 'excluded domain', receipt: 'the domain is on your excluded list' },
  free_mail: { count: 'free-mail address', receipt: 'a free-mail address, which never makes a contact' },
  internal: { count: 'internal mail', receipt: 'internal mail, everyone is at your organisation' },
  privacy: { count: 'privacy settings', receipt: 'your privacy settings' },
  no_message_id: { count: 'no Message-ID', receipt: 'no Message-ID, which is nearly always spam' },
  message_id_not_shown: {
    count: 'Message-ID not shown by the page',
    receipt:
      'the page does not show its Message-ID, so Log email files it under the webmail’s own item key; with the mailbox connected, the sync logs it under its exact Message-ID',
  },
  never_log: { count: 'never-log list', receipt: 'on your never-log list' },
  ambiguous: { count: 'shared address, not picked', receipt: 'several contacts share this address' },
  no_contact: { count: 'no matching contact', receipt: 'no one on it is a CRM contact' },
  draft: { count: 'drafts', receipt: 'a draft, only sent mail is logged' },
  junk: { count: 'junk', receipt: 'in the junk folder' },
  trash: { count: 'trash', receipt: 'in the trash' },
  only_you: { count: 'only you on it', receipt: 'no one but you is on it' },
  no_sender: { count: 'no sender', receipt: 'no From address, usually a system notification' },
  out_of_window: { count: 'outside the import window', receipt: 'older than the import window' },
  no_date: { count: 'no readable date', receipt: 'the page showed no readable date' },
  refused_by_crm: {
    count: 'set aside: values the CRM refuses',
    receipt: 'set aside, the CRM would refuse its values',
  },
  removed_by_you: {
    count: 'removed by you',
    receipt: 'you removed it from the CRM, so neither the sync nor Log email puts it back',
  },
  log_off_at_send: {
    count: 'sent with Log to CRM off',
    receipt: 'you sent it with Log to CRM off; Log email still logs it',
  },
};

const AUTOMATED_WORDS: Record<AutomatedCategory, SkipWords> = {
  bounce: { count: 'bounces', receipt: 'automated mail (a bounce)' },
  auto_reply: { count: 'auto-replies', receipt: 'automated mail (an auto-reply)' },
  report: { count: 'automated reports', receipt: 'automated mail (a report)' },
  mailing_list: { count: 'mailing lists', receipt: 'automated mail (a mailing list)' },
  newsletter: { count: 'newsletters', receipt: 'automated mail (a newsletter)' },
  notification: { count: 'automated notifications', receipt: 'automated mail (a notification)' },
};

function wordsFor(reason: Pick<SkipReason, 'rule' | 'automated'>): SkipWords {
  return reason.rule === 'automated' && reason.automated
    ? AUTOMATED_WORDS[reason.automated]
    : SKIP_WORDS[reason.rule];
}

/** A receipt's words: the rule ("automated mail (a newsletter)") and the specifics, if any. */
export function describeSkip(reason: SkipReason): { rule: string; detail: string; text: string } {
  const rule = wordsFor(reason).receipt;
  return { rule, detail: reason.detail, text: reason.detail ? `${rule}: ${reason.detail}` : rule };
}

/** A sync count key in words; a key no version of the rules wrote falls back to itself made readable. */
export function describeSkipCount(key: string): string {
  const parsed = parseSkipCountKey(key);
  return parsed ? wordsFor(parsed).count : key.replaceAll('_', ' ');
}
