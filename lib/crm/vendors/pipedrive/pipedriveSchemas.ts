import { z } from 'zod';

/**
 * Pipedrive's answers as the connector reads them. Field names and types are those of the
 * published OpenAPI description, as generated into Pipedrive's own client
 * (github.com/pipedrive/client-nodejs, src/versions/v1 and src/versions/v2, `models/`);
 * the file each schema follows is named beside it. Unknown fields are ignored.
 */

const Id = z.number().int();

/** v2 lists: `additional_data.next_cursor` (models/get-activities-response-all-of-additional-data.ts). */
const Cursor = z
  .object({ next_cursor: z.string().nullable().optional() })
  .passthrough()
  .nullable()
  .optional();

/** Every answer is `{ success, data, additional_data? }` (v2 models/base-response.ts and each get-*-response-all-of.ts). */
export function pipedriveEnvelope<S extends z.ZodType>(data: S) {
  return z.object({ success: z.literal(true), data, additional_data: Cursor });
}

/** v1 GET /users/me: models/base-user.ts + models/get-current-user-response-all-of-data-all-of.ts. */
export const PipedriveCurrentUser = z.object({
  id: Id,
  name: z.string(),
  email: z.string(),
  company_id: Id.optional(),
  company_name: z.string().optional(),
  company_domain: z.string().optional(),
});
export type PipedriveCurrentUser = z.infer<typeof PipedriveCurrentUser>;

/** v1 GET /users: models/base-user.ts. */
export const PipedriveUser = z.object({ id: Id, name: z.string(), email: z.string().optional() });

const LabelledValue = z.object({
  value: z.string(),
  primary: z.boolean().optional(),
  label: z.string().nullable().optional(),
});

/**
 * v2 person: the fields of models/add-person-request.ts (`emails`/`phones` as
 * `{ value, primary, label }`, `org_id`, `owner_id`, `add_time`, `update_time`) plus `id`.
 */
export const PipedrivePerson = z.object({
  id: Id,
  name: z.string().nullable().optional(),
  emails: z.array(LabelledValue).nullable().optional(),
  phones: z.array(LabelledValue).nullable().optional(),
  org_id: Id.nullable().optional(),
  owner_id: Id.nullable().optional(),
  add_time: z.string(),
  update_time: z.string().nullable().optional(),
});
export type PipedrivePerson = z.infer<typeof PipedrivePerson>;

/** v2 GET /persons/search: models/get-person-search-response-all-of-data(-items-inner(-item)).ts. */
export const PipedrivePersonSearch = z.object({
  items: z.array(
    z.object({
      result_score: z.number().optional(),
      item: z.object({ id: Id, emails: z.array(z.string()).nullable().optional() }),
    }),
  ),
});

/** v2 organization: models/organization-item.ts. */
export const PipedriveOrganization = z.object({ id: Id, name: z.string() });
export type PipedriveOrganization = z.infer<typeof PipedriveOrganization>;

/** v2 deal: models/deal.ts. */
export const PipedriveDeal = z.object({
  id: Id,
  title: z.string(),
  stage_id: Id.nullable().optional(),
  value: z.number().nullable().optional(),
  currency: z.string().nullable().optional(),
  expected_close_date: z.string().nullable().optional(),
  status: z.string().optional(),
  person_id: Id.nullable().optional(),
  org_id: Id.nullable().optional(),
});
export type PipedriveDeal = z.infer<typeof PipedriveDeal>;

/** v2 stage: models/stage-item.ts. */
export const PipedriveStage = z.object({ id: Id, name: z.string() });

/** v2 activity: models/activity-item.ts. */
export const PipedriveActivity = z.object({
  id: Id,
  subject: z.string().nullable().optional(),
  type: z.string(),
  owner_id: Id.nullable().optional(),
  person_id: Id.nullable().optional(),
  org_id: Id.nullable().optional(),
  deal_id: Id.nullable().optional(),
  due_date: z.string().nullable().optional(),
  due_time: z.string().nullable().optional(),
  done: z.boolean().optional(),
  note: z.string().nullable().optional(),
  add_time: z.string(),
});
export type PipedriveActivity = z.infer<typeof PipedriveActivity>;

/** DELETE answers `{ success, data: { id } }` (v2 models/delete-activity-response(-data).ts). */
export const PipedriveDeleted = z.object({ id: Id });

/**
 * Failures: `{ success: false, error, errorCode }` (v1 models/unathorized-response.ts, the
 * 401 answer of every operation), sometimes with `error_info` and a string `code`
 * (developers.pipedrive.com/changelog/post/new-error-message-and-code-for-post-deals-and-custom-fields-endpoints).
 */
export const PipedriveErrorBody = z.object({
  success: z.literal(false),
  error: z.string(),
  errorCode: z.number().optional(),
  error_info: z.string().optional(),
  code: z.string().optional(),
});
