import { z } from 'zod';
import type { CrmRecordRef } from '../../CrmCapabilities';
import { CrmError } from '../../CrmError';
import { memoOnce } from '../../connectorKit/memoOnce';
import type { MeResponse } from '../../contract';
import {
  type CrmHttp,
  crmJsonRequest,
  DEFAULT_TIMEOUT_MS,
  defaultFetch,
  kindForStatus,
  parseJsonOrUndefined,
} from '../../crmJsonRequest';
import { CONTACT_FIELDS, LEAD_FIELDS } from './salesforceMapping';

export const SalesforceRecord = z.looseObject({
  Id: z.string(),
  attributes: z.object({ type: z.string() }).optional(),
});
export type SalesforceRecord = z.infer<typeof SalesforceRecord> & Record<string, unknown>;
export const QueryResponse = z.object({
  totalSize: z.number(),
  done: z.boolean(),
  /** Set when `done` is false: the rest is read from here, at most 2,000 records at a time. */
  nextRecordsUrl: z.string().optional(),
  records: z.array(SalesforceRecord),
});
export const SaveResult = z.object({
  id: z.string().nullable().optional(),
  success: z.boolean(),
  created: z.boolean().optional(),
  errors: z.array(
    z.object({
      statusCode: z.string().optional(),
      message: z.string(),
      fields: z.array(z.string()).optional(),
    }),
  ),
});
export const Describe = z.object({
  createable: z.boolean(),
  fields: z.array(
    z.object({ name: z.string(), externalId: z.boolean().optional(), unique: z.boolean().optional() }),
  ),
});
export const UserInfo = z.object({
  user_id: z.string(),
  organization_id: z.string(),
  name: z.string(),
  email: z.string(),
});
/** Salesforce's error body: `[{ message, errorCode, fields }]` (REST API "Status Codes and Error Responses"). */
export const SalesforceErrorBody = z.array(
  z.object({ message: z.string(), errorCode: z.string(), fields: z.array(z.string()).optional() }),
);

/** sObject Collections take at most 200 records (resources_composite_sobjects_collections). */
export const MAX_COLLECTION = 200;

export type LogMode = { object: 'EmailMessage' | 'Task'; keyField: string | null };

/** A SOQL string literal: backslash and quote escaped (SOQL "Quoted String Escape Sequences"). */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}
export const soqlList = (values: string[]) => `(${values.map(soqlString).join(', ')})`;

/** Condition text per query, URL-encoded, well below the 16,384-byte URI + headers limit. */
export const SOQL_CONDITION_BUDGET = 6_000;

