import { OpenAPIRegistry, OpenApiGeneratorV31, zodToOpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  ProviderErrorResponse,
  ProviderTokenResponse,
  TokenExchangeRequest,
} from '../../lib/auth/tokenExchangeContract';
import {
  ActivitiesByExternalIdResponse,
  ActivityPage,
  ActivityResult,
  AddContactEmailRequest,
  ChangeActivityRequest,
  ChangeActivityResponse,
  Company,
  Contact,
  ContactDetail,
  ContactEmailsResponse,
  CreateContactRequest,
  Deal,
  EmailActivity,
  EmailActivityInput,
  ErrorBody,
  LogActivitiesRequest,
  LogActivitiesResponse,
  LoggedMessage,
  LoggedMessagesRequest,
  LoggedMessagesResponse,
  LookupRequest,
  LookupResponse,
  MAX_PAGE_LIMIT,
  MeResponse,
  OrgSettings,
  OrgSettingsResponse,
  PutOrgSettingsRequest,
  RemoveActivityResponse,
  Task,
  TaskInput,
  TaskResponse,
} from '../../lib/crm/contract';

/**
 * Names the contract's schemas for the generator. zod v4 copies prototype methods onto
 * each schema when it is built, so `extendZodWithOpenApi` would have to run before
 * lib/crm/contract.ts is first imported anywhere; writing the refIds into the
 * generator's metadata registry instead works in any import order and keeps nested
 * uses (`z.array(Contact)`) as `$ref`s.
 */
function named<S extends z.ZodType>(refId: string, schema: S): S {
  const current = zodToOpenAPIRegistry.get(schema);
  zodToOpenAPIRegistry.add(schema, { ...current, _internal: { ...current?._internal, refId } });
  return schema;
}

/**
 * The OpenAPI 3.1 document of the contract, generated from the same zod schemas the
 * server validates with and the `rest` connector parses with. Lives server-side so the
 * extension bundle never includes the generator.
 */
