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
  TaskInput,
  TaskResponse,
} from './contract';

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
}
