import { z } from 'zod';
import { normaliseMessageId } from '../../../mail/normaliseMessageId';
import type { CrmInfo, CrmRecordRef } from '../../CrmCapabilities';
import type { CrmConnector } from '../../CrmConnector';
import { CrmError } from '../../CrmError';
import { logKey as kitLogKey, parseLogKey, sameLogItem } from '../../connectorKit/logKey';
import { memoOnce } from '../../connectorKit/memoOnce';
import {
  type ActivityPage,
  type ActivityResult,
  type Company,
  type Contact,
  type ContactDetail,
  CreateContactRequest,
  type Deal,
  type EmailActivity,
  type EmailActivityInput,
  LogActivitiesRequest,
  type LogActivitiesResponse,
  type LoggedMessage,
  LookupRequest,
  type LookupResponse,
  MAX_BATCH,
  type MeResponse,
  SNIPPET_MAX,
  TaskInput,
  type TaskResponse,
} from '../../contract';
import {
  type CrmHttp,
  crmJsonRequest,
  DEFAULT_TIMEOUT_MS,
  defaultFetch,
  kindForStatus,
  parseJsonOrUndefined,
} from '../../crmJsonRequest';

export const SALESFORCE_API_VERSION = 'v62.0';

/**
 * Salesforce has no standard alternate address on Contact or Lead, so lookups use the
 * main `Email` only; everything else the sidebar needs is there.
 */
export const SALESFORCE_CRM_INFO: CrmInfo = {
  type: 'salesforce',
  name: 'Salesforce',
  capabilities: {
    alternateEmails: false,
    companiesByDomain: true,
    deals: true,
    colleagueActivity: true,
    tasks: true,
    createContact: true,
  },
};

/**
 * External ID + unique text fields an admin may add (README): with them, logging is an
 * upsert and exactly-once holds under any concurrency; without, a query-then-create.
 */
export const SALESFORCE_KEY_FIELDS = {
  EmailMessage: 'CrmSidebar_Log_Key__c',
  Task: 'CrmSidebar_Log_Key__c',
} as const;

