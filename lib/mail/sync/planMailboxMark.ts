import type { MailboxMarkSettings } from '../../settings/MailboxMarkSettings';

/** How long a message handed to the outbox may take to reach the CRM before it is given up on. */
export const MARK_PENDING_WINDOW_MS = 7 * 24 * 60 * 60_000;

/** What the mailbox mark pass does with one remembered message. */
export type MailboxMarkDecision =
  /** Not in the CRM yet (queued, retrying, or failed and perhaps retried by the rep): ask again later. */
  | { action: 'wait' }
  /** Never reached the CRM within the window: nothing is ever done to it in the mailbox. */
  | { action: 'give_up' }
  /** In the CRM; nothing to do in the mailbox (options off, or no write access). */
  | { action: 'logged' }
  /** In the CRM: label and / or archive it. */
  | { action: 'mark'; label: boolean; archive: boolean };

export interface MailboxMarkFacts {
  /** The CRM holds it (the Message-ID registry, written only from the CRM's answer). */
  logged: boolean;
  /** Received, and in the inbox when it was read. */
  inInbox: boolean;
  createdAt: number;
  now: number;
  settings: MailboxMarkSettings;
  /** The mailbox's grant includes the write scope. */
  writeAccess: boolean;
}

/**
 * The rules of marking logged mail in the mailbox: only mail the CRM holds is labelled or
 * archived, so a message that was skipped (never remembered) or failed (never in the registry)
 * is left alone; archiving moves only received mail that is in the inbox, never sent mail;
 * without the write scope nothing is written.
 */
export function planMailboxMark(facts: MailboxMarkFacts): MailboxMarkDecision {
  if (!facts.logged) {
    return facts.now - facts.createdAt > MARK_PENDING_WINDOW_MS ? { action: 'give_up' } : { action: 'wait' };
  }
  const label = facts.settings.labelLogged;
  const archive = facts.settings.archiveLogged && facts.inInbox;
  if (!facts.writeAccess || (!label && !archive)) return { action: 'logged' };
  return { action: 'mark', label, archive };
}
