import { z } from 'zod';

/**
 * The REST contract (docs/CRM-CONTRACT.md, version 1) as zod schemas.
 * The server validates requests with these, the `rest` connector parses responses with
 * them, and the OpenAPI document is generated from them: one source of truth.
 * Schemas stay plain zod so the extension bundle never pulls in the OpenAPI tooling.
 */

export const MAX_BATCH = 100;
export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;

/**
 * Text the reference server (and any Postgres-backed CRM) can store: Postgres `text`
 * cannot hold NUL, and a lone UTF-16 surrogate has no UTF-8 form, so both are refused at
 * the contract instead of failing inside the database.
 * https://www.postgresql.org/docs/current/datatype-character.html
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}
// With the `u` flag a surrogate range matches only surrogates that are not part of a pair.
const LONE_SURROGATE = /[\ud800-\udfff]/u;

const STORABLE = { message: 'text must not contain NUL characters or unpaired UTF-16 surrogates' };

/**
 * The same rule as a JSON Schema pattern for the OpenAPI document: no NUL, and a surrogate
 * only as half of a pair. Read with or without the regex `u` flag it means the same.
 */
const STORABLE_CHAR = String.raw`(?:[^\u0000\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])`;
export const STORABLE_PATTERN = `^${STORABLE_CHAR}*$`;

const utf8 = new TextEncoder();
/** Length in UTF-8 bytes: what an index entry costs. */
export function utf8Length(value: string): number {
  return utf8.encode(value).length;
}

/** A contract string: at most `max` characters (and `maxBytes` UTF-8 bytes), storable. */
export function contractText(max: number, maxBytes?: number) {
  const text = z.string().max(max).refine(isStorableText, STORABLE).meta({ pattern: STORABLE_PATTERN });
  return maxBytes === undefined
    ? text
    : text.refine((s) => utf8Length(s) <= maxBytes, { message: `at most ${maxBytes} bytes in UTF-8` });
}

/**
 * Index budget. A Postgres B-tree entry holds at most 2,704 bytes (8 kB pages,
 * https://www.postgresql.org/docs/current/btree.html#BTREE-IMPLEMENTATION), and the widest
 * index of the reference server is tasks (source_external_id, contact_id, title):
 * 998 + 512 + 1,000 bytes plus headers fits. Record ids are opaque to clients but short in
 * every CRM we speak to (HubSpot numeric ids, Salesforce 18-character ids).
 */
export const ID_MAX = 128;
export const EXTERNAL_ID_MAX_BYTES = 998;
export const TASK_TITLE_MAX = 500;
export const TASK_TITLE_MAX_BYTES = 1_000;
export const ADDRESS_MAX = 320;
export const THREAD_ID_MAX = 1_000;

/** An id of a CRM record as it travels in bodies and paths. */
export const RecordId = contractText(ID_MAX).min(1);

/** Years 0001-9999 in UTC: what Postgres, JavaScript Dates and ISO 8601 all agree on. */
const EARLIEST = new Date('0001-01-01T00:00:00Z').getTime();
const LATEST = new Date('9999-12-31T23:59:59.999Z').getTime();
export const IsoDateTime = z.iso.datetime({ offset: true }).refine(
  (s) => {
    const t = Date.parse(s);
    return Number.isFinite(t) && t >= EARLIEST && t <= LATEST;
  },
  { message: 'dates must fall within the years 0001 to 9999 (UTC)' },
);

/** Trimmed, lower-cased address: the contract compares addresses case-insensitively. */
export const EmailAddressString = contractText(ADDRESS_MAX + 100)
  .trim()
  .toLowerCase()
  .pipe(z.email({ pattern: z.regexes.html5Email }).max(ADDRESS_MAX))
  .meta({
    format: 'email',
    // The HTML5 address grammar zod checks, around the whitespace the server trims.
    pattern: `^\\s*${z.regexes.html5Email.source.slice(1, -1)}\\s*$`,
    description: `An address as HTML5's input type=email accepts it (https://html.spec.whatwg.org/multipage/input.html#valid-e-mail-address), at most ${ADDRESS_MAX} characters after trimming; stored lower-cased`,
  });

export const Domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/, 'not a domain name');

