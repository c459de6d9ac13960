import type { CrmInfo, CrmRecordRef } from './CrmCapabilities';
import type {
  ActivityPage,
  Contact,
  ContactDetail,
  CreateContactRequest,
  EmailActivity,
  EmailActivityInput,
  LogActivitiesResponse,
  LoggedMessage,
  LookupRequest,
  LookupResponse,
  MeResponse,
  OrgSettingsResponse,
  TaskInput,
  TaskResponse,
} from './contract';

/**
 * A logged email activity as the receipt knows it: the CRM's id of the activity
 * (`ActivityResult.id`, `EmailActivity.id`), and the email and contact it logs. The contact
 * matters where one CRM record holds an email for several contacts (a Salesforce EmailMessage
 * and its relations): removing it "for this contact" then removes that link only.
 */
export interface LoggedActivityRef {
  id: string;
  /** The normalised Message-ID (`externalId`). */
  externalId: string;
  contactId: string;
}

/** Where `moveActivity` takes a logged email: another deal (null: none), or another contact. */
export type ActivityMove = { dealId: string | null } | { contactId: string };

/** `removeActivity`'s answer: `absent` when nothing was there (already removed): not an error. */
export interface ActivityRemoval {
  status: 'removed' | 'absent';
}

/**
 * `moveActivity`'s and `redactActivity`'s answer: `unchanged` when it already was so (a
 * repeated call), and the activity as it now stands. After a move to a contact that already
 * had this email, `activity` is that contact's (its id differs); the moved one is gone.
 */
export interface ActivityChange {
  status: 'changed' | 'unchanged';
  activity: LoggedActivityRef & { dealId: string | null };
}

/**
 * What the rest of the extension knows about "the CRM". Every method either resolves
 * with contract-shaped data or rejects with a `CrmError`. Connectors do not retry:
 * the outbox owns retries so a request is never repeated behind its back.
 */
export interface CrmConnector {
  /** Which CRM this is and what it can do; fixed for the connector's life. */
  readonly info: CrmInfo;
  /** A deep link into the CRM's own UI for a record, or null when the CRM has none. */
  recordUrl(record: CrmRecordRef): string | null;
  /** The token's user and organisation (Test connection, org domains). */
  whoami(): Promise<MeResponse>;
  /** One call per opened thread: contacts by any of their emails, companies by domain. */
  lookup(request: LookupRequest): Promise<LookupResponse>;
  getContact(contactId: string): Promise<ContactDetail>;
  /** Rejects with `CrmError` kind `conflict` and `details.contact` when an email is taken. */
  createContact(request: CreateContactRequest): Promise<Contact>;
  listContactActivities(contactId: string, page?: { limit?: number; cursor?: string }): Promise<ActivityPage>;
  /** At most `MAX_BATCH` items; idempotent on (externalId, contactId). */
  logActivities(activities: EmailActivityInput[]): Promise<LogActivitiesResponse>;
  /**
   * Every activity for a Message-ID, across contacts and users. With `contactIds` (the
   * thread's contacts, what the panel asks about) a connector may answer for those contacts
   * only, when that is cheaper for its CRM (HubSpot: a batch read instead of a search).
   */
  activitiesForMessage(
    externalId: string,
    options?: { contactIds?: readonly string[] },
  ): Promise<EmailActivity[]>;
  createTask(task: TaskInput): Promise<TaskResponse>;
  /**
   * Which of these Message-IDs (at most `MAX_BATCH`, normalised) the CRM holds, and for which
   * contacts, across users: the sync audit's batch question. Optional: without it the audit
   * asks `activitiesForMessage` one Message-ID at a time.
   */
  findLoggedMessages?(externalIds: readonly string[]): Promise<LoggedMessage[]>;
  /**
   * Moves a logged email activity to another deal (null: none). Optional: a CRM whose API
   * cannot change a logged activity's deal leaves it out, and the panel says so.
   */
  relinkActivityDeal?(activityId: string, dealId: string | null): Promise<void>;

  // Changing an email after it was logged (the receipt's Undo, Move and Redact). Each is
  // idempotent, acts on one (email, contact) activity (for "all contacts" the caller calls
  // once per activity), and rejects with `CrmError`:
  // - `unsupported` when the capability of the same name is off;
  // - `not_found` (404) when the activity is not there (`removeActivity` answers `absent` instead);
  // - `auth` with code `activity_not_yours` (403) when the CRM lets only the rep who logged it,
  //   or an admin, change it;
  // - `invalid_request` when the target deal or contact does not exist.

  /** Takes the email off this contact in the CRM (deletes the activity, or its link to the contact). */
  removeActivity(activity: LoggedActivityRef): Promise<ActivityRemoval>;
  /**
   * Moves the email to another deal (null: off any deal), or from this contact to another.
   * A deal move needs the `deals` capability as well as `moveActivity`.
   */
  moveActivity(activity: LoggedActivityRef, to: ActivityMove): Promise<ActivityChange>;
  /**
   * Reduces what the CRM holds to the "who and when" privacy level (`metadata`): subject,
   * preview and text emptied; participants, direction, date, deal and links kept. Not reversible.
   */
  redactActivity(activity: LoggedActivityRef): Promise<ActivityChange>;
  /**
   * The organisation's settings an admin keeps in the CRM (docs/CRM-CONTRACT.md,
   * "Organisation settings"), or null when the CRM offers none. Optional: a CRM without
   * them leaves it out.
   */
  orgSettings?(): Promise<OrgSettingsResponse | null>;
  /**
   * Adds an address to a contact as an alternate email and answers the contact as it now is.
   * Idempotent (the address already the contact's answers the contact); an address another
   * contact holds rejects with `CrmError` kind `conflict` and `details.contact`. Present only
   * with the `addAlternateEmail` capability.
   */
  addContactEmail?(contactId: string, email: string): Promise<Contact>;
  /**
   * Removes an alternate email from a contact (the undo of `addContactEmail`); idempotent.
   * The main address is refused (`invalid_request`): the contact would lose its identity.
   */
  removeContactEmail?(contactId: string, email: string): Promise<Contact>;
}
