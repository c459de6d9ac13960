import { z } from 'zod';
import { AuditWindowDays, SyncAuditReport } from '../audit/SyncAuditReport';
import { Contact, MeResponse } from '../crm/contract';
import { CrmSignInRequest, CrmType } from '../crm/vendors/crmVendors';
import { ErrorCode, ErrorInfo, ErrorKind } from '../errors/ErrorInfo';
import { PageHealthSignal, PageIntegrationState } from '../health/PageIntegrationHealth';
import { GMAIL_MESSAGES } from '../mail/gmail/page/gmailMessages';
import { ThreadSnapshot } from '../mail/MailMessage';
import { OUTLOOK_MESSAGES } from '../mail/outlook/page/outlookMessages';
import { MAILBOX_MARK_MESSAGES } from '../mail/sync/mailboxMarkMessages';
import { FEATURE_MESSAGES } from '../panel/features/panelFeatures';
import { SidePanelThread } from '../panel/SidePanelThread';
import { MessageLogStatus, ThreadView } from '../panel/ThreadView';
import { PolicyView } from '../policy/PolicyView';
import { CrmConnection, Settings } from '../settings/Settings';
import { OptionsRouteHash } from '../setup/optionsRoute';
import { defineMessages, Webmail } from './protocol';

/** A panel frame's one-time secret: 128 or more random bits in hex (crypto.getRandomValues). */
export const PanelFrameSecret = z.string().regex(/^[0-9a-f]{32,64}$/);

export const MailboxStatus = z.object({
  id: z.string(),
  provider: z.enum(['gmail', 'outlook']),
  address: z.string(),
  primary: z.boolean(),
  state: z.enum(['connected', 'syncing', 'needs_reauth', 'disconnected', 'error']),
  lastSyncAt: z.string().nullable(),
  /** Why the last sync pass failed; null once a pass succeeds. */
  lastError: ErrorInfo.nullable(),
  /** When the sign-in runs out unless it is renewed first (ISO); null when it does not expire on a schedule. */
  signInExpiresAt: z.string().nullable().default(null),
  progress: z
    .object({ scanned: z.number(), logged: z.number(), skipped: z.number(), total: z.number().nullable() })
    .nullable(),
  skippedReasons: z.record(z.string(), z.number()).default({}),
  /** Messages of the last pass logged with a To or Cc list cut to the contract's 500 (event log names them). */
  recipientsCut: z.number().default(0),
  /** A shared mailbox (Microsoft 365) read with the rep's own sign-in. */
  shared: z.boolean().default(false),
});
export type MailboxStatus = z.infer<typeof MailboxStatus>;

export const OutboxFailure = z.object({
  id: z.string(),
  externalId: z.string(),
  contactId: z.string(),
  subject: z.string(),
  error: ErrorInfo,
  attempts: z.number(),
});
export type OutboxFailure = z.infer<typeof OutboxFailure>;

/** A background failure not yet followed by a success in the same area (see EventLog.problems). */
export const BackgroundProblem = z.object({
  id: z.number(),
  at: z.string(),
  /** What was being done, e.g. "Sync of rep@acme.test". */
  activity: z.string(),
  error: ErrorInfo,
});
export type BackgroundProblem = z.infer<typeof BackgroundProblem>;

export const ExtensionStatus = z.object({
  version: z.string(),
  crmConfigured: z.boolean(),
  crmBaseUrl: z.string(),
  crmUser: z.object({ id: z.string(), name: z.string() }).nullable(),
  outbox: z.object({ pending: z.number(), failed: z.number(), delivered: z.number() }),
  outboxFailures: z.array(OutboxFailure),
  mailboxes: z.array(MailboxStatus),
  problems: z.array(BackgroundProblem).default([]),
  /** Page integrations that have reported (lib/health): working, or broken since when. */
  pageIntegrations: z.array(PageIntegrationState).default([]),
});
export type ExtensionStatus = z.infer<typeof ExtensionStatus>;

