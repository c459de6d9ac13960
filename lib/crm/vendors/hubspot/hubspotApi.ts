import type { z } from 'zod';
import type { CrmRecordRef } from '../../CrmCapabilities';
import { CrmError } from '../../CrmError';
import { memoOnce } from '../../connectorKit/memoOnce';
import { MAX_BATCH, type MeResponse } from '../../contract';
import {
  type CrmHttp,
  crmJsonRequest,
  DEFAULT_TIMEOUT_MS,
  defaultFetch,
  kindForStatus,
  parseJsonOrUndefined,
  parseRetryAfter,
} from '../../crmJsonRequest';
import { HUBSPOT_PROPERTIES, ownerName } from './hubspotMapping';
import {
  HubSpotAccountDetails,
  HubSpotAssociateResponse,
  HubSpotBatchResponse,
  HubSpotErrorBody,
  type HubSpotObject,
  HubSpotOwnersPage,
  HubSpotProperty,
  HubSpotSearchResponse,
} from './hubspotSchemas';
import { HUBSPOT_API_BASE } from './hubspotVendor';

/** Object type ids in record URLs (https://developers.hubspot.com/docs/api/crm/understanding-the-crm). */
const OBJECT_TYPE_IDS: Partial<Record<CrmRecordRef['kind'], string>> = {
  contact: '0-1',
  company: '0-2',
  deal: '0-3',
  task: '0-27',
  email: '0-49',
};

/**
 * Search limits (https://developers.hubspot.com/changelog/breaking-change-expanded-filtering-capabilities-and-error-messaging-in-hubspots-search-api):
 * 5 filter groups per request (one alternate address each), at most 200 results a page
 * (https://developers.hubspot.com/docs/api-reference/2026-03/crm/search-the-crm).
 */
export const SEARCH_GROUPS = 5;
export const SEARCH_PAGE = 200;
/**
 * Search requests a second per token: 4 in https://developers.hubspot.com/changelog/crm-search-api-rate-limit-increase
 * (the current docs say 5; the lower figure is kept).
 */
export const SEARCHES_PER_SECOND = 4;
/** Message-IDs asked about within this window go out as one search (an IN filter). */
export const MESSAGE_BATCH_WINDOW_MS = 15;
/** IN values per message search: the contract's batch size (HubSpot documents no lower cap we found). */
export const MESSAGE_BATCH = MAX_BATCH;
/**
 * How long the answers of the rate-limited searches of a lookup (companies by domain,
 * contacts by alternate address) are reused: the ids found, or that nothing was found. The
 * records themselves are read fresh each time (batch reads, not searches). Five minutes is
 * the staleness the panel's lookup cache already accepts (lib/store/LookupCache.ts): a new
 * company or alternate address shows within it; contacts created here are seen at once.
 */
export const SEARCH_ANSWER_TTL_MS = 5 * 60_000;
export const RECENT_EMAILS = 10;

/**
 * Reserved search times per (API, token), shared by every connector in this worker, so the
 * panel and the sync together stay under SEARCHES_PER_SECOND: a search waits only when that
 * many already went (or are booked to go) out in the last second.
 */
const searchWindows = new Map<string, number[]>();
async function searchSlot(key: string, now = Date.now()): Promise<void> {
  const booked = (searchWindows.get(key) ?? []).filter((t) => t > now - 1_000);
  const at =
    booked.length < SEARCHES_PER_SECOND
      ? now
      : Math.max(now, booked[booked.length - SEARCHES_PER_SECOND]! + 1_000);
  booked.push(at);
  searchWindows.set(key, booked);
  if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
}

export interface HubSpotApiOptions {
  accessToken: string | (() => Promise<string>);
  repEmail: string;
  apiBase?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * HubSpot over HTTP for one token: requests, paced and remembered searches, batch reads,
 * associations, and the account facts loaded once (portal, owners, the rep, our properties).
 * The connector's lookups and logging are built on it.
 */
export function createHubSpotApi(options: HubSpotApiOptions) {
  const apiBase = (options.apiBase ?? HUBSPOT_API_BASE).replace(/\/+$/, '');
  const accessToken = options.accessToken;
  const http: CrmHttp = {
    fetch: options.fetch ?? defaultFetch(),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    token: typeof accessToken === 'string' ? () => accessToken : accessToken,
    errorFromResponse: hubSpotError,
  };
  const call = <S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    schema: S,
    body?: unknown,
  ) => crmJsonRequest(http, method, `${apiBase}${path}`, schema, body);

