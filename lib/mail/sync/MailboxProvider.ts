import type { z } from 'zod';
import type { AccessTokenProvider } from '../../auth/AccessTokenProvider';
import type { OAuthProviderConfig } from '../../auth/OAuthProviders';
import type { OAuthClients } from '../../settings/Settings';
import type { FolderRole, MailMessage, MailProvider, ThreadSnapshot } from '../MailMessage';
import type { CursorStore, SyncPassResult } from './MailboxSync';
import type { MailboxSyncEngineOptions } from './MailboxSyncEngine';
import type { MailWindow, MailWindowListing, MailWindowListingOptions } from './MailWindowListing';

/** The folders a background sync reads: sent mail always, received mail when auto-logged. */
export type SyncFolder = 'sent' | 'inbox';

/** Durable cursor storage for one engine, its cursors parsed with the engine's schema. */
export type CursorStoreFactory = <T>(schema: z.ZodType<T>) => CursorStore<T>;

/** How to reach a provider's API (tests point these at local fakes). */
export interface MailboxApiTransport {
  baseUrl?: string | undefined;
  fetch?: typeof fetch | undefined;
  /**
   * A shared mailbox read with the rep's own sign-in (Microsoft 365 only): its address, and
   * the rep's own address its sent mail is credited to.
   */
  sharedMailbox?: { address: string; repAddress: string } | undefined;
}

/** What to do in the mailbox with one logged message (lib/mail/sync/planMailboxMarks.ts decides). */
export interface MailboxMark {
  providerMessageId: string;
  /** Gmail: add the label; Outlook: add the category. */
  label: boolean;
  /** Gmail: remove INBOX; Outlook: move to the Archive folder. */
  archive: boolean;
}

/** The label (Gmail) or category (Outlook) name logged mail gets. */
export interface MailboxMarkNames {
  gmailLabel: string;
  outlookCategory: string;
}

/** One message's mark, applied, or not possible because the message is gone. */
export interface MailboxMarkOutcome {
  providerMessageId: string;
  applied: boolean;
}

/** A message just sent from the webmail's compose form, as the form showed it. */
export interface SentMessageQuery {
  /**
   * The provider's own id for the sent message, when the page gave it (Gmail's `sent` event
   * does; Outlook on the web's compose form does not): then the other fields are not needed.
   */
  providerMessageId?: string;
  subject: string;
  /** The To addresses the form showed (lower case). */
  to: readonly string[];
  /** The conversation of a reply, in the provider's API form, when the page named it. */
  conversationId: string | null;
  /** When Send was pressed. */
  sentAt: Date;
}

/** One mailbox's provider API, bound to its client (one per mailbox per worker lifetime). */
export interface MailboxApi {
  /** Who signed in: the mailbox's address, as the provider reports it. */
  address(): Promise<string>;
  /** One sync pass of `folder`. */
  syncFolder(
    folder: SyncFolder,
    options: MailboxSyncEngineOptions & { cursorStore: CursorStoreFactory },
  ): Promise<SyncPassResult>;
  /**
   * The folder's messages dated inside `window`, mapped as the sync maps them, without side
   * effects (no cursor moves): what the sync audit compares with the CRM.
   */
  listWindow(folder: SyncFolder, window: MailWindow, options: MailWindowListingOptions): MailWindowListing;
  /** The exact message (Message-ID, recipients) for an item read from the page, where the API offers it. */
  readMessage?(
    providerMessageId: string,
    mailbox: string,
    folderRole: FolderRole,
  ): Promise<MailMessage | null>;
  /**
   * The thread read from the page, upgraded through the API as a whole where the provider
   * can match page messages to its own (Outlook: the URL's item or the conversation).
   */
  upgradePageSnapshot?(snapshot: ThreadSnapshot, mailbox: string): Promise<ThreadSnapshot>;
  /**
   * Labels / archives logged messages through the provider's API (needs the write scope; a
   * read-only grant throws MailboxAuthError `insufficient_scope`).
   */
  markMessages?(marks: readonly MailboxMark[], names: MailboxMarkNames): Promise<MailboxMarkOutcome[]>;
  /**
   * The thread a webmail URL names, read through the API alone (no page reading), for the
   * browser's side panel; null when the URL names no thread this API can open.
   */
  threadFromUrl?(url: string, mailbox: string): Promise<ThreadSnapshot | null>;
  /**
   * The sent-folder message a compose send produced, with its exact Message-ID, or null while
   * it is not (yet) there: how a send from the webmail page is confirmed and identified.
   */
  findSentMessage?(query: SentMessageQuery, mailbox: string): Promise<MailMessage | null>;
}

/**
 * Everything provider-specific a mailbox connection needs, one entry per provider in the
 * table `MailboxService` reads: the OAuth registration, the API client, the address probe
 * and the sync engine.
 */
export interface MailboxProvider {
  provider: MailProvider;
  /** The identity provider's name as people know it ("Google", "Microsoft"). */
  accountName: string;
  /** How the extension's database labels this provider's sync cursors. */
  cursorKind: 'gmail_history' | 'graph_delta';
  /** Whether the provider's token endpoint wants the client's secret (Google Web application clients). */
  clientSecret: 'required' | 'none';
  /**
   * Null when the admin has not entered the client id yet. `write` adds the scope that lets
   * the extension label, categorise and archive mail (asked for only when that is turned on).
   */
  oauthConfig(
    clients: OAuthClients,
    options?: { write?: boolean; shared?: boolean },
  ): OAuthProviderConfig | null;
  open(mailboxId: string, getAccessToken: AccessTokenProvider, transport: MailboxApiTransport): MailboxApi;
}