export const TestConnectionResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), me: MeResponse }),
  z.object({ ok: z.literal(false), kind: ErrorKind, message: z.string(), code: ErrorCode.optional() }),
]);
export type TestConnectionResult = z.infer<typeof TestConnectionResult>;

/**
 * Every runtime message the background answers, with the contexts that may send each
 * (`content`: a webmail tab's content script; `extension`: the options page, the popup and
 * the panel page, entrypoints/panel). Content scripts hand the panel frame its thread and
 * send the Gmail and Outlook compose logs; every read of CRM data and every write comes from an
 * extension page, which page script can neither read nor drive.
 */
export const MESSAGES = {
  ...GMAIL_MESSAGES,
  ...OUTLOOK_MESSAGES,
  ...FEATURE_MESSAGES,
  ...MAILBOX_MARK_MESSAGES,
  ...defineMessages({
    /**
     * A content script is about to frame the panel page: the secret it will post to that
     * frame, so the background can tell our frame from one the page made (panel.frame.claim).
     */
    'panel.frame.expect': {
      request: z.object({ secret: PanelFrameSecret }),
      response: z.object({}),
      senders: ['content'],
    },
    /** The panel frame proves it is the one its tab's content script made (one use per secret). */
    'panel.frame.claim': {
      request: z.object({ secret: PanelFrameSecret }),
      response: z.object({ host: Webmail }),
      senders: ['extension'],
    },
    'status.get': { request: z.object({}), response: ExtensionStatus, senders: ['extension'] },
    'settings.get': { request: z.object({}), response: Settings, senders: ['extension'] },
    /**
     * A content script says whether its page integration read the open thread (lib/health);
     * the webmail is taken from the sender's URL, not from the message.
     */
    /** The thread open in the active tab, read through the mailbox's API, for the browser's side panel. */
    'sidepanel.thread': {
      request: z.object({
        windowId: z.number().int().nullable().default(null),
        /** A panel pinned to one tab (a detached side panel window) names it. */
        tabId: z.number().int().nullable().default(null),
      }),
      response: SidePanelThread,
      senders: ['extension'],
    },
    'page.health': {
      request: z.object({ signal: PageHealthSignal, detail: z.string().max(300).default('') }),
      response: z.object({}),
      senders: ['content'],
    },
    /** The organisation's policy as the pages show it: who manages, what is locked, what was ignored. */
    'policy.get': { request: z.object({}), response: PolicyView, senders: ['extension'] },
    /** Partial update; the merged result is validated before it is stored. */
    'settings.update': {
      request: z.object({ patch: z.record(z.string(), z.unknown()) }),
      response: Settings,
      senders: ['extension'],
    },
    'crm.testConnection': {
      request: z.object({ crm: CrmConnection }),
      response: TestConnectionResult,
      senders: ['extension'],
    },
    /**
     * A CRM sign-in through the browser's identity window (Salesforce's web-server flow,
     * HubSpot's per-rep OAuth, ...): `vendor` and that vendor's own fields (its
     * `signInRequest`, lib/crm/vendors/<vendor>/<vendor>Vendor.ts); the result becomes the
     * CRM connection.
     */
    'crm.signIn': {
      request: CrmSignInRequest,
      response: TestConnectionResult,
      senders: ['extension'],
    },
    /** Forgets the rep's tokens of a signed-in CRM. */
    'crm.signOut': {
      request: z.object({ vendor: CrmType }),
      response: z.object({}),
      senders: ['extension'],
    },
    /**
     * The panel's one question per opened thread. With preferCache the cached view is
     * answered at once (fromCache: true) and the panel asks again without it to refresh.
     */
    'thread.open': {
      request: z.object({ snapshot: ThreadSnapshot, preferCache: z.boolean().default(false) }),
      response: ThreadView,
      senders: ['extension'],
    },
    /**
     * The content script read a thread and is about to hand it to its panel frame: the
     * background starts the thread's lookup now, so it runs while the frame loads and pairs,
     * and answers the frame's `thread.open` for the same snapshot with it. The content script
     * gets nothing back (what the card shows stays in the frame).
     */
    'thread.prefetch': {
      request: z.object({ snapshot: ThreadSnapshot }),
      response: z.object({}),
      senders: ['content'],
    },
    /** Log the given messages of the thread (one activity per linked contact), through the outbox. */
    'thread.log': {
      request: z.object({ snapshot: ThreadSnapshot, providerMessageIds: z.array(z.string()).min(1) }),
      response: z.object({ messages: z.array(MessageLogStatus) }),
      senders: ['extension'],
    },
    'contact.create': {
      request: z.object({
        name: z.string().trim().min(1),
        email: z.string().trim().min(3),
        companyId: z.string().nullable(),
      }),
      response: z.object({ contact: Contact, existed: z.boolean() }),
      senders: ['extension'],
    },
    'outbox.retry': {
      request: z.object({ ids: z.array(z.string()).optional() }),
      response: z.object({ retried: z.number() }),
      senders: ['extension'],
    },
    /** Opens the options page, optionally at a view (`#setup/connect`, see lib/setup/optionsRoute). */
    'options.open': {
      request: z.object({ route: OptionsRouteHash.optional() }),
      response: z.object({}),
      senders: ['extension'],
    },
    'mailbox.connect': {
      request: z.object({ provider: z.enum(['gmail', 'outlook']) }),
      response: MailboxStatus,
      senders: ['extension'],
    },
    /** A Microsoft 365 shared mailbox the policy `sharedMailboxes` lists, read with the rep's own sign-in. */
    'mailbox.connectShared': {
      request: z.object({ address: z.string().trim().toLowerCase().min(3).max(400) }),
      response: MailboxStatus,
      senders: ['extension'],
    },
    /** The admin's OAuth client secret (Google Web application clients); '' forgets it. Write-only. */
    'oauth.clientSecret.set': {
      request: z.object({ provider: z.enum(['gmail', 'outlook']), secret: z.string().max(512) }),
      response: z.object({ configured: z.boolean() }),
      senders: ['extension'],
    },
    /**
     * The redirect URI the mailbox sign-ins use (`identity.getRedirectURL()`: chromiumapp.org in
     * Chrome, extensions.allizom.org in Firefox), which the admin registers with the app.
     */
    'oauth.redirectUri.get': {
      request: z.object({}),
      response: z.object({ redirectUri: z.url() }),
      senders: ['extension'],
    },
    'oauth.clientSecret.status': {
      request: z.object({}),
      response: z.object({ gmail: z.boolean(), outlook: z.boolean() }),
      senders: ['extension'],
    },
    'mailbox.disconnect': {
      request: z.object({ id: z.string() }),
      response: z.object({}),
      senders: ['extension'],
    },
    'mailbox.setPrimary': {
      request: z.object({ id: z.string() }),
      response: z.object({}),
      senders: ['extension'],
    },
    'mailbox.syncNow': {
      request: z.object({ id: z.string().optional() }),
      response: z.object({ started: z.number() }),
      senders: ['extension'],
    },
    /** The last sync audit of every mailbox that has one (live while it runs). */
    'audit.list': {
      request: z.object({}),
      response: z.object({ reports: z.array(SyncAuditReport) }),
      senders: ['extension'],
    },
    /** Starts a sync audit of a connected mailbox over the last 7, 30 or 90 days; answers at once. */
    'audit.start': {
      request: z.object({ mailboxId: z.string().min(1), days: AuditWindowDays }),
      response: SyncAuditReport,
      senders: ['extension'],
    },
    /** Sends the last audit's missing messages through the outbox, once; answers when delivered or queued. */
    'audit.logMissing': {
      request: z.object({ mailboxId: z.string().min(1) }),
      response: SyncAuditReport,
      senders: ['extension'],
    },
  }),
};
export type Messages = typeof MESSAGES;
