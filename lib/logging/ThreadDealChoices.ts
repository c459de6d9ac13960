import { z } from 'zod';
import type { MailMessage } from '../mail/MailMessage';
import type { CrmSidebarDb } from '../store/db';

/** The rep's deal for a thread: a deal id, or null for "no deal" (a choice too: nothing is guessed). */
export const ThreadDealChoice = z.object({
  dealId: z.string().nullable(),
  /** The deal's name when chosen, so receipts and other tabs can say it without a CRM call. */
  dealName: z.string().nullable(),
  chosenAt: z.number(),
});
export type ThreadDealChoice = z.infer<typeof ThreadDealChoice>;

const PREFIX = 'threadDeal:';

/**
 * One key per conversation, the same for the panel (page-read messages) and the sync
 * (API-read messages): provider, mailbox and the provider's thread id (Gmail threadId,
 * Graph conversationId). Null for a message without a thread id.
 */
export function threadKeyOfMessage(
  message: Pick<MailMessage, 'provider' | 'mailbox' | 'providerThreadId'>,
): string | null {
  if (!message.providerThreadId) return null;
  return `${message.provider}:${message.mailbox.trim().toLowerCase()}:${message.providerThreadId}`;
}

/**
 * The deal chosen per thread (a thread stays linked to the deal the rep picked, so later
 * messages of the thread log to it too). Kept in the
 * background's database, so every tab and the sync see the same choice. Rows live in the
 * key/value `settings` table under `threadDeal:<thread key>`: no schema version needed.
 */
export class ThreadDealChoices {
  constructor(
    private readonly db: CrmSidebarDb,
    private readonly now: () => number = Date.now,
  ) {}

  async get(threadKey: string): Promise<ThreadDealChoice | null> {
    const row = await this.db.settings.get(PREFIX + threadKey);
    const parsed = ThreadDealChoice.safeParse(row?.value);
    return parsed.success ? parsed.data : null;
  }

  async forMessage(message: Pick<MailMessage, 'provider' | 'mailbox' | 'providerThreadId'>) {
    const key = threadKeyOfMessage(message);
    return key === null ? null : this.get(key);
  }

  async set(
    threadKey: string,
    choice: { dealId: string | null; dealName: string | null },
  ): Promise<ThreadDealChoice> {
    const value: ThreadDealChoice = { ...choice, chosenAt: this.now() };
    await this.db.settings.put({ key: PREFIX + threadKey, value, updatedAt: value.chosenAt });
    return value;
  }

  async clear(threadKey: string): Promise<void> {
    await this.db.settings.delete(PREFIX + threadKey);
  }
}