/** Splits `items` so the condition each chunk makes stays under the budget (encoded length). */
export function chunkByLength(items: readonly string[], cost: (item: string) => number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let used = 0;
  for (const item of items) {
    // URL encoding roughly triples reserved characters; count the worst case.
    const c = cost(item) * 3;
    if (current.length > 0 && used + c > SOQL_CONDITION_BUDGET) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(item);
    used += c;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export const SALESFORCE_API_VERSION = 'v62.0';

/**
 * External ID + unique text fields an admin may add (README): with them, logging is an
 * upsert and exactly-once holds under any concurrency; without, a query-then-create.
 */
export const SALESFORCE_KEY_FIELDS = {
  EmailMessage: 'CrmSidebar_Log_Key__c',
  Task: 'CrmSidebar_Log_Key__c',
} as const;

export interface SalesforceApiOptions {
  instanceUrl: string;
  accessToken: string | (() => Promise<string>);
  refreshAccessToken?: () => Promise<string>;
  apiVersion?: string;
  accountDomainField?: string;
  logAs?: 'auto' | 'email_message' | 'task';
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Salesforce's REST API for one signed-in rep: requests (an expired session renewed once),
 * SOQL queries page by page, sObject Collections, and what is loaded once (the rep and org,
 * user names, how emails are logged in this org).
 */
export function createSalesforceApi(options: SalesforceApiOptions) {
  const instance = options.instanceUrl.replace(/\/+$/, '');
  const version = options.apiVersion ?? SALESFORCE_API_VERSION;
  const dataBase = `${instance}/services/data/${version}`;
  const domainField = options.accountDomainField ?? 'Website';
  let current: string | null = typeof options.accessToken === 'string' ? options.accessToken : null;
  const http: CrmHttp = {
    fetch: options.fetch ?? defaultFetch(),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    token: async () => {
      current ??= typeof options.accessToken === 'string' ? options.accessToken : await options.accessToken();
      return current;
    },
    errorFromResponse: salesforceError,
  };

  let refreshing: Promise<string> | null = null;
  async function call<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    schema: S,
    body?: unknown,
  ): Promise<z.output<S>> {
    try {
      return await crmJsonRequest(http, method, url, schema, body);
    } catch (error) {
      if (!(error instanceof CrmError) || error.status !== 401 || !options.refreshAccessToken) throw error;
      try {
        // Calls that fail together share one refresh (a second would void the first's token).
        refreshing ??= options.refreshAccessToken().finally(() => {
          refreshing = null;
        });
        current = await refreshing;
      } catch {
        throw new CrmError('auth', 'Your Salesforce session has ended and could not be renewed.', {
          status: 401,
          code: 'crm_sign_in_ended',
        });
      }
      return crmJsonRequest(http, method, url, schema, body);
    }
  }
  // A query answers at most 2,000 records; the rest is read through `nextRecordsUrl` until `done`
  // (https://developer.salesforce.com/docs/platform/api-rest/guide/dome-query.html). The locator
  // is followed only on this org's own data path, so a tampered answer cannot send the token elsewhere.
  const query = async (soql: string): Promise<SalesforceRecord[]> => {
    let page = await call('GET', `${dataBase}/query?${new URLSearchParams({ q: soql })}`, QueryResponse);
    const records = [...page.records] as SalesforceRecord[];
    while (!page.done) {
      const next = page.nextRecordsUrl;
      if (!next?.startsWith(`/services/data/${version}/query/`))
        throw new CrmError(
          'invalid_response',
          'Salesforce left a query unfinished without a valid next page.',
        );
      page = await call('GET', `${instance}${next}`, QueryResponse);
      records.push(...(page.records as SalesforceRecord[]));
    }
    return records;
  };

  const me = memoOnce(async (): Promise<MeResponse> => {
    const [info, orgs] = await Promise.all([
      call('GET', `${instance}/services/oauth2/userinfo`, UserInfo),
      query('SELECT Id, Name FROM Organization LIMIT 1'),
    ]);
    const domain = info.email.split('@')[1]?.toLowerCase();
    return {
      user: { id: info.user_id, name: info.name, email: info.email.toLowerCase() },
      org: { name: String(orgs[0]?.Name ?? 'Salesforce'), domains: domain ? [domain] : [] },
    };
  });

  const userNames = new Map<string, string>();
  async function namesOf(ids: string[]): Promise<Map<string, string>> {
    const missing = [...new Set(ids.filter((id) => id && !userNames.has(id)))];
    if (missing.length > 0)
      for (const u of await query(`SELECT Id, Name FROM User WHERE Id IN ${soqlList(missing)}`))
        userNames.set(u.Id, String(u.Name));
    return userNames;
  }

  const describe = (object: string) =>
    call('GET', `${dataBase}/sobjects/${object}/describe`, Describe).catch((error: unknown) => {
      if (error instanceof CrmError && error.kind === 'not_found') return { createable: false, fields: [] };
      throw error;
    });
  const keyFieldOf = (d: z.infer<typeof Describe>, name: string) =>
    d.fields.some((f) => f.name === name && f.externalId && f.unique) ? name : null;
  const mode = memoOnce(async (): Promise<LogMode> => {
    const [email, task] = await Promise.all([
      options.logAs === 'task' ? Promise.resolve(null) : describe('EmailMessage'),
      describe('Task'),
    ]);
    if (email && (options.logAs === 'email_message' || email.createable))
      return { object: 'EmailMessage', keyField: keyFieldOf(email, SALESFORCE_KEY_FIELDS.EmailMessage) };
    return { object: 'Task', keyField: keyFieldOf(task, SALESFORCE_KEY_FIELDS.Task) };
  });

  function recordUrl(record: CrmRecordRef): string {
    const object =
      record.kind === 'contact' && record.id.startsWith('00Q')
        ? 'Lead'
        : {
            contact: 'Contact',
            lead: 'Lead',
            company: 'Account',
            deal: 'Opportunity',
            task: 'Task',
            email: 'EmailMessage',
          }[record.kind];
    return `${instance}/lightning/r/${object}/${encodeURIComponent(record.id)}/view`;
  }

  async function recordById(id: string): Promise<SalesforceRecord> {
    const isLead = id.startsWith('00Q');
    const [record] = await query(
      `SELECT ${(isLead ? LEAD_FIELDS : CONTACT_FIELDS).join(', ')} FROM ${isLead ? 'Lead' : 'Contact'} WHERE Id = ${soqlString(id)}`,
    );
    if (!record) throw new CrmError('not_found', `Salesforce has no contact or lead ${id}.`, { status: 404 });
    return record;
  }

  /** Writes through sObject Collections in chunks of 200; a SaveResult per record, in order. */
  async function collection(
    method: 'POST' | 'PATCH',
    path: string,
    records: Record<string, unknown>[],
    allOrNone: boolean,
  ) {
    const results: z.infer<typeof SaveResult>[] = [];
    for (let i = 0; i < records.length; i += MAX_COLLECTION)
      results.push(
        ...(await call(method, `${dataBase}${path}`, z.array(SaveResult), {
          allOrNone,
          records: records.slice(i, i + MAX_COLLECTION),
        })),
      );
    return results;
  }

  return {
    instance,
    dataBase,
    domainField,
    call,
    query,
    me,
    namesOf,
    describe,
    keyFieldOf,
    mode,
    recordUrl,
    recordById,
    collection,
  };
}

export type SalesforceApi = ReturnType<typeof createSalesforceApi>;

/**
 * Salesforce's error array as a CrmError: INVALID_SESSION_ID (401) is `auth`,
 * REQUEST_LIMIT_EXCEEDED (403) is `rate_limited` (the org's daily API allowance).
 */
function salesforceError(what: string, response: Response, text: string): CrmError {
  const parsed = SalesforceErrorBody.safeParse(parseJsonOrUndefined(text));
  const first = parsed.success ? parsed.data[0] : undefined;
  const code = first?.errorCode;
  let kind = kindForStatus(response.status);
  if (code === 'REQUEST_LIMIT_EXCEEDED') kind = 'rate_limited';
  const reason = first ? `${first.errorCode}: ${first.message}` : response.statusText || 'no error body';
  const prefix =
    code === 'REQUEST_LIMIT_EXCEEDED'
      ? 'Your Salesforce org has used up its API requests for now. '
      : code === 'INVALID_SESSION_ID'
        ? 'Your Salesforce session has expired. '
        : '';
  return new CrmError(kind, `${prefix}${what} failed with ${response.status} (${reason})`, {
    status: response.status,
    // The allowance is per rolling 24 hours; waiting an hour before retrying spares it.
    retryAfterMs: code === 'REQUEST_LIMIT_EXCEEDED' ? 3_600_000 : undefined,
    details: parsed.success ? { errors: parsed.data } : undefined,
  });
}
