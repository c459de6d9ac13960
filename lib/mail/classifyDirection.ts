import type { Direction } from '../crm/contract';
import type { MailAddress, MailMessage } from './MailMessage';

/** `auto`: the sync may log it; `manual_only`: only when the user asks; `never`: not at all. */
export type LogEligibility = 'auto' | 'manual_only' | 'never';

export type DirectionCode =
  | 'sent_folder'
  | 'from_self'
  | 'received'
  | 'draft'
  | 'junk'
  | 'trash'
  | 'no_from'
  | 'no_message_id'
  | 'too_old'
  | 'only_own_addresses';

export interface DirectionVerdict {
  direction: Direction;
  /** The people on the other side: From when incoming, To + Cc when outgoing (own addresses removed). */
  counterparties: MailAddress[];
  eligibility: LogEligibility;
  code: DirectionCode;
  /** Shown to the user. */
  reason: string;
}

export interface ClassifyDirectionOptions {
  /** The user's own addresses (all connected mailboxes and aliases), normalised. */
  ownAddresses: ReadonlySet<string> | readonly string[];
  /** Messages dated before this instant (ms since epoch) are not auto-logged ("recent"). */
  notBefore?: number;
}

function toSet(addresses: ReadonlySet<string> | readonly string[]): ReadonlySet<string> {
  return addresses instanceof Set ? addresses : new Set(addresses as readonly string[]);
}

function makeVerdict(
  direction: Direction,
  counterparties: MailAddress[],
  eligibility: LogEligibility,
  code: DirectionCode,
  reason: string,
): DirectionVerdict {
  return { direction, counterparties, eligibility, code, reason };
}

function withoutOwn(lists: readonly (readonly MailAddress[])[], own: ReadonlySet<string>): MailAddress[] {
  const result: MailAddress[] = [];
  for (const list of lists) {
    for (const a of list) {
      // Linear duplicate check: recipient lists are short, and this avoids a Set per message.
      if (own.has(a.address) || result.some((r) => r.address === a.address)) continue;
      result.push(a);
    }
  }
  return result;
}

/**
 * Direction and log eligibility of one message (docs/ARCHITECTURE.md, "Direction and what is logged"): the sent-folder role means
 * outgoing and the contacts are To + Cc; any other non-excluded role means incoming and the
 * contact is From. Drafts (by role or `\Draft` flag), junk and trash are never logged;
 * a message without From or without Message-ID is not auto-logged (nearly always spam or a
 * system notification), nor is one older than `notBefore`.
 */
export function classifyDirection(
  message: Pick<MailMessage, 'folderRole' | 'flags' | 'from' | 'to' | 'cc' | 'messageId' | 'date'>,
  options: ClassifyDirectionOptions,
): DirectionVerdict {
  const own = toSet(options.ownAddresses);
  const fromSelf = message.from !== null && own.has(message.from.address);
  const outgoing = message.folderRole === 'sent' || fromSelf;
  const direction: Direction = outgoing ? 'outgoing' : 'incoming';
  const counterparties = outgoing
    ? withoutOwn([message.to, message.cc], own)
    : message.from && !own.has(message.from.address)
      ? [message.from]
      : [];
  // No closure or bound function here: this runs once per message in the sync's hot loop.

  const isDraftFlag = message.flags.some((f) => f.toLowerCase() === '\\draft');
  if (message.folderRole === 'drafts' || isDraftFlag) {
    return makeVerdict(direction, counterparties, 'never', 'draft', 'a draft: only sent mail is logged');
  }
  if (message.folderRole === 'junk')
    return makeVerdict(direction, counterparties, 'never', 'junk', 'in the junk / spam folder');
  if (message.folderRole === 'trash')
    return makeVerdict(direction, counterparties, 'never', 'trash', 'in the trash');
  if (message.from === null || message.from.address === '') {
    return makeVerdict(
      direction,
      counterparties,
      'manual_only',
      'no_from',
      'no From address: usually a system notification',
    );
  }
  if (counterparties.length === 0) {
    return makeVerdict(
      direction,
      counterparties,
      'never',
      'only_own_addresses',
      'no one but you is on this message',
    );
  }
  if (message.messageId === null || message.messageId === '') {
    return makeVerdict(
      direction,
      counterparties,
      'manual_only',
      'no_message_id',
      'no Message-ID header: nearly always spam',
    );
  }
  if (options.notBefore !== undefined) {
    const at = message.date ? Date.parse(message.date) : Number.NaN;
    if (Number.isFinite(at) && at < options.notBefore) {
      return makeVerdict(
        direction,
        counterparties,
        'manual_only',
        'too_old',
        `older than the import window (${new Date(options.notBefore).toISOString().slice(0, 10)})`,
      );
    }
  }
  if (message.folderRole === 'sent')
    return makeVerdict(
      direction,
      counterparties,
      'auto',
      'sent_folder',
      'in your sent folder: outgoing to To and Cc',
    );
  if (fromSelf)
    return makeVerdict(
      direction,
      counterparties,
      'auto',
      'from_self',
      `sent from your address ${message.from.address}: outgoing`,
    );
  return makeVerdict(
    direction,
    counterparties,
    'auto',
    'received',
    `received (${message.folderRole}) from ${message.from.address}`,
  );
}