export function buildOpenApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  const schemas = {
    Contact: named('Contact', Contact),
    Company: named('Company', Company),
    Deal: named('Deal', Deal),
    EmailActivityInput: named('EmailActivityInput', EmailActivityInput),
    EmailActivity: named('EmailActivity', EmailActivity),
    Task: named('Task', Task),
    TaskInput: named('TaskInput', TaskInput),
    Error: named('Error', ErrorBody),
    MeResponse: named('MeResponse', MeResponse),
    OrgSettings: named('OrgSettings', OrgSettings),
    OrgSettingsResponse: named('OrgSettingsResponse', OrgSettingsResponse),
    PutOrgSettingsRequest: named('PutOrgSettingsRequest', PutOrgSettingsRequest),
    LookupRequest: named('LookupRequest', LookupRequest),
    LookupResponse: named('LookupResponse', LookupResponse),
    ContactDetail: named('ContactDetail', ContactDetail),
    CreateContactRequest: named('CreateContactRequest', CreateContactRequest),
    ActivityPage: named('ActivityPage', ActivityPage),
    LogActivitiesRequest: named('LogActivitiesRequest', LogActivitiesRequest),
    ActivityResult: named('ActivityResult', ActivityResult),
    LogActivitiesResponse: named('LogActivitiesResponse', LogActivitiesResponse),
    ActivitiesByExternalIdResponse: named('ActivitiesByExternalIdResponse', ActivitiesByExternalIdResponse),
    LoggedMessagesRequest: named('LoggedMessagesRequest', LoggedMessagesRequest),
    LoggedMessage: named('LoggedMessage', LoggedMessage),
    LoggedMessagesResponse: named('LoggedMessagesResponse', LoggedMessagesResponse),
    TaskResponse: named('TaskResponse', TaskResponse),
    AddContactEmailRequest: named('AddContactEmailRequest', AddContactEmailRequest),
    ContactEmailsResponse: named('ContactEmailsResponse', ContactEmailsResponse),
    ChangeActivityRequest: named('ChangeActivityRequest', ChangeActivityRequest),
    ChangeActivityResponse: named('ChangeActivityResponse', ChangeActivityResponse),
    RemoveActivityResponse: named('RemoveActivityResponse', RemoveActivityResponse),
    TokenExchangeRequest: named('TokenExchangeRequest', TokenExchangeRequest),
    ProviderTokenResponse: named('ProviderTokenResponse', ProviderTokenResponse),
    ProviderErrorResponse: named('ProviderErrorResponse', ProviderErrorResponse),
  };
  const bearer = registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  const security = [{ [bearer.name]: [] }];

  const json = <S extends z.ZodType>(schema: S, description: string) => ({
    description,
    content: { 'application/json': { schema } },
  });
  const errors = {
    400: json(
      schemas.Error,
      'Invalid input (`invalid_request`, `details` holds the schema issues), a body that is not JSON (`invalid_json`) or nests deeper than 16 levels (`too_deep`)',
    ),
    401: json(schemas.Error, 'Missing or wrong token'),
    421: json(
      schemas.Error,
      'The Host header names a host this server does not answer for (`host_not_allowed`): loopback names, IP literals, CRM_PUBLIC_URL’s host and CRM_ALLOWED_HOSTS only',
    ),
    429: json(
      schemas.Error,
      'Too many requests, or 20 failed authentications from this address within a minute (`too_many_failed_attempts`); see the Retry-After header (seconds)',
    ),
    431: json(schemas.Error, 'Request headers and URL over 16 kB (`headers_too_large`)'),
    500: json(schemas.Error, 'Server error'),
  };
  const tooLarge = {
    413: json(
      schemas.Error,
      'More than 100 items in a batch (`batch_too_large`), or a body over 8 MB (`payload_too_large`)',
    ),
  };
  const notFound = { 404: json(schemas.Error, 'No such contact') };
  const contactIdParam = z.object({ id: z.string() });

  registry.registerPath({
    method: 'get',
    path: '/api/v1/me',
    summary: "The token's user and organisation",
    security,
    responses: { 200: json(schemas.MeResponse, 'User and organisation'), ...errors },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/org/settings',
    summary: "The organisation's defaults an admin keeps in the CRM (optional capability)",
    description:
      'Optional: a CRM without organisation settings answers 404, and the extension then applies none. Lists are added to each rep’s own; `null` means the organisation has no say and the rep’s choice stands; `privacyUpperBound` is the most a rep may share. Any user may read them.',
    security,
    responses: {
      200: json(schemas.OrgSettingsResponse, 'The settings, and who last changed them'),
      ...errors,
      404: json(schemas.Error, 'This CRM has no organisation settings'),
    },
  });
  registry.registerPath({
    method: 'put',
    path: '/api/v1/org/settings',
    summary: "Replace the organisation's settings (admins only)",
    description:
      'The settings are replaced whole (every field; unknown fields are refused). Lists are stored once per entry, lower-cased, in the order given.',
    security,
    request: { body: json(schemas.PutOrgSettingsRequest, 'The new settings') },
    responses: {
      200: json(schemas.OrgSettingsResponse, 'Saved; the settings as stored'),
      403: json(schemas.Error, 'The token’s user is not an admin (`forbidden`)'),
      ...errors,
      ...tooLarge,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/lookup',
    summary: 'Contacts having any of the emails (main or alternate), companies owning any of the domains',
    security,
    request: { body: json(schemas.LookupRequest, 'At most 100 emails and 100 domains') },
    responses: { 200: json(schemas.LookupResponse, 'Matches'), ...errors, ...tooLarge },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/contacts/{id}',
    summary: 'A contact with its company, open deals and newest 10 activities',
    security,
    request: { params: contactIdParam },
    responses: { 200: json(schemas.ContactDetail, 'The contact'), ...errors, ...notFound },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/contacts',
    summary: 'Create a contact',
    security,
    request: { body: json(schemas.CreateContactRequest, 'The new contact') },
    responses: {
      201: json(schemas.Contact, 'Created'),
      409: json(schemas.Error, 'An email is taken; `details.contact` is the existing contact'),
      ...errors,
      ...tooLarge,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/contacts/{id}/emails',
    summary: "Add an alternate email to a contact (one identity across a person's addresses)",
    description:
      'The address goes after the contact’s others and is found by lookups from then on. Idempotent: an address the contact already has answers 200 and changes nothing. Any user may add one; the extension does so only on the rep’s click (docs/CRM-CONTRACT.md, "Alternate addresses").',
    security,
    request: { params: contactIdParam, body: json(schemas.AddContactEmailRequest, 'The address to add') },
    responses: {
      200: json(schemas.ContactEmailsResponse, 'The contact with the address'),
      409: json(
        schemas.Error,
        'Another contact has the address (`conflict`); `details.contact` is that contact',
      ),
      ...errors,
      ...notFound,
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/v1/contacts/{id}/emails/{email}',
    summary: 'Remove an alternate email from a contact (the undo of adding it)',
    description:
      'Idempotent: an address the contact does not have answers 200 with the contact unchanged. The main (first) address is refused with 400 `invalid_request`.',
    security,
    request: { params: z.object({ id: z.string(), email: z.string() }) },
    responses: {
      200: json(schemas.ContactEmailsResponse, 'The contact without the address'),
      ...errors,
      ...notFound,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/contacts/{id}/activities',
    summary: "A contact's activities, newest first, paged",
    security,
    request: {
      params: contactIdParam,
      query: z.object({
        limit: z.number().int().min(1).max(MAX_PAGE_LIMIT).optional(),
        cursor: z.string().optional(),
      }),
    },
    responses: { 200: json(schemas.ActivityPage, 'One page'), ...errors, ...notFound },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/activities',
    summary: 'Log email activities; idempotent on (externalId, contactId)',
    description:
      'The first log of a (Message-ID, contact) is the record, whoever logs it later and whatever they send: a repeat answers `existing` with the first id and changes nothing (docs/CRM-CONTRACT.md, "Logging the same email twice"). An unknown `contactId` is an `error` item; an unknown `companyId` or `dealId` refuses the whole batch with 400 `unknown_reference`.',
    security,
    request: { body: json(schemas.LogActivitiesRequest, 'At most 100 activities') },
    responses: {
      201: json(schemas.LogActivitiesResponse, 'At least one activity was created'),
      200: json(schemas.LogActivitiesResponse, 'Nothing new was created'),
      ...errors,
      ...tooLarge,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/activities',
    summary: 'Activities for one Message-ID across all contacts and users',
    security,
    request: { query: z.object({ externalId: z.string() }) },
    responses: { 200: json(schemas.ActivitiesByExternalIdResponse, 'Matches'), ...errors },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/activities/logged',
    summary: 'Which of up to 100 Message-IDs are logged, and to which contacts (any user)',
    security,
    request: { body: json(schemas.LoggedMessagesRequest, 'At most 100 normalised Message-IDs') },
    responses: {
      200: json(schemas.LoggedMessagesResponse, 'The logged ones; the others are left out'),
      ...errors,
      ...tooLarge,
    },
  });
  const activityChangeErrors = {
    403: json(
      schemas.Error,
      'The token’s user neither logged this email nor is an admin (`forbidden`; `details.loggedBy` is who did)',
    ),
    404: json(
      schemas.Error,
      'No activity has this id (`activity_not_found`): removed already, or never logged here. A CRM without this operation answers 404 with another code, or 405',
    ),
  };
  registry.registerPath({
    method: 'delete',
    path: '/api/v1/activities/{id}',
    summary: 'Remove a logged email from its contact (the rep who logged it, or an admin)',
    description:
      'Idempotent in effect: a repeat answers 404 `activity_not_found`, which a client reads as already removed. Optional: a CRM without it answers 404 with another code, or 405.',
    security,
    request: { params: contactIdParam },
    responses: {
      200: json(schemas.RemoveActivityResponse, 'Removed; the activity as it was'),
      ...errors,
      ...activityChangeErrors,
    },
  });
  registry.registerPath({
    method: 'patch',
    path: '/api/v1/activities/{id}',
    summary: 'Move a logged email to another deal or contact, or reduce it to who and when',
    description:
      'The rep who logged it, or an admin. `privacy: "metadata"` empties subject, snippet and body and cannot be undone. A move to a contact that already has this email removes the moved one and answers that contact’s. A repeat answers `unchanged`. An unknown `contactId` or `dealId` is 400 `unknown_reference`. Optional: a CRM without it answers 404 with another code than `activity_not_found`, or 405.',
    security,
    request: { params: contactIdParam, body: json(schemas.ChangeActivityRequest, 'What changes') },
    responses: {
      200: json(schemas.ChangeActivityResponse, 'Changed, or already so; the activity as it now stands'),
      ...errors,
      ...activityChangeErrors,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/tasks',
    summary: 'Create a task; idempotent on (sourceExternalId, contactId, title)',
    security,
    request: { body: json(schemas.TaskInput, 'The task') },
    responses: {
      201: json(schemas.TaskResponse, 'Created'),
      200: json(schemas.TaskResponse, 'Already existed'),
      ...errors,
      ...tooLarge,
      ...notFound,
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/oauth/{provider}/token',
    summary:
      'Token exchange: redeem a code (with its PKCE verifier and redirect URI) or a refresh token; the server adds the client id and secret from its environment',
    description:
      'On only for the providers whose GOOGLE_/MICROSOFT_/HUBSPOT_CLIENT_ID and _CLIENT_SECRET are set (404 otherwise). No bearer token: CORS answers extension origins only, and requests are rate limited per address. Answers the provider’s tokens, or its error body with its status (server/README.md).',
    request: {
      params: z.object({ provider: z.enum(['google', 'microsoft', 'hubspot']) }),
      body: {
        description: 'An RFC 6749 token request without client credentials (at most 16 kB)',
        content: { 'application/x-www-form-urlencoded': { schema: schemas.TokenExchangeRequest } },
      },
    },
    responses: {
      200: json(schemas.ProviderTokenResponse, 'The provider’s tokens'),
      400: {
        description: 'The provider’s refusal (its body), or a request the exchange refuses (`Error`)',
        content: {
          'application/json': { schema: z.union([schemas.ProviderErrorResponse, schemas.Error]) },
        },
      },
      401: json(schemas.ProviderErrorResponse, 'The provider refused the client credentials'),
      404: json(schemas.Error, 'The exchange is off for this provider'),
      413: json(schemas.Error, 'Request body over 16 kB (`payload_too_large`)'),
      421: errors[421],
      431: errors[431],
      415: json(schemas.Error, 'Not application/x-www-form-urlencoded'),
      429: json(schemas.Error, 'Too many token requests from this address; see Retry-After'),
      502: json(schemas.Error, 'The provider answered something that is not a token response'),
      504: json(schemas.Error, 'The provider did not answer'),
    },
  });

  const document = new OpenApiGeneratorV31([
    ...Object.values(schemas),
    ...registry.definitions,
  ]).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'CRM sidebar contract',
      version: '1.0.0',
      description:
        'The REST contract between the CRM sidebar extension and a CRM (CRM-CONTRACT.md). A known path asked with another method answers 405 with an `Allow` header.',
    },
  });
  return nullableRefsAsAnyOf(document);
}

/**
 * The generator writes a nullable `$ref` as `allOf: [{$ref}, {type: [object, null]}]`,
 * which no null satisfies (the `$ref` half refuses it); `anyOf: [{$ref}, {type: null}]`
 * says what the server answers (ContactDetail's `company: null`).
 */
function nullableRefsAsAnyOf<T>(node: T): T {
  if (Array.isArray(node)) return node.map(nullableRefsAsAnyOf) as T;
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node).map(([key, value]) => [key, nullableRefsAsAnyOf(value)] as const);
  const object = Object.fromEntries(entries) as Record<string, unknown>;
  const allOf = object.allOf;
  if (Array.isArray(allOf) && allOf.length === 2) {
    const [ref, nullable] = allOf as [Record<string, unknown>, Record<string, unknown>];
    const type = nullable.type;
    if (
      typeof ref.$ref === 'string' &&
      Array.isArray(type) &&
      type.includes('null') &&
      Object.keys(nullable).length === 1
    ) {
      const { allOf: _replaced, ...rest } = object;
      return { ...rest, anyOf: [ref, { type: 'null' }] } as T;
    }
  }
  return object as T;
}
