import { Dexie, type EntityTable, type Table } from 'dexie';
import type { ActivityResult, EmailActivityInput, LookupResponse } from '../crm/contract';
import type { ErrorInfo } from '../errors/ErrorInfo';
import type { MailProvider } from '../mail/MailMessage';

/**
 * THE extension database: every table, every version, in one file. The background service
 * worker may be killed at any moment (MV3), so anything that must survive lives here
 * before it is acted on. Schema changes add a new `this.version(n)` below; never edit a
 * published version.
 */

/** Key/value rows; the Settings object lives under `SETTINGS_KEY`. */
export interface SettingsRow {
  key: string;
  value: unknown;
  updatedAt: number;
}
export const SETTINGS_KEY = 'settings';

export interface LookupCacheRow {
  /** `lookupCacheKey(request)`: the sorted emails and domains asked for. */
  key: string;
  value: LookupResponse;
  storedAt: number;
  expiresAt: number;
}

/** The Message-ID registry (docs/ARCHITECTURE.md, "Message identity"): one row per (CRM user, normalised Message-ID). */
export interface RegistryRow {
  crmUserId: string;
  externalId: string;
  /** contactId -> the CRM's activity id and whether this logging created it. */
  activities: Record<string, { activityId: string; status: 'created' | 'existing' }>;
  /**
   * contactId -> when the rep removed this email from that contact (the receipt's Undo): the
   * sync, a click in another tab and the audit's "Log missing" never log it there again.
   */
  removed?: Record<string, { removedAt: number }>;
  /**
   * When the rep sent it with the compose form's "Log to CRM" off: the sync does not log it by
   * itself; a click on "Log email" does (and clears this).
   */
  logOffAtSend?: number;
  loggedAt: number;
  status: 'logged';
}

export type OutboxState = 'pending' | 'failed' | 'delivered';

export interface OutboxRow {
  id?: number;
  /** `${externalId} ${contactId}`: the CRM's idempotency key. */
  key: string;
  crmUserId: string;
  activity: EmailActivityInput;
  state: OutboxState;
  attempts: number;
  /** ms since epoch; pending items are sent once it has passed. */
  nextAttemptAt: number;
  createdAt: number;
  updatedAt: number;
  lastError?: ErrorInfo & { at: number; itemError?: boolean };
  result?: Extract<ActivityResult, { status: 'created' | 'existing' }>;
  deliveredAt?: number;
}

export interface SyncCursorRow {
  mailboxId: string;
  /** Provider cursor: Gmail historyId or Graph deltaLink. */
  cursor: string;
  kind: 'gmail_history' | 'graph_delta' | 'other';
  updatedAt: number;
}

/** A mailbox row's connection state (the runtime-message `MailboxStatus` is the whole status object). */
export type MailboxConnectionState = 'connected' | 'needs_reauth' | 'disconnected';

export interface MailboxRow {
  id: string;
  provider: MailProvider;
  /** Lower-cased address. */
  address: string;
  displayName?: string;
  primary: boolean;
  status: MailboxConnectionState;
  connectedAt: number;
  lastSyncAt?: number;
  /** Rows written before errors had kinds hold a plain string. */
  lastError?: ErrorInfo | string;
  /** Epoch ms when the sign-in runs out unless renewed (Entra SPA refresh tokens: 24 h). */
  signInExpiresAt?: number;
  /** Why the last request for write access (labels, categories, archiving) did not get it. */
  writeAccessRefused?: ErrorInfo;
  /**
   * A shared mailbox (Microsoft 365): the id of the rep's own mailbox whose sign-in (with
   * Mail.Read.Shared) reads it. It has no tokens of its own.
   */
  sharedThrough?: string;
}

/** Owned by the auth code; the shape is its business. */
export interface TokenRow {
  mailboxId: string;
  [field: string]: unknown;
}

export type EventLevel = 'info' | 'warn' | 'error';

export interface EventRow {
  id?: number;
  at: number;
  level: EventLevel;
  /** What happened, e.g. `sync.failed`, `outbox.blocked` (not an ErrorKind). */
  kind: string;
  message: string;
  data?: unknown;
  /**
   * What the event is about (`sync:<mailboxId>`, `outbox`, `startup`): a later non-error
   * event of the same area means an earlier failure there is over.
   */
  area?: string;
  /** For failures: what was being done, worded for the user ("Scheduled sync of rep@acme.test"). */
  activity?: string;
  /** For failures: the error, mapped to the closed set of kinds. */
  error?: ErrorInfo;
}

/**
 * A message handed to the outbox from a mailbox the extension reads, remembered so that once
 * the CRM has it the mailbox can show it (lib/background/MailboxMarks.ts): a Gmail label or
 * Outlook category, archiving, Gmail's "In CRM" thread-list marker.
 */
export interface MailboxMarkRow {
  /** `${mailboxId} ${providerMessageId}`. */
  key: string;
  /** `${provider}:${address}`, as MailboxRow ids are. */
  mailboxId: string;
  provider: MailProvider;
  providerMessageId: string;
  providerThreadId: string | null;
  /** The registry key (normalised Message-ID) the CRM holds it under. */
  externalId: string;
  /** Received and in the inbox when it was read: the only mail archiving may move. */
  inInbox: boolean;
  /**
   * `pending`: not yet known to be in the CRM; `logged`: in the CRM, nothing (more) to do in
   * the mailbox; `marked`: labelled / archived there too; `not_logged`: never reached the CRM.
   */
  state: 'pending' | 'logged' | 'marked' | 'not_logged';
  createdAt: number;
  updatedAt: number;
  attempts: number;
  labelled?: boolean;
  archived?: boolean;
  lastError?: ErrorInfo;
}

export class CrmSidebarDb extends Dexie {
  settings!: EntityTable<SettingsRow, 'key'>;
  lookupCache!: EntityTable<LookupCacheRow, 'key'>;
  registry!: Table<RegistryRow, [string, string]>;
  outbox!: EntityTable<OutboxRow, 'id'>;
  syncCursors!: EntityTable<SyncCursorRow, 'mailboxId'>;
  mailboxes!: EntityTable<MailboxRow, 'id'>;
  tokens!: EntityTable<TokenRow, 'mailboxId'>;
  events!: EntityTable<EventRow, 'id'>;
  mailboxMarks!: EntityTable<MailboxMarkRow, 'key'>;

  constructor(name: string) {
    super(name);
    this.version(1).stores({
      settings: '&key',
      lookupCache: '&key, expiresAt',
      registry: '&[crmUserId+externalId], crmUserId, loggedAt',
      outbox: '++id, key, state, [state+nextAttemptAt], crmUserId',
      syncCursors: '&mailboxId',
      mailboxes: '&id, address, provider',
      tokens: '&mailboxId',
      events: '++id, at, kind',
    });
    this.version(2).stores({
      mailboxMarks: '&key, state, [mailboxId+providerThreadId], updatedAt',
    });
  }
}

export const DEFAULT_DB_NAME = 'crm-sidebar';

export function openCrmSidebarDb(name: string = DEFAULT_DB_NAME): CrmSidebarDb {
  return new CrmSidebarDb(name);
}