export const Contact = z.object({
  id: z.string(),
  name: z.string(),
  emails: z.array(z.string()).min(1),
  title: z.string().nullable(),
  phone: z.string().nullable(),
  companyId: z.string().nullable(),
  ownerName: z.string().nullable(),
  lifecycleStage: z.string().nullable(),
  url: z.string(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type Contact = z.infer<typeof Contact>;

export const Company = z.object({
  id: z.string(),
  name: z.string(),
  domains: z.array(z.string()),
  url: z.string(),
});
export type Company = z.infer<typeof Company>;

export const Deal = z.object({
  id: z.string(),
  name: z.string(),
  stage: z.string(),
  amount: z.number().nullable(),
  currency: z.string().nullable(),
  closeDate: z.string().nullable(),
  contactIds: z.array(z.string()),
  companyId: z.string().nullable(),
  url: z.string(),
});
export type Deal = z.infer<typeof Deal>;

export const Party = z.object({
  name: contractText(500).default(''),
  address: contractText(ADDRESS_MAX),
});
export type Party = z.infer<typeof Party>;

export const Direction = z.enum(['incoming', 'outgoing']);
export type Direction = z.infer<typeof Direction>;
export const ActivitySource = z.enum(['gmail', 'outlook', 'crm']);
export type ActivitySource = z.infer<typeof ActivitySource>;

/** Normalised Message-ID: no angle brackets, lower-cased. */
export const ExternalId = contractText(998, EXTERNAL_ID_MAX_BYTES)
  .trim()
  .min(1)
  .refine((s) => !s.startsWith('<') && !s.endsWith('>') && s === s.toLowerCase(), {
    message: 'externalId must be the normalised Message-ID (no angle brackets, lower case)',
  })
  .meta({
    // Not only blanks, no `<` first or `>` last once trimmed, no ASCII capitals, storable.
    pattern: String.raw`^(?!\s*<)(?![\s\S]*>\s*$)(?=[\s\S]*\S)(?:(?![A-Z])${STORABLE_CHAR})*$`,
    description:
      'The normalised Message-ID: the header value without its angle brackets, trimmed, lower case (String.prototype.toLowerCase leaves it unchanged, so no capital in any script), at most 998 characters and 998 bytes in UTF-8',
  });

export const SUBJECT_MAX = 998;
export const SNIPPET_MAX = 500;
export const BODY_MAX = 100_000;

/** The most recipients an activity keeps per list (to, cc); the sync says when it cuts a longer one. */
export const RECIPIENTS_MAX = 500;

export const EmailActivityInput = z.object({
  type: z.literal('email').default('email'),
  externalId: ExternalId,
  contactId: RecordId,
  companyId: RecordId.nullable().optional(),
  dealId: RecordId.nullable().optional(),
  direction: Direction,
  subject: contractText(SUBJECT_MAX),
  snippet: contractText(SNIPPET_MAX),
  body: contractText(BODY_MAX).optional(),
  occurredAt: IsoDateTime,
  from: Party,
  to: z.array(Party).max(RECIPIENTS_MAX),
  cc: z.array(Party).max(RECIPIENTS_MAX),
  hasAttachments: z.boolean(),
  threadId: contractText(THREAD_ID_MAX).nullable().optional(),
  source: ActivitySource,
});
export type EmailActivityInput = z.input<typeof EmailActivityInput>;

export const EmailActivity = EmailActivityInput.extend({
  id: z.string(),
  type: z.literal('email'),
  companyId: z.string().nullable(),
  dealId: z.string().nullable(),
  threadId: z.string().nullable(),
  loggedBy: z.string(),
  loggedByName: z.string().optional(),
  createdAt: IsoDateTime,
});
export type EmailActivity = z.infer<typeof EmailActivity>;

export const TaskPriority = z.enum(['low', 'normal', 'high']);
export type TaskPriority = z.infer<typeof TaskPriority>;

export const TaskInput = z.object({
  contactId: RecordId,
  title: contractText(TASK_TITLE_MAX, TASK_TITLE_MAX_BYTES).trim().min(1),
  notes: contractText(10_000).nullable().optional(),
  dueAt: IsoDateTime.nullable().optional(),
  priority: TaskPriority.default('normal'),
  sourceExternalId: ExternalId.nullable().optional(),
});
export type TaskInput = z.input<typeof TaskInput>;

export const Task = TaskInput.extend({
  id: z.string(),
  notes: z.string().nullable(),
  dueAt: IsoDateTime.nullable(),
  priority: TaskPriority,
  sourceExternalId: z.string().nullable(),
  createdAt: IsoDateTime,
});
export type Task = z.infer<typeof Task>;

// ---- Requests and responses ----

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** `admin` may change the organisation's settings and anyone's activities; `rep` their own. */
export const UserRole = z.enum(['admin', 'rep']);
export type UserRole = z.infer<typeof UserRole>;

export const MeResponse = z.object({
  user: z.object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    /** Optional: a CRM without roles leaves it out. */
    role: UserRole.optional(),
  }),
  org: z.object({ name: z.string(), domains: z.array(z.string()) }),
});
export type MeResponse = z.infer<typeof MeResponse>;

// ---- Organisation settings (optional capability: `GET /org/settings`, 404 where absent) ----

/** The most entries one organisation list holds. */
export const ORG_LIST_MAX = 1_000;

/**
 * The defaults an admin keeps in the CRM for every rep (docs/CRM-CONTRACT.md, "Organisation
 * settings"). Lists are added to each rep's own; `null` means the organisation has no say and
 * the rep's choice stands. The privacy levels and create-contact policies are the extension's.
 */
export const OrgSettings = z.object({
  /** Mail with these domains (and their subdomains) is neither looked up nor logged. */
  excludedDomains: z.array(Domain).max(ORG_LIST_MAX),
  /** Mail with any of these addresses is never logged. */
  neverLogAddresses: z.array(EmailAddressString).max(ORG_LIST_MAX),
  /** Mail with anyone on these domains (or their subdomains) is never logged. */
  neverLogDomains: z.array(Domain).max(ORG_LIST_MAX),
  /** Whether automated mail (notifications, no-reply senders) is left out. */
  filterAutomatedMail: z.boolean().nullable(),
  /**
   * The most a logged email may share: `metadata` (who and when), `snippet` (adds subject and
   * preview), `full_body` (adds the text). A rep may choose less, never more.
   */
  privacyUpperBound: z.enum(['metadata', 'snippet', 'full_body']).nullable(),
  /** Whether unknown participants become contacts: `off`, `ask` or `automatic`. */
  createContactPolicy: z.enum(['off', 'ask', 'automatic']).nullable(),
});
export type OrgSettings = z.infer<typeof OrgSettings>;

/** `GET /org/settings` and `PUT`'s answer: the settings, and who last changed them and when. */
export const OrgSettingsResponse = z.object({
  settings: OrgSettings,
  /** Null until an admin first saves them (the settings are then the empty defaults). */
  updatedAt: IsoDateTime.nullable(),
  updatedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
});
export type OrgSettingsResponse = z.infer<typeof OrgSettingsResponse>;

/** `PUT /org/settings` replaces the settings whole: every field, `null` or `[]` where the organisation has no say. */
export const PutOrgSettingsRequest = z.object({ settings: OrgSettings.strict() });
export type PutOrgSettingsRequest = z.input<typeof PutOrgSettingsRequest>;

export const LookupRequest = z.object({
  emails: z.array(contractText(ADDRESS_MAX).trim().toLowerCase().min(1)).default([]),
  domains: z.array(contractText(253).trim().toLowerCase().min(1)).default([]),
});
export type LookupRequest = z.input<typeof LookupRequest>;

export const LookupResponse = z.object({
  contacts: z.array(Contact),
  companies: z.array(Company),
});
export type LookupResponse = z.infer<typeof LookupResponse>;

export const ContactDetail = Contact.extend({
  company: Company.nullable(),
  deals: z.array(Deal),
  recentActivities: z.array(EmailActivity),
});
export type ContactDetail = z.infer<typeof ContactDetail>;

export const CreateContactRequest = z.object({
  name: contractText(500).trim().min(1),
  emails: z.array(EmailAddressString).min(1).max(20),
  title: contractText(500).nullable().optional(),
  phone: contractText(100).nullable().optional(),
  companyId: RecordId.nullable().optional(),
  lifecycleStage: contractText(100).nullable().optional(),
});
export type CreateContactRequest = z.input<typeof CreateContactRequest>;

export const ContactConflictDetails = z.object({ contact: Contact });

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT),
  cursor: contractText(2_048).optional(),
});

