import { z } from 'zod';
import { CrmInfo } from '../crm/CrmCapabilities';
import { Company, Contact, Deal, EmailActivity } from '../crm/contract';
import { SkipReason } from '../logging/SkipReason';
import { PrivacyLevel } from '../settings/Settings';
import { FEATURE_VIEW_SHAPE } from './features/panelFeatures';

/**
 * What the background answers for an opened thread: the panel renders only this.
 * It crosses the runtime-message boundary, so it is a zod schema.
 */
export const ContactCard = z.object({
  contact: Contact,
  company: Company.nullable(),
  deals: z.array(Deal),
  recentActivities: z.array(EmailActivity),
  /** The thread address that matched (may be an alternate email of the contact). */
  matchedAddress: z.string(),
  /** How the person was found: main or alternate address, an earlier message of the thread, the rep's pick. */
  matchedBy: z.enum(['primary', 'alternate', 'thread', 'override']).default('primary'),
  /** The same in words, shown on the card. */
  matchReason: z.string().default(''),
  /** For the company: which domain matched it (null when it comes from the contact's record only). */
  companyMatch: z.object({ domain: z.string().nullable(), reason: z.string() }).nullable().default(null),
  /** The rep said "Not this company" for this address's domain. */
  companyCorrected: z.boolean().default(false),
  /** False when only the lookup answered and the detail call failed. */
  detailLoaded: z.boolean(),
});
export type ContactCard = z.infer<typeof ContactCard>;

export const UnknownParticipant = z.object({
  address: z.string(),
  name: z.string(),
  /** Display name turned into a contact name suggestion. */
  suggestedName: z.string(),
  /** Company owning the address's registrable domain, when known. */
  company: Company.nullable(),
  canCreate: z.boolean(),
  /** Why "Create contact" is disabled (excluded domain, automated sender, policy off). */
  reason: z.string().nullable(),
});
export type UnknownParticipant = z.infer<typeof UnknownParticipant>;

export const LogState = z.enum(['not_logged', 'queued', 'logged', 'failed', 'not_loggable']);
export type LogState = z.infer<typeof LogState>;

export const MessageLogStatus = z.object({
  providerMessageId: z.string(),
  /** externalId the activity uses (normalised Message-ID, or a provider-derived key). */
  externalId: z.string().nullable(),
  /** True when no exact Message-ID was available and a provider-derived key is used. */
  approximateKey: z.boolean(),
  subject: z.string(),
  /** Null when the page showed no readable date (Outlook, not yet upgraded through Graph). */
  date: z.string().nullable(),
  fromName: z.string(),
  direction: z.enum(['incoming', 'outgoing']).nullable(),
  state: LogState,
  /** Contacts this message would be / was logged to. */
  contactIds: z.array(z.string()),
  loggedAt: z.string().nullable(),
  /** Names of who logged it; includes colleagues ("already logged by a colleague"). */
  loggedBy: z.array(z.object({ userId: z.string(), name: z.string(), self: z.boolean() })),
  error: z.string().nullable(),
  /** Why this message cannot be logged (automated, draft, no contact...). */
  reason: z.string().nullable(),
  /**
   * The rule that skips it: with `not_loggable` nothing logs it; with `not_logged` the sync
   * leaves it alone but the rep may still log it by hand (automated mail, sync settings).
   */
  skip: SkipReason.nullable().default(null),
  /** The contacts it was (or would be) logged to, by name, for the receipt. */
  contacts: z.array(z.object({ id: z.string(), name: z.string() })).default([]),
  /**
   * The deal a logged message went to as the CRM holds it: `id` null is "no deal"; the field
   * is null when unknown (logged elsewhere, our copy of the delivery long pruned).
   */
  deal: z.object({ id: z.string().nullable(), name: z.string().nullable() }).nullable().default(null),
});
export type MessageLogStatus = z.infer<typeof MessageLogStatus>;

export const ThreadView = z.object({
  threadKey: z.string(),
  fromCache: z.boolean(),
  fetchedAt: z.string(),
  crmUser: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** The connected CRM and what it can do: the panel hides what it cannot. */
  connectedCrm: CrmInfo.nullable().default(null),
  known: z.array(ContactCard),
  unknown: z.array(UnknownParticipant),
  companies: z.array(Company),
  messages: z.array(MessageLogStatus),
  /** Each panel feature's part of the view, under its key (features/panelFeatures). */
  ...FEATURE_VIEW_SHAPE,
  /** Banner when the message data is approximate (DOM only, no mailbox connection). */
  notice: z.string().nullable(),
  /** `exact`: the mail provider's API confirmed every message; `page`: read from what the page shows. */
  source: z.enum(['exact', 'page']).default('page'),
  /** The privacy level logging applies now: the panel says what it shares before the first log. */
  privacyLevel: PrivacyLevel.nullable().default(null),
  /** People the page shows by name only (no address, so no CRM lookup), in page order. */
  namedOnly: z.array(z.string()).default([]),
});
export type ThreadView = z.infer<typeof ThreadView>;
