import type { z } from 'zod';
import { ALL_CAPABILITIES, type CrmInfo } from './CrmCapabilities';
import type { CrmConnector } from './CrmConnector';
import { CrmError, type CrmErrorKind } from './CrmError';
import {
  ActivitiesByExternalIdResponse,
  ActivityPage,
  Contact,
  ContactConflictDetails,
  ContactDetail,
  type CreateContactRequest,
  type EmailActivityInput,
  ErrorBody,
  LogActivitiesResponse,
  type LookupRequest,
  LookupResponse,
  MeResponse,
  type TaskInput,
  TaskResponse,
} from './contract';

export interface RestCrmConnectorOptions {
  /** The CRM's origin (and optional prefix), without `/api/v1`. */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Per request, default 10 s. */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** A CRM that speaks CRM-CONTRACT.md does everything the contract describes. */
export const REST_CRM_INFO: CrmInfo = { type: 'rest', name: 'CRM', capabilities: ALL_CAPABILITIES };

/**
 * The `rest` connector: CRM-CONTRACT.md over fetch. Works in a service worker (no Node
 * APIs). Every answer is parsed with the contract's schemas; every failure becomes a
 * CrmError. It never retries: the outbox decides that.
 */
export function createRestCrmConnector(options: RestCrmConnectorOptions): CrmConnector {
  const apiBase = `${options.baseUrl.replace(/\/+$/, '')}/api/v1`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Bound so a bare `fetch` reference does not lose its global receiver ("Illegal invocation").
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);

  async function call<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    responseSchema: S,
    body?: unknown,
  ): Promise<z.output<S>> {
    const what = `${method} ${path.split('?')[0]}`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await doFetch(`${apiBase}${path}`, {
        method,
        headers: {
          Accept: 'application/json',
          Authorization: `Bearer ${options.token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
      text = await response.text();
    } catch (error) {
      const message = controller.signal.aborted
        ? `${what}: no answer within ${timeoutMs} ms`
        : `${what}: ${describeNetworkError(error)}`;
      throw new CrmError('network', redact(message, options.token));
    } finally {
      clearTimeout(timer);
    }

    if (!response.ok) throw errorFromResponse(what, response, text, options.token);

    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new CrmError('invalid_response', `${what}: the answer is not JSON`, { status: response.status });
    }
    const parsed = responseSchema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first ? ` at ${first.path.join('.') || '(root)'}: ${first.message}` : '';
      throw new CrmError('invalid_response', `${what}: the answer does not match the contract${where}`, {
        status: response.status,
        details: parsed.error.issues,
      });
    }
    return parsed.data;
  }

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
    createTask: (task: TaskInput) => call('POST', '/tasks', TaskResponse, task),
  };
}

function kindForStatus(status: number): CrmErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  if (status >= 400) return 'invalid_request';
  return 'invalid_response';
}

function errorFromResponse(what: string, response: Response, text: string, token: string): CrmError {
  const status = response.status;
  const kind = kindForStatus(status);
  let body: z.infer<typeof ErrorBody> | undefined;
  try {
    const parsed = ErrorBody.safeParse(JSON.parse(text));
    if (parsed.success) body = parsed.data;
  } catch {
    // Proxies and gateways answer errors in HTML; the status alone is enough.
  }
  let details = body?.error.details;
  if (kind === 'conflict') {
    // The caller needs the existing contact to link to it instead of creating one.
    const conflict = ContactConflictDetails.safeParse(details);
    details = conflict.success ? conflict.data : details;
  }
  const reason = body ? `${body.error.code}: ${body.error.message}` : response.statusText || 'no error body';
  return new CrmError(kind, redact(`${what} failed with ${status} (${reason})`, token), {
    status,
    details,
    retryAfterMs:
      kind === 'rate_limited' || kind === 'server'
        ? parseRetryAfter(response.headers.get('Retry-After'))
        : undefined,
  });
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return 'network error';
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

/** A server may echo headers in an error; the token must never reach a log or the UI. */
function redact(message: string, token: string): string {
  return token ? message.split(token).join('[token]') : message;
}
