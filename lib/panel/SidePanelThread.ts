import { z } from 'zod';
import { PageProvider } from '../health/PageIntegrationHealth';
import { MailAddress, ThreadSnapshot } from '../mail/MailMessage';

/**
 * What the browser's side panel shows for the active tab: the thread its URL names, read
 * through the mailbox's API (no page reading, so it works when the webmail's markup changes),
 * or why there is none, worded by the side panel.
 */
export const SidePanelThread = z.discriminatedUnion('state', [
  z.object({ state: z.literal('thread'), snapshot: ThreadSnapshot }),
  /** The active tab is not Gmail or Outlook, or shows no thread (the list, settings, a search). */
  z.object({ state: z.literal('no_thread'), provider: PageProvider.nullable() }),
  /** A thread is open, and reading it needs that webmail's mailbox connected. */
  z.object({ state: z.literal('needs_mailbox'), provider: PageProvider }),
  /**
   * No mailbox connected: the people the page shows on the open email, read from its long-stable
   * `email` attributes only (lib/mail/gmail/page/readGmailPagePeople.ts). No Message-IDs, so
   * nothing can be logged from this; connecting the mailbox gives the card and logging.
   */
  z.object({ state: z.literal('page_people'), provider: PageProvider, people: z.array(MailAddress).min(1) }),
  /** The mailbox's API has nothing under the URL's id (deleted, or another account's). */
  z.object({ state: z.literal('not_found'), provider: PageProvider, mailbox: z.string() }),
  /** The URL names the thread in a form the provider's API cannot open (Gmail's opaque tokens). */
  z.object({ state: z.literal('unreadable_url'), provider: PageProvider }),
]);
export type SidePanelThread = z.infer<typeof SidePanelThread>;
