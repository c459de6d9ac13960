import type { z } from 'zod';
import { ALL_CAPABILITIES, type CrmInfo } from '../../CrmCapabilities';
import type { ActivityChange, ActivityMove, CrmConnector, LoggedActivityRef } from '../../CrmConnector';
import { CrmError } from '../../CrmError';
import {
  ActivitiesByExternalIdResponse,
  ActivityPage,
  type ChangeActivityRequest,
  ChangeActivityResponse,
  Contact,
  ContactConflictDetails,
  ContactDetail,
  ContactEmailsResponse,
  type CreateContactRequest,
  type EmailActivityInput,
  ErrorBody,
  LogActivitiesResponse,
  LoggedMessagesResponse,
  type LookupRequest,
  LookupResponse,
  MeResponse,
  OrgSettingsResponse,
  RemoveActivityResponse,
  type TaskInput,
  TaskResponse,
} from '../../contract';
import {
  type CrmHttp,
  crmJsonRequest,
  DEFAULT_TIMEOUT_MS,
  defaultFetch,
  kindForStatus,
  parseJsonOrUndefined,
  parseRetryAfter,
} from '../../crmJsonRequest';

export { DEFAULT_TIMEOUT_MS, parseRetryAfter };

export interface RestCrmConnectorOptions {
  /** The CRM's origin (and optional prefix), without `/api/v1`. */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Per request, default 10 s. */
  timeoutMs?: number;
}

/** A CRM that speaks CRM-CONTRACT.md does everything the contract describes. */
export const REST_CRM_INFO: CrmInfo = { type: 'rest', name: 'CRM', capabilities: ALL_CAPABILITIES };

/**
 * The `rest` connector: CRM-CONTRACT.md over fetch. Works in a service worker (no Node
 * APIs). Every answer is parsed with the contract's schemas; every failure becomes a
 * CrmError. It never retries: the outbox decides that.
 */
export function createRestCrmConnector(options: RestCrmConnectorOptions): CrmConnector {
  const apiBase = `${options.baseUrl.replace(/\/+$/, '')}/api/v1`;
  const http: CrmHttp = {
    fetch: options.fetch ?? defaultFetch(),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    token: () => options.token,
    errorFromResponse,
  };
  const call = <S extends z.ZodType>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    schema: S,
    body?: unknown,
  ) => crmJsonRequest(http, method, `${apiBase}${path}`, schema, body);
  const activityPath = (ref: LoggedActivityRef) => `/activities/${encodeURIComponent(ref.id)}`;
  const activityHttp: CrmHttp = { ...http, errorFromResponse: activityErrorFromResponse };
  const change = async (ref: LoggedActivityRef, body: ChangeActivityRequest): Promise<ActivityChange> => {
    const answer = await crmJsonRequest(
      activityHttp,
      'PATCH',
      `${apiBase}${activityPath(ref)}`,
      ChangeActivityResponse,
      body,
    );
    const { id, externalId, contactId, dealId } = answer.activity;
    return { status: answer.status, activity: { id, externalId, contactId, dealId } };
  };

  return {
    info: REST_CRM_INFO,
    // The contract's records carry the CRM's own links in `url`; nothing to build here.
    recordUrl: () => null,
    whoami: () => call('GET', '/me', MeResponse),
    lookup: (request: LookupRequest) => call('POST', '/lookup', LookupResponse, request),
    getContact: (contactId: string) =>
      call('GET', `/contacts/${encodeURIComponent(contactId)}`, ContactDetail),
    createContact: (request: CreateContactRequest) => call('POST', '/contacts', Contact, request),
    listContactActivities: (contactId, page = {}) => {
      const query = new URLSearchParams();
      if (page.limit !== undefined) query.set('limit', String(page.limit));
      if (page.cursor !== undefined) query.set('cursor', page.cursor);
      const queryString = query.toString();
      const suffix = queryString ? `?${queryString}` : '';
      return call('GET', `/contacts/${encodeURIComponent(contactId)}/activities${suffix}`, ActivityPage);
    },
    logActivities: (activities: EmailActivityInput[]) =>
      call('POST', '/activities', LogActivitiesResponse, { activities }),
    activitiesForMessage: async (externalId: string) => {
      const page = await call(
        'GET',
        `/activities?${new URLSearchParams({ externalId })}`,
        ActivitiesByExternalIdResponse,
      );
      return page.activities;
    },
    findLoggedMessages: async (externalIds: readonly string[]) =>
      (await call('POST', '/activities/logged', LoggedMessagesResponse, { externalIds })).messages,
    createTask: (task: TaskInput) => call('POST', '/tasks', TaskResponse, task),
    // An optional capability: a CRM without organisation settings answers 404.
    orgSettings: () =>
      call('GET', '/org/settings', OrgSettingsResponse).catch((error: unknown) => {
        if (error instanceof CrmError && error.options.status === 404) return null;
        throw error;
      }),
    addContactEmail: async (contactId: string, email: string) =>
      (
        await call('POST', `/contacts/${encodeURIComponent(contactId)}/emails`, ContactEmailsResponse, {
          email,
        })
      ).contact,
    removeContactEmail: async (contactId: string, email: string) =>
      (
        await call(
          'DELETE',
          `/contacts/${encodeURIComponent(contactId)}/emails/${encodeURIComponent(email)}`,
          ContactEmailsResponse,
        )
      ).contact,
    removeActivity: async (ref: LoggedActivityRef) => {
      try {
        await crmJsonRequest(
          activityHttp,
          'DELETE',
          `${apiBase}${activityPath(ref)}`,
          RemoveActivityResponse,
        );
        return { status: 'removed' };
      } catch (error) {
        // Removed already (by this or another tab, or in the CRM): the effect asked for holds.
        if (error instanceof CrmError && error.kind === 'not_found') return { status: 'absent' };
        throw error;
      }
    },
    moveActivity: (ref: LoggedActivityRef, to: ActivityMove) => change(ref, to),
    redactActivity: (ref: LoggedActivityRef) => change(ref, { privacy: 'metadata' }),
  };
}