export interface SalesforceCrmConnectorOptions {
  /** The org's instance URL from the token response (https://yourorg.my.salesforce.com). */
  instanceUrl: string;
  accessToken: string | (() => Promise<string>);
  /** Called once when Salesforce says the session expired: a fresh access token, or a rejection (sign in again). */
  refreshAccessToken?: () => Promise<string>;
  apiVersion?: string;
  /** The Account field holding the company's web address or domain; default Website. */
  accountDomainField?: string;
  /** `auto`: EmailMessage when Enhanced Email is on, a completed Task otherwise. */
  logAs?: 'auto' | 'email_message' | 'task';
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const SalesforceRecord = z.looseObject({
  Id: z.string(),
  attributes: z.object({ type: z.string() }).optional(),
});
type SalesforceRecord = z.infer<typeof SalesforceRecord> & Record<string, unknown>;
const QueryResponse = z.object({
  totalSize: z.number(),
  done: z.boolean(),
  /** Set when `done` is false: the rest is read from here, at most 2,000 records at a time. */
  nextRecordsUrl: z.string().optional(),
  records: z.array(SalesforceRecord),
});
const SaveResult = z.object({
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
const Describe = z.object({
  createable: z.boolean(),
  fields: z.array(
    z.object({ name: z.string(), externalId: z.boolean().optional(), unique: z.boolean().optional() }),
  ),
});
const UserInfo = z.object({
  user_id: z.string(),
  organization_id: z.string(),
  name: z.string(),
  email: z.string(),
});
/** Salesforce's error body: `[{ message, errorCode, fields }]` (REST API "Status Codes and Error Responses"). */
const SalesforceErrorBody = z.array(
  z.object({ message: z.string(), errorCode: z.string(), fields: z.array(z.string()).optional() }),
);

const CONTACT_FIELDS = [
  'Id',
  'FirstName',
  'LastName',
  'Name',
  'Email',
  'Title',
  'Phone',
  'AccountId',
  'OwnerId',
  'CreatedDate',
  'LastModifiedDate',
];
const LEAD_FIELDS = [
  'Id',
  'FirstName',
  'LastName',
  'Name',
  'Email',
  'Title',
  'Phone',
  'OwnerId',
  'CreatedDate',
  'LastModifiedDate',
];
const EMAIL_FIELDS = [
  'Id',
  'Subject',
  'TextBody',
  'FromAddress',
  'FromName',
  'ToAddress',
  'CcAddress',
  'MessageDate',
  'Incoming',
  'MessageIdentifier',
  'CreatedById',
  'CreatedDate',
];
const TASK_FIELDS = [
  'Id',
  'Subject',
  'Description',
  'WhoId',
  'OwnerId',
  'ActivityDate',
  'CreatedDate',
  'CreatedById',
];
const RECENT = 10;
/** sObject Collections take at most 200 records (resources_composite_sobjects_collections). */
const MAX_COLLECTION = 200;

type LogMode = { object: 'EmailMessage' | 'Task'; keyField: string | null };

/** A SOQL string literal: backslash and quote escaped (SOQL "Quoted String Escape Sequences"). */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}
const soqlList = (values: string[]) => `(${values.map(soqlString).join(', ')})`;

/** Condition text per query, URL-encoded, well below the 16,384-byte URI + headers limit. */
const SOQL_CONDITION_BUDGET = 6_000;

/** Splits `items` so the condition each chunk makes stays under the budget (encoded length). */
function chunkByLength(items: readonly string[], cost: (item: string) => number): string[][] {
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

/**
 * The Salesforce connector: SOQL queries, sObject rows and sObject Collections over the
 * REST API. An expired session is refreshed once; if that fails the rep must sign in again.
 */
export function createSalesforceCrmConnector(options: SalesforceCrmConnectorOptions): CrmConnector {
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
    method: 'GET' | 'POST' | 'PATCH',
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

  async function toContacts(records: SalesforceRecord[]): Promise<Contact[]> {
    const names = await namesOf(records.map((r) => String(r.OwnerId ?? '')));
    return records.map((r) => ({
      id: r.Id,
      name: String(r.Name || [r.FirstName, r.LastName].filter(Boolean).join(' ') || r.Email || r.Id),
      emails: r.Email ? [String(r.Email).toLowerCase()] : [`unknown-${r.Id}@salesforce.invalid`],
      title: (r.Title as string | null) ?? null,
      phone: (r.Phone as string | null) ?? null,
      companyId: (r.AccountId as string | null | undefined) ?? null,
      ownerName: r.OwnerId ? (names.get(String(r.OwnerId)) ?? null) : null,
      lifecycleStage: r.Id.startsWith('00Q') ? 'Lead' : null,
      url: recordUrl({ kind: 'contact', id: r.Id }),
      createdAt: iso(r.CreatedDate),
      updatedAt: iso(r.LastModifiedDate ?? r.CreatedDate),
    }));
  }

  function toCompany(r: SalesforceRecord): Company {
    const domain = hostOf(String(r[domainField] ?? ''));
    return {
      id: r.Id,
      name: String(r.Name ?? r.Id),
      domains: domain ? [domain] : [],
      url: recordUrl({ kind: 'company', id: r.Id }),
    };
  }

  async function toActivities(
    records: SalesforceRecord[],
    contactOf: (r: SalesforceRecord) => string,
  ): Promise<EmailActivity[]> {
    const names = await namesOf(records.map((r) => String(r.CreatedById ?? r.OwnerId ?? '')));
    return records.map((r) => {
      const isEmail = 'MessageIdentifier' in r;
      const loggedBy = String(r.CreatedById ?? r.OwnerId ?? '');
      const key = parseLogKey(r[SALESFORCE_KEY_FIELDS.Task] as string | undefined);
      const description = String(r.Description ?? '');
      const externalId = isEmail
        ? (normaliseMessageId(String(r.MessageIdentifier ?? '')) ?? `salesforce-email:${r.Id}`)
        : (key?.externalId ?? /^Message-ID: <([^>]+)>/.exec(description)?.[1] ?? `salesforce-task:${r.Id}`);
      const to = String(r.ToAddress ?? '')
        .split(/;\s*/)
        .filter(Boolean)
        .map((address) => ({ name: '', address }));
      const cc = String(r.CcAddress ?? '')
        .split(/;\s*/)
        .filter(Boolean)
        .map((address) => ({ name: '', address }));
      return {
        id: r.Id,
        type: 'email' as const,
        externalId,
        contactId: contactOf(r),
        companyId: null,
        dealId: null,
        direction: r.Incoming === true ? ('incoming' as const) : ('outgoing' as const),
        subject: String(r.Subject ?? '').replace(/^Email: /, ''),
        snippet: String(
          isEmail ? (r.TextBody ?? '') : description.replace(/^Message-ID: <[^>]+>\n?/, ''),
        ).slice(0, SNIPPET_MAX),
        occurredAt: iso(r.MessageDate ?? r.ActivityDate ?? r.CreatedDate),
        from: { name: String(r.FromName ?? ''), address: String(r.FromAddress ?? '') },
        to,
        cc,
        hasAttachments: false,
        threadId: null,
        source: 'crm' as const,
        loggedBy,
        loggedByName: names.get(loggedBy),
        createdAt: iso(r.CreatedDate),
      };
    });
  }

  async function lookup(request: LookupRequest): Promise<LookupResponse> {
    const parsed = LookupRequest.safeParse(request);
    if (!parsed.success) throw new CrmError('invalid_request', 'The lookup request is not valid.');
    const emails = [...new Set(parsed.data.emails)];
    const domains = [...new Set(parsed.data.domains)];
    if (emails.length > MAX_BATCH || domains.length > MAX_BATCH)
      throw new CrmError(
        'invalid_request',
        `A lookup takes at most ${MAX_BATCH} addresses and ${MAX_BATCH} domains.`,
        { status: 413 },
      );
    const [contacts, leads, accounts] = await Promise.all([
      emails.length
        ? query(`SELECT ${CONTACT_FIELDS.join(', ')} FROM Contact WHERE Email IN ${soqlList(emails)}`)
        : [],
      emails.length
        ? query(
            `SELECT ${LEAD_FIELDS.join(', ')} FROM Lead WHERE Email IN ${soqlList(emails)} AND IsConverted = false`,
          )
        : [],
      domains.length
        ? query(
            `SELECT Id, Name, ${domainField} FROM Account WHERE ${domains.map((d) => `${domainField} LIKE ${soqlString(`%${d}%`)}`).join(' OR ')} LIMIT 200`,
          )
        : [],
    ]);
    const wanted = new Set(domains);
    return {
      contacts: await toContacts([...contacts, ...leads]),
      // LIKE is coarse (notacme.example matches acme.example): keep exact hosts and their subdomains.
      companies: accounts
        .map(toCompany)
        .filter((c) => c.domains.some((d) => [...wanted].some((w) => d === w || d.endsWith(`.${w}`)))),
    };
  }

  async function recordById(id: string): Promise<SalesforceRecord> {
    const isLead = id.startsWith('00Q');
    const [record] = await query(
      `SELECT ${(isLead ? LEAD_FIELDS : CONTACT_FIELDS).join(', ')} FROM ${isLead ? 'Lead' : 'Contact'} WHERE Id = ${soqlString(id)}`,
    );
    if (!record) throw new CrmError('not_found', `Salesforce has no contact or lead ${id}.`, { status: 404 });
    return record;
  }

  async function recentFor(contactId: string, limit: number): Promise<EmailActivity[]> {
    const m = await mode();
    if (m.object === 'Task') {
      const tasks = await query(
        `SELECT ${[...TASK_FIELDS, ...(m.keyField ? [m.keyField] : [])].join(', ')} FROM Task WHERE WhoId = ${soqlString(contactId)} AND TaskSubtype = 'Email' ORDER BY CreatedDate DESC LIMIT ${limit}`,
      );
      return toActivities(tasks, () => contactId);
    }
    const relations = await query(
      `SELECT Id, EmailMessageId FROM EmailMessageRelation WHERE RelationId = ${soqlString(contactId)} LIMIT 200`,
    );
    const ids = [...new Set(relations.map((r) => String(r.EmailMessageId)))];
    if (ids.length === 0) return [];
    const emails = await query(
      `SELECT ${EMAIL_FIELDS.join(', ')} FROM EmailMessage WHERE Id IN ${soqlList(ids)} ORDER BY MessageDate DESC LIMIT ${limit}`,
    );
    return toActivities(emails, () => contactId);
  }

  async function getContact(contactId: string): Promise<ContactDetail> {
    const record = await recordById(contactId);
    const [contact] = await toContacts([record]);
    const accountId = (record.AccountId as string | null | undefined) ?? null;
    const [accounts, opportunities, recentActivities] = await Promise.all([
      accountId
        ? query(`SELECT Id, Name, ${domainField} FROM Account WHERE Id = ${soqlString(accountId)}`)
        : [],
      accountId
        ? query(
            `SELECT Id, Name, StageName, Amount, CloseDate, AccountId FROM Opportunity WHERE AccountId = ${soqlString(accountId)} AND IsClosed = false ORDER BY CloseDate ASC LIMIT 20`,
          )
        : [],
      recentFor(contactId, RECENT),
    ]);
    const company = accounts[0] ? toCompany(accounts[0]) : null;
    const deals: Deal[] = opportunities.map((o) => ({
      id: o.Id,
      name: String(o.Name ?? o.Id),
      stage: String(o.StageName ?? ''),
      amount: typeof o.Amount === 'number' ? o.Amount : null,
      currency: null,
      closeDate: (o.CloseDate as string | null) ?? null,
      contactIds: [contactId],
      companyId: accountId,
      url: recordUrl({ kind: 'deal', id: o.Id }),
    }));
    return { ...contact!, company, deals, recentActivities };
  }

  async function createContact(request: CreateContactRequest): Promise<Contact> {
    const parsed = CreateContactRequest.safeParse(request);
    if (!parsed.success)
      throw new CrmError('invalid_request', 'The new contact needs a name and valid addresses.');
    const input = parsed.data;
    const taken = await lookup({ emails: input.emails });
    if (taken.contacts[0])
      throw new CrmError('conflict', `${taken.contacts[0].name} already has this address in Salesforce.`, {
        status: 409,
        details: { contact: taken.contacts[0] },
      });
    const words = input.name.split(/\s+/);
    const lastName = words.length > 1 ? words.slice(1).join(' ') : input.name;
    const created = await call('POST', `${dataBase}/sobjects/Contact`, SaveResult, {
      FirstName: words.length > 1 ? words[0] : null,
      LastName: lastName,
      Email: input.emails[0],
      Title: input.title ?? null,
      Phone: input.phone ?? null,
      ...(input.companyId ? { AccountId: input.companyId } : {}),
    });
    if (!created.id) throw new CrmError('invalid_response', 'Salesforce did not return the new contact id.');
    const [contact] = await toContacts([await recordById(created.id)]);
    return contact!;
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

  async function logActivities(activities: EmailActivityInput[]): Promise<LogActivitiesResponse> {
    if (activities.length > MAX_BATCH)
      throw new CrmError('invalid_request', `At most ${MAX_BATCH} emails can be logged at once.`, {
        status: 413,
      });
    const parsed = LogActivitiesRequest.safeParse({ activities });
    if (!parsed.success)
      throw new CrmError('invalid_request', 'An email to log is not valid.', {
        details: parsed.error.issues,
      });
    const items = parsed.data.activities;
    const [{ user }, m] = await Promise.all([me(), mode()]);
    const ids = [...new Set(items.map((i) => i.contactId))];
    const contactIds = ids.filter((id) => !id.startsWith('00Q'));
    const leadIds = ids.filter((id) => id.startsWith('00Q'));
    const [contacts, leads] = await Promise.all([
      contactIds.length ? query(`SELECT Id, Email FROM Contact WHERE Id IN ${soqlList(contactIds)}`) : [],
      leadIds.length ? query(`SELECT Id, Email FROM Lead WHERE Id IN ${soqlList(leadIds)}`) : [],
    ]);
    const known = new Map([...contacts, ...leads].map((r) => [r.Id, String(r.Email ?? '')]));
    const valid = items.filter(
      (i, index) => known.has(i.contactId) && items.findIndex((j) => sameLogItem(i, j)) === index,
    );
    const outcome = new Map<string, { id: string; created: boolean }>();
    if (valid.length > 0) {
      if (m.object === 'Task') await logAsTasks(valid, m.keyField, user.id, outcome);
      else await logAsEmailMessages(valid, m.keyField, known, outcome);
    }
    const reported = new Set<string>();
    const results: ActivityResult[] = items.map((i) => {
      const key = logKey(i.externalId, i.contactId);
      const done = outcome.get(key);
      if (!known.has(i.contactId) || !done)
        return {
          status: 'error',
          externalId: i.externalId,
          contactId: i.contactId,
          code: 'unknown_contact',
          message: `Salesforce has no contact or lead ${i.contactId}.`,
        };
      const first = done.created && !reported.has(key);
      reported.add(key);
      return {
        status: first ? 'created' : 'existing',
        externalId: i.externalId,
        contactId: i.contactId,
        id: done.id,
      };
    });
    return { results };
  }

  type Item = z.output<typeof LogActivitiesRequest>['activities'][number];

  async function logAsTasks(
    items: Item[],
    keyField: string | null,
    ownerId: string,
    outcome: Map<string, { id: string; created: boolean }>,
  ) {
    const record = (i: Item) => ({
      attributes: { type: 'Task' },
      WhoId: i.contactId,
      ...(i.contactId.startsWith('00Q') ? {} : { WhatId: i.dealId ?? i.companyId ?? null }),
      Subject: `Email: ${i.subject}`.slice(0, 255),
      Description: `Message-ID: <${i.externalId}>\n${i.body ?? i.snippet}`.slice(0, 32_000),
      ActivityDate: i.occurredAt.slice(0, 10),
      Status: 'Completed',
      Priority: 'Normal',
      TaskSubtype: 'Email',
      OwnerId: ownerId,
    });
    if (keyField) {
      // One atomic upsert per (Message-ID, contact): no window for a duplicate.
      const saved = await collection(
        'PATCH',
        `/composite/sobjects/Task/${keyField}`,
        items.map((i) => ({ ...record(i), [keyField]: logKey(i.externalId, i.contactId) })),
        false,
      );
      saved.forEach((r, n) => {
        if (r.success && r.id)
          outcome.set(logKey(items[n]!.externalId, items[n]!.contactId), {
            id: r.id,
            created: r.created === true,
          });
      });
      return;
    }
    // Query-then-create (README: two writers in the same instant can both create).
    const subjects = [...new Set(items.map((i) => record(i).Subject))];
    const existing = await query(
      `SELECT Id, WhoId, Description FROM Task WHERE WhoId IN ${soqlList([...new Set(items.map((i) => i.contactId))])} AND TaskSubtype = 'Email' AND Subject IN ${soqlList(subjects)}`,
    );
    const missing: Item[] = [];
    for (const i of items) {
      const found = existing.find(
        (t) =>
          t.WhoId === i.contactId && String(t.Description ?? '').startsWith(`Message-ID: <${i.externalId}>`),
      );
      if (found) outcome.set(logKey(i.externalId, i.contactId), { id: found.Id, created: false });
      else missing.push(i);
    }
    const saved = await collection('POST', '/composite/sobjects', missing.map(record), false);
    saved.forEach((r, n) => {
      if (r.success && r.id)
        outcome.set(logKey(missing[n]!.externalId, missing[n]!.contactId), { id: r.id, created: true });
    });
  }

  /**
   * Enhanced Email: an EmailMessage per (Message-ID, contact) and its EmailMessageRelation to
   * the contact, written separately; the relation is checked and written again on every
   * attempt, so a retry links what an interrupted one left unlinked.
   */
  async function logAsEmailMessages(
    items: Item[],
    keyField: string | null,
    known: Map<string, string>,
    outcome: Map<string, { id: string; created: boolean }>,
  ) {
    const record = (i: Item) => ({
      attributes: { type: 'EmailMessage' },
      Subject: i.subject.slice(0, 3000),
      TextBody: (i.body ?? i.snippet).slice(0, 32_000),
      FromAddress: i.from.address,
      FromName: i.from.name,
      ToAddress: i.to.map((p) => p.address).join('; '),
      CcAddress: i.cc.map((p) => p.address).join('; '),
      MessageDate: i.occurredAt,
      Incoming: i.direction === 'incoming',
      Status: '3',
      MessageIdentifier: `<${i.externalId}>`,
      RelatedToId: i.contactId.startsWith('00Q') ? null : (i.dealId ?? i.companyId ?? null),
    });
    const messageOf = new Map<string, string>();
    if (keyField) {
      const saved = await collection(
        'PATCH',
        `/composite/sobjects/EmailMessage/${keyField}`,
        items.map((i) => ({ ...record(i), [keyField]: logKey(i.externalId, i.contactId) })),
        false,
      );
      saved.forEach((r, n) => {
        const key = logKey(items[n]!.externalId, items[n]!.contactId);
        if (r.success && r.id) {
          messageOf.set(key, r.id);
          outcome.set(key, { id: r.id, created: r.created === true });
        }
      });
    } else {
      // Query-then-create (README: two writers in the same instant can both create).
      const found = await query(
        `SELECT Id, MessageIdentifier FROM EmailMessage WHERE MessageIdentifier IN ${soqlList(items.map((i) => `<${i.externalId}>`))}`,
      );
      const linked = found.length
        ? await query(
            `SELECT Id, EmailMessageId, RelationId FROM EmailMessageRelation WHERE EmailMessageId IN ${soqlList(found.map((f) => f.Id))}`,
          )
        : [];
      const missing: Item[] = [];
      for (const i of items) {
        const message = found.find(
          (f) =>
            normaliseMessageId(String(f.MessageIdentifier)) === i.externalId &&
            linked.some((l) => l.EmailMessageId === f.Id && l.RelationId === i.contactId),
        );
        if (message) {
          messageOf.set(logKey(i.externalId, i.contactId), message.Id);
          outcome.set(logKey(i.externalId, i.contactId), { id: message.Id, created: false });
        } else missing.push(i);
      }
      const saved = await collection('POST', '/composite/sobjects', missing.map(record), false);
      saved.forEach((r, n) => {
        const key = logKey(missing[n]!.externalId, missing[n]!.contactId);
        if (r.success && r.id) {
          messageOf.set(key, r.id);
          outcome.set(key, { id: r.id, created: true });
        }
      });
    }
    const messageIds = [...new Set(messageOf.values())];
    if (messageIds.length === 0) return;
    const relations = await query(
      `SELECT Id, EmailMessageId, RelationId FROM EmailMessageRelation WHERE EmailMessageId IN ${soqlList(messageIds)}`,
    );
    const toLink = items.filter((i) => {
      const id = messageOf.get(logKey(i.externalId, i.contactId));
      return id && !relations.some((r) => r.EmailMessageId === id && r.RelationId === i.contactId);
    });
    // All-or-none: the relations of one batch land together or not at all (then the retry redoes them).
    const saved = await collection(
      'POST',
      '/composite/sobjects',
      toLink.map((i) => ({
        attributes: { type: 'EmailMessageRelation' },
        EmailMessageId: messageOf.get(logKey(i.externalId, i.contactId)),
        RelationId: i.contactId,
        RelationType: i.direction === 'incoming' ? 'FromAddress' : 'ToAddress',
        RelationAddress: known.get(i.contactId) ?? '',
      })),
      true,
    );
    const failed = saved.find((r) => !r.success);
    if (failed)
      throw new CrmError(
        'invalid_request',
        `Salesforce refused to link the emails: ${failed.errors[0]?.message ?? 'unknown error'}`,
      );
  }

  async function activitiesForMessage(externalId: string): Promise<EmailActivity[]> {
    const id = externalId.trim().toLowerCase();
    const m = await mode();
    if (m.object === 'Task') {
      if (!m.keyField)
        throw new CrmError(
          'unsupported',
          `Without the ${SALESFORCE_KEY_FIELDS.Task} field on Activity, emails logged by colleagues cannot be found; ask your Salesforce admin to add it (see the README).`,
        );
      const tasks = await query(
        `SELECT ${[...TASK_FIELDS, m.keyField].join(', ')} FROM Task WHERE ${m.keyField} LIKE ${soqlString(`%|${id}`)}`,
      );
      return toActivities(tasks, (t) => String(t.WhoId ?? ''));
    }
    const emails = await query(
      `SELECT ${EMAIL_FIELDS.join(', ')} FROM EmailMessage WHERE MessageIdentifier = ${soqlString(`<${id}>`)}`,
    );
    if (emails.length === 0) return [];
    const relations = await query(
      `SELECT Id, EmailMessageId, RelationId FROM EmailMessageRelation WHERE EmailMessageId IN ${soqlList(emails.map((e) => e.Id))}`,
    );
    const out: EmailActivity[] = [];
    for (const email of emails) {
      // A relation to a contact or lead (not to a user) is one activity; duplicates of a relation count once.
      const contacts = [
        ...new Set(relations.filter((r) => r.EmailMessageId === email.Id).map((r) => String(r.RelationId))),
      ].filter((c) => !c.startsWith('005'));
      for (const contactId of contacts) out.push(...(await toActivities([email], () => contactId)));
    }
    return out;
  }

  /**
   * The sync audit's batch question, at most 100 Message-IDs: EmailMessage by
   * `MessageIdentifier IN (...)` and their contact relations, or Tasks by their log key
   * (`contactId|Message-ID`, so one `LIKE` per Message-ID joined by OR). Queries travel in the
   * URL, whose length with the headers is limited to 16,384 bytes (414 / 431 beyond,
   * help.salesforce.com/s/articleView?id=000386264): they are split to keep the condition's
   * encoded length under `SOQL_CONDITION_BUDGET`.
   */
  async function findLoggedMessages(externalIds: readonly string[]): Promise<LoggedMessage[]> {
    if (externalIds.length > MAX_BATCH)
      throw new CrmError('invalid_request', `At most ${MAX_BATCH} Message-IDs can be checked at once.`, {
        status: 413,
      });
    const ids = [...new Set(externalIds.map((id) => id.trim().toLowerCase()))].filter((id) => id !== '');
    if (ids.length === 0) return [];
    const m = await mode();
    const byId = new Map<string, Set<string>>();
    const add = (externalId: string, contactId: string) => {
      if (contactId === '' || contactId.startsWith('005')) return; // a relation to a user is no activity
      const contacts = byId.get(externalId) ?? new Set<string>();
      contacts.add(contactId);
      byId.set(externalId, contacts);
    };
    if (m.object === 'Task') {
      const keyField = m.keyField;
      if (!keyField)
        throw new CrmError(
          'unsupported',
          `Without the ${SALESFORCE_KEY_FIELDS.Task} field on Activity, logged emails cannot be found; ask your Salesforce admin to add it (see the README).`,
        );
      for (const chunk of chunkByLength(ids, (id) => soqlString(`%|${id}`).length + keyField.length + 10)) {
        const where = chunk.map((id) => `${keyField} LIKE ${soqlString(`%|${id}`)}`).join(' OR ');
        for (const t of await query(`SELECT Id, WhoId, ${keyField} FROM Task WHERE ${where}`)) {
          const key = String(t[keyField] ?? '');
          const bar = key.indexOf('|');
          if (bar > 0) add(key.slice(bar + 1), String(t.WhoId ?? key.slice(0, bar)));
        }
      }
    } else {
      for (const chunk of chunkByLength(ids, (id) => soqlString(`<${id}>`).length + 2)) {
        const emails = await query(
          `SELECT Id, MessageIdentifier FROM EmailMessage WHERE MessageIdentifier IN ${soqlList(chunk.map((id) => `<${id}>`))}`,
        );
        if (emails.length === 0) continue;
        const relations = await query(
          `SELECT Id, EmailMessageId, RelationId FROM EmailMessageRelation WHERE EmailMessageId IN ${soqlList(emails.map((e) => String(e.Id)))}`,
        );
        for (const email of emails) {
          const externalId = normaliseMessageId(String(email.MessageIdentifier ?? ''));
          if (!externalId) continue;
          for (const r of relations)
            if (r.EmailMessageId === email.Id) add(externalId, String(r.RelationId ?? ''));
        }
      }
    }
    return [...byId].map(([externalId, contacts]) => ({ externalId, contactIds: [...contacts] }));
  }

  async function listContactActivities(
    contactId: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<ActivityPage> {
    await recordById(contactId);
    const all = await recentFor(contactId, 200);
    const limit = Math.min(MAX_BATCH, Math.max(1, page.limit ?? 20));
    const offset = page.cursor ? Number(page.cursor) : 0;
    if (!Number.isInteger(offset) || offset < 0)
      throw new CrmError('invalid_request', 'That page cursor is not valid.');
    return {
      activities: all.slice(offset, offset + limit),
      nextCursor: offset + limit < all.length ? String(offset + limit) : null,
    };
  }

  async function createTask(task: TaskInput): Promise<TaskResponse> {
    const parsed = TaskInput.safeParse(task);
    if (!parsed.success) throw new CrmError('invalid_request', 'The task needs a contact and a title.');
    const input = parsed.data;
    const [{ user }, m] = await Promise.all([me(), mode()]);
    await recordById(input.contactId);
    const fields = {
      attributes: { type: 'Task' },
      WhoId: input.contactId,
      Subject: input.title.slice(0, 255),
      Description: input.notes ?? null,
      ActivityDate: input.dueAt ? input.dueAt.slice(0, 10) : null,
      Priority: { low: 'Low', normal: 'Normal', high: 'High' }[input.priority],
      Status: 'Not Started',
      OwnerId: user.id,
    };
    const taskKeyField =
      m.object === 'Task'
        ? m.keyField
        : await describe('Task').then((d) => keyFieldOf(d, SALESFORCE_KEY_FIELDS.Task));
    let result: { id: string; created: boolean };
    if (taskKeyField && input.sourceExternalId) {
      const [saved] = await collection(
        'PATCH',
        `/composite/sobjects/Task/${taskKeyField}`,
        [
          {
            ...fields,
            [taskKeyField]: `task|${input.contactId}|${input.sourceExternalId}|${input.title}`.slice(0, 255),
          },
        ],
        false,
      );
      if (!saved?.success || !saved.id)
        throw new CrmError(
          'invalid_request',
          `Salesforce refused the task: ${saved?.errors[0]?.message ?? 'unknown error'}`,
        );
      result = { id: saved.id, created: saved.created === true };
    } else {
      const existing = input.sourceExternalId
        ? await query(
            `SELECT Id, Description FROM Task WHERE WhoId = ${soqlString(input.contactId)} AND Subject = ${soqlString(fields.Subject)}`,
          )
        : [];
      const marker = `Source: <${input.sourceExternalId}>`;
      const found = existing.find((t) => String(t.Description ?? '').includes(marker));
      if (found) result = { id: found.Id, created: false };
      else {
        const saved = await call('POST', `${dataBase}/sobjects/Task`, SaveResult, {
          ...fields,
          attributes: undefined,
          Description: input.sourceExternalId
            ? `${input.notes ?? ''}\n\n${marker}`.trim()
            : fields.Description,
        });
        result = { id: saved.id ?? '', created: true };
      }
    }
    return {
      status: result.created ? 'created' : 'existing',
      task: {
        id: result.id,
        contactId: input.contactId,
        title: input.title,
        notes: input.notes ?? null,
        dueAt: input.dueAt ?? null,
        priority: input.priority,
        sourceExternalId: input.sourceExternalId ?? null,
        createdAt: new Date().toISOString(),
      },
    };
  }

  return {
    info: SALESFORCE_CRM_INFO,
    recordUrl,
    whoami: me,
    lookup,
    getContact,
    createContact,
    listContactActivities,
    logActivities,
    activitiesForMessage,
    findLoggedMessages,
    createTask,
  };
}

/** The log key, cut to the length of a Salesforce text field (255). */
function logKey(externalId: string, contactId: string): string {
  return kitLogKey(externalId, contactId, 255);
}

/** `https://www.acme.example/about` or `acme.example` -> `acme.example`. */
function hostOf(value: string): string | null {
  const trimmed = value.trim().toLowerCase();
  if (!trimmed) return null;
  try {
    return new URL(/^[a-z]+:\/\//.test(trimmed) ? trimmed : `https://${trimmed}`).hostname.replace(
      /^www\./,
      '',
    );
  } catch {
    return null;
  }
}

/** Salesforce datetimes look like 2024-01-31T10:00:00.000+0000; dates like 2024-01-31. */
function iso(value: unknown): string {
  const ms =
    typeof value === 'string' ? Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : Number.NaN;
  return new Date(Number.isNaN(ms) ? 0 : ms).toISOString();
}

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