export const ActivityPage = z.object({
  activities: z.array(EmailActivity),
  nextCursor: z.string().nullable(),
});
export type ActivityPage = z.infer<typeof ActivityPage>;

export const LogActivitiesRequest = z.object({
  activities: z.array(EmailActivityInput).min(1),
});
export type LogActivitiesRequest = z.input<typeof LogActivitiesRequest>;

export const ActivityResult = z.discriminatedUnion('status', [
  z.object({
    status: z.enum(['created', 'existing']),
    externalId: z.string(),
    contactId: z.string(),
    id: z.string(),
  }),
  z.object({
    status: z.literal('error'),
    externalId: z.string(),
    contactId: z.string(),
    id: z.null().optional(),
    code: z.string().optional(),
    message: z.string(),
  }),
]);
export type ActivityResult = z.infer<typeof ActivityResult>;

export const LogActivitiesResponse = z.object({ results: z.array(ActivityResult) });
export type LogActivitiesResponse = z.infer<typeof LogActivitiesResponse>;

export const ActivitiesByExternalIdResponse = z.object({ activities: z.array(EmailActivity) });
export type ActivitiesByExternalIdResponse = z.infer<typeof ActivitiesByExternalIdResponse>;

/**
 * Which of up to 100 emails the CRM holds, and for which contacts (the sync audit,
 * docs/CRM-CONTRACT.md "Which of these are logged?"). Message-IDs are normalised like
 * `externalId`; an email the CRM does not hold is left out of the answer.
 */