/**
 * DELETE and PATCH /activities/{id} failures (docs/CRM-CONTRACT.md, "Remove, move or redact
 * a logged email"): 403 is "only the rep who logged it, or an admin"; 404 means the activity
 * is gone only with `activity_not_found`; 404 with another code, or 405, is a CRM that does
 * not offer the operation.
 */
function activityErrorFromResponse(what: string, response: Response, text: string): CrmError {
  const status = response.status;
  const body = ErrorBody.safeParse(parseJsonOrUndefined(text));
  const code = body.success ? body.data.error.code : undefined;
  if (status === 405 || (status === 404 && code !== 'activity_not_found'))
    return new CrmError('unsupported', `${what} failed with ${status}: this CRM does not offer it`, {
      status,
    });
  if (status === 403)
    return new CrmError(
      'auth',
      `${what} failed with 403 (${body.success ? body.data.error.message : 'no error body'})`,
      {
        status,
        code: 'activity_not_yours',
        details: body.success ? body.data.error.details : undefined,
      },
    );
  return errorFromResponse(what, response, text);
}

function errorFromResponse(what: string, response: Response, text: string): CrmError {
  const status = response.status;
  const kind = kindForStatus(status);
  const parsed = ErrorBody.safeParse(parseJsonOrUndefined(text));
  const body = parsed.success ? parsed.data : undefined;
  let details = body?.error.details;
  if (kind === 'conflict') {
    // The caller needs the existing contact to link to it instead of creating one.
    const conflict = ContactConflictDetails.safeParse(details);
    details = conflict.success ? conflict.data : details;
  }
  const reason = body ? `${body.error.code}: ${body.error.message}` : response.statusText || 'no error body';
  return new CrmError(kind, `${what} failed with ${status} (${reason})`, {
    status,
    details,
    retryAfterMs:
      kind === 'rate_limited' || kind === 'server'
        ? parseRetryAfter(response.headers.get('Retry-After'))
        : undefined,
  });
}
