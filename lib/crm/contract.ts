import { z } from 'zod';

/**
 * The REST contract (../shared/CRM-CONTRACT.md, version 1) as zod schemas.
 * The server validates requests with these, the `rest` connector parses responses with
 * them, and the OpenAPI document is generated from them: one source of truth.
 * Schemas stay plain zod so the extension bundle never pulls in the OpenAPI tooling.
 */

export const MAX_BATCH = 100;
export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;

const isoDateTime = z.iso.datetime({ offset: true });

/** Trimmed, lower-cased address: the contract compares addresses case-insensitively. */
export const EmailAddressString = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ pattern: z.regexes.html5Email }));

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
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
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
  name: z.string().max(500).default(''),
  address: z.string().max(320),
});
export type Party = z.infer<typeof Party>;

export const Direction = z.enum(['incoming', 'outgoing']);
export type Direction = z.infer<typeof Direction>;
export const ActivitySource = z.enum(['gmail', 'outlook', 'crm']);
export type ActivitySource = z.infer<typeof ActivitySource>;

/** Normalised Message-ID: no angle brackets, lower-cased. */
export const ExternalId = z
  .string()
  .trim()
  .min(1)
  .max(998)
  .refine((s) => !s.startsWith('<') && !s.endsWith('>') && s === s.toLowerCase(), {
    message: 'externalId must be the normalised Message-ID (no angle brackets, lower case)',
  });

export const SUBJECT_MAX = 998;
export const SNIPPET_MAX = 500;
export const BODY_MAX = 100_000;

export const EmailActivityInput = z.object({
  type: z.literal('email').default('email'),
  externalId: ExternalId,
  contactId: z.string().min(1),
  companyId: z.string().nullable().optional(),
  dealId: z.string().nullable().optional(),
  direction: Direction,
  subject: z.string().max(SUBJECT_MAX),
  snippet: z.string().max(SNIPPET_MAX),
  body: z.string().max(BODY_MAX).optional(),
  occurredAt: isoDateTime,
  from: Party,
  to: z.array(Party).max(500),
  cc: z.array(Party).max(500),
  hasAttachments: z.boolean(),
  threadId: z.string().nullable().optional(),
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
  createdAt: isoDateTime,
});
export type EmailActivity = z.infer<typeof EmailActivity>;

export const TaskPriority = z.enum(['low', 'normal', 'high']);
export type TaskPriority = z.infer<typeof TaskPriority>;

export const TaskInput = z.object({
  contactId: z.string().min(1),
  title: z.string().trim().min(1).max(500),
  notes: z.string().max(10_000).nullable().optional(),
  dueAt: isoDateTime.nullable().optional(),
  priority: TaskPriority.default('normal'),
  sourceExternalId: ExternalId.nullable().optional(),
});
export type TaskInput = z.input<typeof TaskInput>;

export const Task = TaskInput.extend({
  id: z.string(),
  notes: z.string().nullable(),
  dueAt: isoDateTime.nullable(),
  priority: TaskPriority,
  sourceExternalId: z.string().nullable(),
  createdAt: isoDateTime,
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

export const MeResponse = z.object({
  user: z.object({ id: z.string(), name: z.string(), email: z.string() }),
  org: z.object({ name: z.string(), domains: z.array(z.string()) }),
});
export type MeResponse = z.infer<typeof MeResponse>;

export const LookupRequest = z.object({
  emails: z.array(z.string().trim().toLowerCase().min(1).max(320)).default([]),
  domains: z.array(z.string().trim().toLowerCase().min(1).max(253)).default([]),
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
  name: z.string().trim().min(1).max(500),
  emails: z.array(EmailAddressString).min(1).max(20),
  title: z.string().max(500).nullable().optional(),
  phone: z.string().max(100).nullable().optional(),
  companyId: z.string().nullable().optional(),
  lifecycleStage: z.string().max(100).nullable().optional(),
});
export type CreateContactRequest = z.input<typeof CreateContactRequest>;

export const ContactConflictDetails = z.object({ contact: Contact });

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT),
  cursor: z.string().optional(),
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

export const TaskResponse = z.object({ task: Task, status: z.enum(['created', 'existing']) });
export type TaskResponse = z.infer<typeof TaskResponse>;
