import { z } from 'zod';
import { ErrorInfo } from '../../errors/ErrorInfo';
import { defineMessages } from '../../messaging/protocol';
import { MailProvider } from '../MailMessage';

/** Whether a mailbox can get labels / categories and archiving, and if not, why. */
export const MailboxWriteAccess = z.object({
  mailboxId: z.string(),
  provider: MailProvider,
  address: z.string(),
  /** The grant includes gmail.modify / Mail.ReadWrite. */
  granted: z.boolean(),
  /** Why the last request for it did not get it (window closed, consent declined); null if never asked. */
  refusal: ErrorInfo.nullable(),
});
export type MailboxWriteAccess = z.infer<typeof MailboxWriteAccess>;

/** Gmail's thread list asks this many threads at most at a time (one screen is 50 by default, 100 at most). */
export const LOGGED_THREADS_MAX = 100;

/** The runtime messages of the mailbox marks; the background registers them in MESSAGES. */
export const MAILBOX_MARK_MESSAGES = defineMessages({
  /** Per connected mailbox, whether the marks can be applied. */
  'mailbox.writeAccess.get': {
    request: z.object({}),
    response: z.object({ mailboxes: z.array(MailboxWriteAccess) }),
    senders: ['extension'],
  },
  /** Asks the provider for write access (incremental consent) for one or every connected mailbox. */
  'mailbox.writeAccess.request': {
    request: z.object({ id: z.string().optional() }),
    response: z.object({ mailboxes: z.array(MailboxWriteAccess) }),
    senders: ['extension'],
  },
  /**
   * Gmail's thread list: which of these threads hold mail the CRM has. A read-only question:
   * the page learns no more than "in the CRM" for the thread ids it already shows.
   */
  'mailbox.loggedThreads': {
    request: z.object({
      provider: MailProvider,
      mailbox: z.string().trim().toLowerCase().min(3).max(320),
      threadIds: z.array(z.string().min(1).max(64)).max(LOGGED_THREADS_MAX),
    }),
    response: z.object({ threadIds: z.array(z.string()), marker: z.boolean() }),
    senders: ['content'],
  },
});
