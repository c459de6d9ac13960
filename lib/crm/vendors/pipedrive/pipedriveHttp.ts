import { z } from 'zod';
import { CrmError } from '../../CrmError';
import {
  type CrmHttp,
  crmJsonRequest,
  DEFAULT_TIMEOUT_MS,
  defaultFetch,
  kindForStatus,
  parseJsonOrUndefined,
  parseRetryAfter,
} from '../../crmJsonRequest';
import { PipedriveErrorBody, pipedriveEnvelope } from './pipedriveSchemas';
import { PIPEDRIVE_API_BASE } from './pipedriveVendor';

/**
 * Requests per token and 2-second window: 20 on the smallest plan with an API token (until
 * an answer's `x-ratelimit-limit` tells the plan's), 10 for the search endpoints on every
 * plan (https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting). The connector
 * stays under both instead of collecting 429s.
 */
export const BURST_PER_WINDOW = 20;
export const SEARCHES_PER_WINDOW = 10;
export const WINDOW_MS = 2_000;

/** v2 lists answer at most 500 a page (`limit`, src/versions/v2/api/*-api.ts). */
export const PAGE_LIMIT = 500;

export interface PipedriveHttpOptions {
  /** https://api.pipedrive.com or the company's https://<company>.pipedrive.com. */
  apiBase?: string;
  apiToken: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export type PipedriveHttp = ReturnType<typeof createPipedriveHttp>;

interface Envelope<T> {
  success: true;
  data: T;
  additional_data?: { next_cursor?: string | null } | null;
}

/**
 * Calls to Pipedrive with an API token: every answer parsed with its schema inside
 * Pipedrive's `{ success, data }` envelope, every failure a CrmError, and requests paced
 * under Pipedrive's burst limits (shared by every connector with the same token).
 */
export function createPipedriveHttp(options: PipedriveHttpOptions) {
  const apiBase = (options.apiBase || PIPEDRIVE_API_BASE).replace(/\/+$/, '');
  const base = options.fetch ?? defaultFetch();
  const paceKey = `${apiBase}|${options.apiToken}`;
  const http: CrmHttp = {
    fetch: async (input, init) => {
      const response = await base(input, withApiTokenHeader(init));
      // The plan's burst limit, learnt from any answer but a search's (which has its own).
      const limit = Number(response.headers.get('x-ratelimit-limit'));
      if (limit > 0 && !String(input).includes('/search?')) burstLimits.set(paceKey, limit);
      return response;
    },
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    token: () => options.apiToken,
    errorFromResponse: pipedriveError,
  };

  async function call<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    data: S,
    body?: unknown,
  ): Promise<Envelope<z.output<S>>> {
    await slot(requestWindows, paceKey, burstLimits.get(paceKey) ?? BURST_PER_WINDOW);
    if (path.includes('/search?')) await slot(searchWindows, paceKey, SEARCHES_PER_WINDOW);
    // The envelope's schema checks `data` with `data`; zod's generic output loses its type.
    return (await crmJsonRequest(
      http,
      method,
      `${apiBase}${path}`,
      pipedriveEnvelope(data),
      body,
    )) as Envelope<z.output<S>>;
  }

  return {
    apiBase,
    get: async <S extends z.ZodType>(path: string, data: S) => (await call('GET', path, data)).data,
    post: async <S extends z.ZodType>(path: string, data: S, body: unknown) =>
      (await call('POST', path, data, body)).data,
    patch: async <S extends z.ZodType>(path: string, data: S, body: unknown) =>
      (await call('PATCH', path, data, body)).data,
    delete: async <S extends z.ZodType>(path: string, data: S) => (await call('DELETE', path, data)).data,
    /** Every item of a v2 list, following `next_cursor` (at most `maxPages` pages). */
    async all<S extends z.ZodType>(path: string, query: Record<string, string>, item: S, maxPages = 20) {
      const out: z.output<S>[] = [];
      let cursor: string | null | undefined;
      for (let page = 0; page < maxPages; page++) {
        const params = new URLSearchParams({ ...query, limit: String(PAGE_LIMIT) });
        if (cursor) params.set('cursor', cursor);
        const answer = await call('GET', `${path}?${params}`, z.array(item).nullable());
        out.push(...(answer.data ?? []));
        cursor = answer.additional_data?.next_cursor;
        if (!cursor) break;
      }
      return out;
    },
  };
}

/**
 * crmJsonRequest sends `Authorization: Bearer`, which Pipedrive keeps for OAuth access
 * tokens; an API token travels in the `x-api-token` header (the header Pipedrive's client
 * sets, src/versions/v2/api/activities-api.ts `setApiKeyToObject(…, "x-api-token", …)`).
 * Kept out of the query string so it never lands in a proxy's log.
 */
function withApiTokenHeader(init: RequestInit | undefined): RequestInit {
  const headers = new Headers(init?.headers);
  const bearer = /^Bearer (.+)$/.exec(headers.get('authorization') ?? '')?.[1];
  headers.delete('authorization');
  if (bearer) headers.set('x-api-token', bearer);
  return { ...init, headers };
}

/** Booked request times per (API, token) and window kind, shared by every connector in this worker. */
const requestWindows = new Map<string, number[]>();
/** The burst limit Pipedrive announced per (API, token) in `x-ratelimit-limit`. */
const burstLimits = new Map<string, number>();
const searchWindows = new Map<string, number[]>();

async function slot(windows: Map<string, number[]>, key: string, perWindow: number, now = Date.now()) {
  const booked = (windows.get(key) ?? []).filter((t) => t > now - WINDOW_MS - 150);
  // A margin: Pipedrive counts a request when it arrives, a little after it was booked here.
  const at =
    booked.length < perWindow ? now : Math.max(now, booked[booked.length - perWindow]! + WINDOW_MS + 150);
  booked.push(at);
  windows.set(key, booked);
  if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
}

/**
 * Pipedrive's failures (https://pipedrive.readme.io/docs/core-api-concepts-http-status-codes)
 * as CrmErrors. 402 (the company account is not open) and 401 are the rep's to fix, so
 * both are `auth`; 410 (gone) is `not_found`. A 429 waits for Retry-After, else the
 * `x-ratelimit-reset` seconds of the 2-second window (core-api-concepts-rate-limiting).
 */
export function pipedriveError(what: string, response: Response, text: string): CrmError {
  const status = response.status;
  const parsed = PipedriveErrorBody.safeParse(parseJsonOrUndefined(text));
  const body = parsed.success ? parsed.data : undefined;
  const kind = status === 402 ? 'auth' : status === 410 ? 'not_found' : kindForStatus(status);
  let retryAfterMs: number | undefined;
  if (kind === 'rate_limited') {
    const reset = Number(response.headers.get('x-ratelimit-reset'));
    retryAfterMs =
      parseRetryAfter(response.headers.get('retry-after')) ??
      (Number.isFinite(reset) && reset > 0 ? reset * 1000 : WINDOW_MS);
  } else if (kind === 'server') retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  const prefix =
    status === 401
      ? 'Pipedrive refused the API token (regenerated, or API access turned off for this user?). '
      : status === 402
        ? 'The Pipedrive company account is not open (trial over or payment missing). '
        : status === 403
          ? 'Pipedrive does not let this user do that. '
          : '';
  const reason = body ? body.error : response.statusText || 'no error body';
  return new CrmError(kind, `${prefix}${what} failed with ${status} (${reason})`, {
    status,
    retryAfterMs,
    details: body?.code ? { code: body.code } : undefined,
  });
}