export const LoggedMessagesRequest = z.object({
  externalIds: z.array(ExternalId).min(1).max(MAX_BATCH),
});
export type LoggedMessagesRequest = z.input<typeof LoggedMessagesRequest>;

export const LoggedMessage = z.object({
  externalId: z.string(),
  /** Every contact the email is logged to, by any user. */
  contactIds: z.array(z.string()).min(1),
});
export type LoggedMessage = z.infer<typeof LoggedMessage>;

export const LoggedMessagesResponse = z.object({ messages: z.array(LoggedMessage) });
export type LoggedMessagesResponse = z.infer<typeof LoggedMessagesResponse>;

export const TaskResponse = z.object({ task: Task, status: z.enum(['created', 'existing']) });
export type TaskResponse = z.infer<typeof TaskResponse>;

// ---- One identity across addresses (docs/CRM-CONTRACT.md, "Alternate addresses") ----

/** `POST /contacts/{id}/emails`: adds an address to the contact, after its others. */
export const AddContactEmailRequest = z.object({ email: EmailAddressString });
export type AddContactEmailRequest = z.input<typeof AddContactEmailRequest>;

/** The contact as it is after an address was added or removed. */
export const ContactEmailsResponse = z.object({ contact: Contact });
export type ContactEmailsResponse = z.infer<typeof ContactEmailsResponse>;
// ---- Changing a logged email (docs/CRM-CONTRACT.md, "Remove, move or redact a logged email") ----

/**
 * `PATCH /activities/{id}`: what changes. `dealId` moves it to another deal (null: none),
 * `contactId` to another contact, `privacy: "metadata"` reduces it to who and when (subject,
 * snippet and body emptied; not reversible). At least one; only these fields.
 */
export const ChangeActivityRequest = z
  .object({
    dealId: RecordId.nullable().optional(),
    contactId: RecordId.optional(),
    privacy: z.literal('metadata').optional(),
  })
  .strict()
  .refine((r) => r.dealId !== undefined || r.contactId !== undefined || r.privacy !== undefined, {
    message: 'name at least one change: dealId, contactId or privacy',
  })
  .meta({ minProperties: 1 });
export type ChangeActivityRequest = z.input<typeof ChangeActivityRequest>;

/**
 * `PATCH /activities/{id}`'s answer: `unchanged` when it already was so, and the activity as it
 * now stands (after a move to a contact that already had this email, that contact's activity).
 */
export const ChangeActivityResponse = z.object({
  status: z.enum(['changed', 'unchanged']),
  activity: EmailActivity,
});
export type ChangeActivityResponse = z.infer<typeof ChangeActivityResponse>;

/** `DELETE /activities/{id}`'s answer: the activity as it was, now gone. */
export const RemoveActivityResponse = z.object({
  status: z.literal('removed'),
  activity: EmailActivity,
});
export type RemoveActivityResponse = z.infer<typeof RemoveActivityResponse>;