  // Paced so a thread with many addresses stays under the search limit instead of hitting 429.
  async function search(type: string, body: unknown) {
    await searchSlot(`${apiBase}|${await http.token()}`);
    return call('POST', `/crm/v3/objects/${type}/search`, HubSpotSearchResponse, body);
  }

  /** Every result of a search, page by page (at most SEARCH_PAGE a page). */
  async function searchAll(type: string, body: Record<string, unknown>): Promise<HubSpotObject[]> {
    const out: HubSpotObject[] = [];
    let after: string | undefined;
    for (let page = 0; page < 50; page++) {
      const answer = await search(type, { ...body, limit: SEARCH_PAGE, ...(after ? { after } : {}) });
      out.push(...answer.results);
      after = answer.paging?.next?.after;
      if (!after) break;
    }
    return out;
  }

  /** Ids a rate-limited search found per key (a domain, an address), reused for SEARCH_ANSWER_TTL_MS. */
  const searchAnswers = {
    companies: new Map<string, { ids: string[]; until: number }>(),
    alternates: new Map<string, { ids: string[]; until: number }>(),
  };
  const remembered = (kind: keyof typeof searchAnswers, key: string) => {
    const hit = searchAnswers[kind].get(key);
    return hit && hit.until > Date.now() ? hit.ids : undefined;
  };
  const remember = (kind: keyof typeof searchAnswers, key: string, ids: string[]) =>
    searchAnswers[kind].set(key, { ids, until: Date.now() + SEARCH_ANSWER_TTL_MS });

  let portalInfo: z.infer<typeof HubSpotAccountDetails> | null = null;
  const portal = memoOnce(async () => {
    portalInfo = await call('GET', '/account-info/v3/details', HubSpotAccountDetails);
    return portalInfo;
  });
  const owners = memoOnce(async () => {
    const byId = new Map<string, string>();
    let after: string | undefined;
    for (let page = 0; page < 20; page++) {
      const query = new URLSearchParams({ limit: '500', ...(after ? { after } : {}) });
      const answer = await call('GET', `/crm/v3/owners?${query}`, HubSpotOwnersPage);
      for (const o of answer.results) byId.set(o.id, ownerName(o));
      after = answer.paging?.next?.after;
      if (!after) break;
    }
    return byId;
  });
  const me = memoOnce(async (): Promise<MeResponse> => {
    const email = options.repEmail.trim().toLowerCase();
    const [, found] = await Promise.all([
      portal(),
      call('GET', `/crm/v3/owners?${new URLSearchParams({ email, limit: '1' })}`, HubSpotOwnersPage),
    ]);
    const owner = found.results[0];
    if (!owner)
      throw new CrmError(
        'auth',
        `No HubSpot user has the address ${email}: enter the email you sign in to HubSpot with, so emails are logged under your name.`,
      );
    const domain = email.split('@')[1];
    return {
      user: { id: owner.id, name: ownerName(owner), email },
      org: { name: `HubSpot account ${portalInfo?.portalId ?? ''}`.trim(), domains: domain ? [domain] : [] },
    };
  });

  function recordUrl(record: CrmRecordRef): string | null {
    const typeId = OBJECT_TYPE_IDS[record.kind];
    if (!portalInfo || !typeId) return null;
    return `https://${portalInfo.uiDomain}/contacts/${portalInfo.portalId}/record/${typeId}/${encodeURIComponent(record.id)}`;
  }

  /** Our properties exist (created on first use), with a clear message when the token cannot create them. */
  const ensureProperty = (objectType: 'emails' | 'tasks', name: string, unique: boolean) =>
    memoOnce(async () => {
      try {
        await call('GET', `/crm/v3/properties/${objectType}/${name}`, HubSpotProperty);
        return;
      } catch (error) {
        if (!(error instanceof CrmError) || error.kind !== 'not_found') throw error;
      }
      try {
        await call('POST', `/crm/v3/properties/${objectType}`, HubSpotProperty, {
          name,
          label:
            name === HUBSPOT_PROPERTIES.emailMessageId ? 'CRM Sidebar Message-ID' : 'CRM Sidebar log key',
          type: 'string',
          fieldType: 'text',
          groupName: objectType === 'emails' ? 'email_information' : 'task_information',
          hasUniqueValue: unique,
          description: 'Written by the CRM Sidebar extension so an email or task is logged only once.',
        });
      } catch (error) {
        if (error instanceof CrmError && error.kind === 'conflict') return; // another tab created it
        if (error instanceof CrmError && error.kind === 'auth' && error.status === 403)
          throw new CrmError(
            'auth',
            `HubSpot would not let this token create the "${name}" property on ${objectType}, which keeps every email logged once. Add the "crm.schemas.custom.write" scope to the private app (or have an admin create a unique single-line text property named ${name} on ${objectType}), then try again.`,
            { status: 403 },
          );
        throw error;
      }
    });
  const emailSchema = memoOnce(async () => {
    await Promise.all([
      ensureProperty('emails', HUBSPOT_PROPERTIES.emailLogKey, true)(),
      ensureProperty('emails', HUBSPOT_PROPERTIES.emailMessageId, false)(),
    ]);
  });
  const taskSchema = ensureProperty('tasks', HUBSPOT_PROPERTIES.taskKey, true);

  async function readBatch(type: string, ids: string[], properties: string[], idProperty?: string) {
    const out: HubSpotObject[] = [];
    for (let i = 0; i < ids.length; i += MAX_BATCH) {
      const answer = await call('POST', `/crm/v3/objects/${type}/batch/read`, HubSpotBatchResponse, {
        properties,
        ...(idProperty ? { idProperty } : {}),
        inputs: ids.slice(i, i + MAX_BATCH).map((id) => ({ id })),
      });
      out.push(...answer.results);
    }
    return out;
  }

  async function associate(fromType: string, toType: string, pairs: { from: string; to: string }[]) {
    if (pairs.length === 0) return new Set<string>();
    const answer = await call(
      'POST',
      `/crm/v4/associations/${fromType}/${toType}/batch/associate/default`,
      HubSpotAssociateResponse,
      { inputs: pairs.map((p) => ({ from: { id: p.from }, to: { id: p.to } })) },
    );
    return new Set((answer.errors ?? []).flatMap((e) => e.context?.ids ?? []));
  }

  return {
    apiBase,
    http,
    call,
    search,
    searchAll,
    searchAnswers,
    remembered,
    remember,
    portal,
    owners,
    me,
    recordUrl,
    emailSchema,
    taskSchema,
    readBatch,
    associate,
  };
}

export type HubSpotApi = ReturnType<typeof createHubSpotApi>;

/**
 * HubSpot's error answers (https://developers.hubspot.com/docs/api/error-handling) as
 * CrmErrors; a 429 carries the wait: Retry-After when present, else one second for the
 * per-second search limit, else the X-HubSpot-RateLimit-Interval-Milliseconds window.
 */
function hubSpotError(what: string, response: Response, text: string): CrmError {
  const status = response.status;
  const parsed = HubSpotErrorBody.safeParse(parseJsonOrUndefined(text));
  const body = parsed.success ? parsed.data : undefined;
  const kind = kindForStatus(status);
  let retryAfterMs: number | undefined;
  if (kind === 'rate_limited') {
    const interval = Number(response.headers.get('x-hubspot-ratelimit-interval-milliseconds'));
    retryAfterMs =
      parseRetryAfter(response.headers.get('retry-after')) ??
      (body?.policyName === 'SECONDLY' || !Number.isFinite(interval) || interval <= 0 ? 1_000 : interval);
  } else if (kind === 'server') retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  const reason = body
    ? `${body.category ?? body.errorType ?? 'error'}: ${body.message}`
    : response.statusText || 'no error body';
  const prefix =
    status === 401
      ? 'HubSpot refused the token (expired or revoked?). '
      : status === 403
        ? 'The HubSpot token lacks a scope this needs. '
        : '';
  return new CrmError(kind, `${prefix}${what} failed with ${status} (${reason})`, {
    status,
    retryAfterMs,
    details: body?.correlationId ? { correlationId: body.correlationId } : undefined,
  });
}
