import { z } from 'zod';
import { ALL_CAPABILITIES, type CrmInfo, type CrmRecordRef } from '../../CrmCapabilities';
import type { CrmConnector } from '../../CrmConnector';
import { CrmError } from '../../CrmError';
import { logKey, parseLogKey } from '../../connectorKit/logKey';
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
  type Party,
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
  parseRetryAfter,
} from '../../crmJsonRequest';
import {
  HubSpotAccountDetails,
  HubSpotAssociateResponse,
  HubSpotBatchResponse,
  HubSpotErrorBody,
  type HubSpotObject,
  HubSpotObjectWithAssociations,
  HubSpotOwnersPage,
  HubSpotProperty,
  HubSpotSearchResponse,
  HubSpotUpsertResponse,
} from './hubspotSchemas';
import { HUBSPOT_API_BASE } from './hubspotVendor';

export { HUBSPOT_API_BASE };

/** HubSpot does everything the sidebar asks for. */
export const HUBSPOT_CRM_INFO: CrmInfo = { type: 'hubspot', name: 'HubSpot', capabilities: ALL_CAPABILITIES };

export interface HubSpotCrmConnectorOptions {
  /** A private app token, or the rep's OAuth access token (the current one each call). */
  accessToken: string | (() => Promise<string>);
  /** The rep's HubSpot login: their owner is found by it, so activities carry the right owner. */
  repEmail: string;
  /** Defaults to https://api.hubapi.com (tests point it at a fake). */
  apiBase?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Our own properties, created on first use. The log key is unique, so a batch upsert on
 * it gives one email per (Message-ID, contact) whatever retries, tabs or reps do; the
 * Message-ID property is searchable, for "logged by a colleague".
 */
export const HUBSPOT_PROPERTIES = {
  emailLogKey: 'crm_sidebar_log_key',
  emailMessageId: 'crm_sidebar_message_id',
  taskKey: 'crm_sidebar_task_key',
} as const;

const CONTACT_PROPERTIES = [
  'email',
  'hs_additional_emails',
  'firstname',
  'lastname',
  'jobtitle',
  'phone',
  'lifecyclestage',
  'hubspot_owner_id',
  'associatedcompanyid',
  'createdate',
  'lastmodifieddate',
];
const COMPANY_PROPERTIES = ['name', 'domain', 'hs_additional_domains'];
const DEAL_PROPERTIES = [
  'dealname',
  'dealstage',
  'amount',
  'deal_currency_code',
  'closedate',
  'hs_is_closed',
];
const EMAIL_PROPERTIES = [
  'hs_timestamp',
  'hs_email_direction',
  'hs_email_subject',
  'hs_email_text',
  'hs_email_headers',
  'hubspot_owner_id',
  'hs_createdate',
  HUBSPOT_PROPERTIES.emailLogKey,
  HUBSPOT_PROPERTIES.emailMessageId,
];

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
const SEARCH_GROUPS = 5;
const SEARCH_PAGE = 200;
/**
 * Search requests a second per token: 4 in https://developers.hubspot.com/changelog/crm-search-api-rate-limit-increase
 * (the current docs say 5; the lower figure is kept).
 */
export const SEARCHES_PER_SECOND = 4;
/** Message-IDs asked about within this window go out as one search (an IN filter). */
const MESSAGE_BATCH_WINDOW_MS = 15;
/** IN values per message search: the contract's batch size (HubSpot documents no lower cap we found). */
const MESSAGE_BATCH = MAX_BATCH;
/**
 * How long the answers of the rate-limited searches of a lookup (companies by domain,
 * contacts by alternate address) are reused: the ids found, or that nothing was found. The
 * records themselves are read fresh each time (batch reads, not searches). Five minutes is
 * the staleness the panel's lookup cache already accepts (lib/store/LookupCache.ts): a new
 * company or alternate address shows within it; contacts created here are seen at once.
 */
export const SEARCH_ANSWER_TTL_MS = 5 * 60_000;
const RECENT_EMAILS = 10;

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

/**
 * The HubSpot connector: CRM v3 objects, search, associations v4, owners and properties
 * over fetch. Works in a service worker. Never retries (the outbox does); a 429 carries
 * the wait HubSpot's headers ask for.
 */
export function createHubSpotCrmConnector(options: HubSpotCrmConnectorOptions): CrmConnector {
  const apiBase = (options.apiBase ?? HUBSPOT_API_BASE).replace(/\/+$/, '');
  const accessToken = options.accessToken;
  const http: CrmHttp = {
    fetch: options.fetch ?? defaultFetch(),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    token: typeof accessToken === 'string' ? () => accessToken : accessToken,
    errorFromResponse: hubSpotError,
  };
  const call = <S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PUT',
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

  async function toContact(object: HubSpotObject): Promise<Contact> {
    const [, names] = await Promise.all([portal(), owners()]);
    const p = object.properties;
    const emails = [p.email, ...(p.hs_additional_emails ?? '').split(';')]
      .map((e) => e?.trim().toLowerCase() ?? '')
      .filter((e, i, all) => e !== '' && all.indexOf(e) === i);
    const name = [p.firstname, p.lastname].filter(Boolean).join(' ').trim();
    return {
      id: object.id,
      name: name || emails[0] || `Contact ${object.id}`,
      emails: emails.length > 0 ? emails : [`unknown-${object.id}@hubspot.invalid`],
      title: p.jobtitle || null,
      phone: p.phone || null,
      companyId: p.associatedcompanyid || null,
      ownerName: p.hubspot_owner_id ? (names.get(p.hubspot_owner_id) ?? null) : null,
      lifecycleStage: p.lifecyclestage || null,
      url: recordUrl({ kind: 'contact', id: object.id }) ?? '',
      createdAt: isoOr(p.createdate, object.createdAt),
      updatedAt: isoOr(p.lastmodifieddate, object.updatedAt),
    };
  }

  function toCompany(object: HubSpotObject): Company {
    const p = object.properties;
    const domains = [p.domain, ...(p.hs_additional_domains ?? '').split(';')]
      .map((d) => d?.trim().toLowerCase() ?? '')
      .filter((d, i, all) => d !== '' && all.indexOf(d) === i);
    return {
      id: object.id,
      name: p.name || domains[0] || `Company ${object.id}`,
      domains,
      url: recordUrl({ kind: 'company', id: object.id }) ?? '',
    };
  }

  function toDeal(object: HubSpotObject, contactId: string, companyId: string | null): Deal {
    const p = object.properties;
    const amount = p.amount ? Number(p.amount) : null;
    return {
      id: object.id,
      name: p.dealname || `Deal ${object.id}`,
      stage: p.dealstage ?? '',
      amount: amount !== null && Number.isFinite(amount) ? amount : null,
      currency: p.deal_currency_code || null,
      closeDate: p.closedate || null,
      contactIds: [contactId],
      companyId,
      url: recordUrl({ kind: 'deal', id: object.id }) ?? '',
    };
  }

  async function toActivity(object: HubSpotObject, fallbackContactId: string): Promise<EmailActivity> {
    const names = await owners();
    const p = object.properties;
    const key = parseLogKey(p[HUBSPOT_PROPERTIES.emailLogKey]);
    const headers = parseEmailHeaders(p.hs_email_headers);
    const ownerId = p.hubspot_owner_id ?? '';
    const occurredAt = isoOr(p.hs_timestamp, object.createdAt);
    return {
      id: object.id,
      type: 'email',
      externalId: p[HUBSPOT_PROPERTIES.emailMessageId] || headers.messageId || `hubspot-email:${object.id}`,
      contactId: key?.contactId ?? fallbackContactId,
      companyId: null,
      dealId: null,
      direction: p.hs_email_direction === 'INCOMING_EMAIL' ? 'incoming' : 'outgoing',
      subject: p.hs_email_subject ?? '',
      snippet: (p.hs_email_text ?? '').slice(0, SNIPPET_MAX),
      occurredAt,
      from: headers.from,
      to: headers.to,
      cc: headers.cc,
      hasAttachments: false,
      threadId: null,
      source: 'crm',
      loggedBy: ownerId,
      loggedByName: names.get(ownerId),
      createdAt: isoOr(p.hs_createdate, object.createdAt),
    };
  }

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

  async function lookup(request: LookupRequest): Promise<LookupResponse> {
    const parsed = LookupRequest.safeParse(request);
    if (!parsed.success) throw new CrmError('invalid_request', 'The lookup request is not valid.');
    const emails = [...new Set(parsed.data.emails)];
    const domains = [...new Set(parsed.data.domains)];
    if (emails.length > MAX_BATCH || domains.length > MAX_BATCH)
      throw new CrmError(
        'invalid_request',
        `A lookup takes at most ${MAX_BATCH} addresses and ${MAX_BATCH} domains.`,
        {
          status: 413,
        },
      );
    const byId = new Map<string, HubSpotObject>();
    const [primary, companies] = await Promise.all([
      emails.length > 0 ? readBatch('contacts', emails, CONTACT_PROPERTIES, 'email') : Promise.resolve([]),
      domains.length > 0 ? companiesByDomain(domains) : Promise.resolve([]),
    ]);
    for (const c of primary) byId.set(c.id, c);
    const found = new Set(primary.map((c) => c.properties.email?.toLowerCase()));
    for (const c of await contactsByAlternate(emails.filter((e) => !found.has(e)))) byId.set(c.id, c);
    return {
      contacts: await Promise.all([...byId.values()].map(toContact)),
      companies: companies.map(toCompany),
    };
  }

  /** Companies whose domain is one of `domains`: one search for those not asked recently, then a batch read by id. */
  async function companiesByDomain(domains: string[]): Promise<HubSpotObject[]> {
    const unknown = domains.filter((d) => remembered('companies', d) === undefined);
    const fresh: HubSpotObject[] = [];
    if (unknown.length > 0) {
      fresh.push(
        ...(await searchAll('companies', {
          filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'IN', values: unknown }] }],
          properties: COMPANY_PROPERTIES,
        })),
      );
      for (const d of unknown)
        remember(
          'companies',
          d,
          fresh.filter((c) => c.properties.domain?.trim().toLowerCase() === d).map((c) => c.id),
        );
    }
    const freshIds = new Set(fresh.map((c) => c.id));
    const known = [...new Set(domains.flatMap((d) => remembered('companies', d) ?? []))].filter(
      (id) => !freshIds.has(id),
    );
    return [...fresh, ...(known.length > 0 ? await readBatch('companies', known, COMPANY_PROPERTIES) : [])];
  }

  /**
   * Contacts with one of `addresses` as an alternate: one filter group per address, five per
   * search, for the addresses not asked recently; those found before are read again by id.
   */
  async function contactsByAlternate(addresses: string[]): Promise<HubSpotObject[]> {
    const unknown = addresses.filter((a) => remembered('alternates', a) === undefined);
    const fresh: HubSpotObject[] = [];
    for (let i = 0; i < unknown.length; i += SEARCH_GROUPS) {
      const slice = unknown.slice(i, i + SEARCH_GROUPS);
      const answer = await searchAll('contacts', {
        filterGroups: slice.map((value) => ({
          filters: [{ propertyName: 'hs_additional_emails', operator: 'CONTAINS_TOKEN', value }],
        })),
        properties: CONTACT_PROPERTIES,
      });
      fresh.push(...answer);
      for (const a of slice)
        remember(
          'alternates',
          a,
          answer
            .filter((c) =>
              (c.properties.hs_additional_emails ?? '').split(';').some((e) => e.trim().toLowerCase() === a),
            )
            .map((c) => c.id),
        );
    }
    const freshIds = new Set(fresh.map((c) => c.id));
    const known = [...new Set(addresses.flatMap((a) => remembered('alternates', a) ?? []))].filter(
      (id) => !freshIds.has(id),
    );
    return [...fresh, ...(known.length > 0 ? await readBatch('contacts', known, CONTACT_PROPERTIES) : [])];
  }

  async function getContact(contactId: string): Promise<ContactDetail> {
    const object = await call(
      'GET',
      `/crm/v3/objects/contacts/${encodeURIComponent(contactId)}?${new URLSearchParams({
        properties: CONTACT_PROPERTIES.join(','),
        associations: 'companies,deals,emails',
      })}`,
      HubSpotObjectWithAssociations,
    );
    const ids = (type: string) => (object.associations?.[type]?.results ?? []).map((r) => r.id);
    const companyIds = [
      ...new Set([...ids('companies'), object.properties.associatedcompanyid].filter(Boolean)),
    ] as string[];
    const emailIds = ids('emails')
      .sort((a, b) => Number(b) - Number(a))
      .slice(0, MAX_BATCH);
    const [contact, companies, deals, emails] = await Promise.all([
      toContact(object),
      companyIds.length > 0 ? readBatch('companies', companyIds.slice(0, 1), COMPANY_PROPERTIES) : [],
      ids('deals').length > 0 ? readBatch('deals', ids('deals'), DEAL_PROPERTIES) : [],
      emailIds.length > 0 ? readBatch('emails', emailIds, EMAIL_PROPERTIES) : [],
    ]);
    const company = companies[0] ? toCompany(companies[0]) : null;
    const activities = await Promise.all(emails.map((e) => toActivity(e, contactId)));
    return {
      ...contact,
      companyId: company?.id ?? contact.companyId,
      company,
      deals: deals
        .filter((d) => d.properties.hs_is_closed !== 'true')
        .map((d) => toDeal(d, contactId, company?.id ?? null)),
      recentActivities: activities
        .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt))
        .slice(0, RECENT_EMAILS),
    };
  }

  async function createContact(request: CreateContactRequest): Promise<Contact> {
    const parsed = CreateContactRequest.safeParse(request);
    if (!parsed.success)
      throw new CrmError('invalid_request', 'The new contact needs a name and valid addresses.');
    const input = parsed.data;
    const conflict = async (existing: Contact) =>
      new CrmError('conflict', `${existing.name} already has one of these addresses in HubSpot.`, {
        status: 409,
        details: { contact: existing },
      });
    const taken = await lookup({ emails: input.emails });
    if (taken.contacts[0]) throw await conflict(taken.contacts[0]);
    const [firstname, ...last] = input.name.split(/\s+/);
    let created: HubSpotObject;
    try {
      created = await call('POST', '/crm/v3/objects/contacts', z.object({ id: z.string() }).passthrough(), {
        properties: {
          email: input.emails[0],
          firstname: firstname ?? '',
          lastname: last.join(' '),
          ...(input.title ? { jobtitle: input.title } : {}),
          ...(input.phone ? { phone: input.phone } : {}),
          ...(input.lifecycleStage ? { lifecyclestage: input.lifecycleStage } : {}),
        },
      }).then((o) => ({ id: o.id, properties: {}, createdAt: '', updatedAt: '' }));
    } catch (error) {
      // Someone created it between our lookup and our create: "Contact already exists. Existing ID: n".
      const existingId =
        error instanceof CrmError && error.kind === 'conflict'
          ? /Existing ID: (\d+)/.exec(error.message)?.[1]
          : undefined;
      if (existingId) {
        const [existing] = await readBatch('contacts', [existingId], CONTACT_PROPERTIES);
        if (existing) throw await conflict(await toContact(existing));
      }
      throw error;
    }
    for (const alternate of input.emails.slice(1))
      await call(
        'PUT',
        `/contacts/v1/secondary-email/${encodeURIComponent(created.id)}/email/${encodeURIComponent(alternate)}`,
        z.unknown(),
      );
    if (input.companyId)
      await associate('contacts', 'companies', [{ from: created.id, to: input.companyId }]);
    // Its addresses are now someone's: the next lookup asks HubSpot again.
    for (const address of input.emails) searchAnswers.alternates.delete(address.trim().toLowerCase());
    const [stored] = await readBatch('contacts', [created.id], CONTACT_PROPERTIES);
    if (!stored) throw new CrmError('invalid_response', 'HubSpot did not return the contact it created.');
    return toContact(stored);
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
    const [{ user }] = await Promise.all([me(), emailSchema()]);
    const contactIds = [...new Set(items.map((i) => i.contactId))];
    const known = new Set((await readBatch('contacts', contactIds, ['email'])).map((c) => c.id));
    const keyOf = (i: (typeof items)[number]) => logKey(i.externalId, i.contactId);
    const valid = items.filter((i) => known.has(i.contactId));
    const keys = [...new Set(valid.map(keyOf))];
    // Already logged (by anyone): left as they are, so a colleague's email keeps its owner.
    const existing = new Map<string, string>();
    for (const e of await readBatch(
      'emails',
      keys,
      [HUBSPOT_PROPERTIES.emailLogKey],
      HUBSPOT_PROPERTIES.emailLogKey,
    ))
      existing.set(e.properties[HUBSPOT_PROPERTIES.emailLogKey] ?? '', e.id);
    const created = new Map<string, string>();
    const toWrite = valid.filter(
      (i, index) => !existing.has(keyOf(i)) && valid.findIndex((j) => keyOf(j) === keyOf(i)) === index,
    );
    if (toWrite.length > 0) {
      const answer = await call('POST', '/crm/v3/objects/emails/batch/upsert', HubSpotUpsertResponse, {
        inputs: toWrite.map((i) => ({
          idProperty: HUBSPOT_PROPERTIES.emailLogKey,
          id: keyOf(i),
          properties: emailProperties(i, user.id),
        })),
      });
      for (const r of answer.results) {
        const key = r.properties[HUBSPOT_PROPERTIES.emailLogKey] ?? '';
        (r.new ? created : existing).set(key, r.id);
      }
    }
    const idOf = (i: (typeof items)[number]) => created.get(keyOf(i)) ?? existing.get(keyOf(i));
    // Associations are separate writes: redone for every item, so a retry links what an
    // earlier, interrupted attempt left unlinked.
    const linked = valid.filter((i) => idOf(i));
    const failedContacts = await associate(
      'emails',
      'contacts',
      linked.map((i) => ({ from: idOf(i)!, to: i.contactId })),
    );
    await Promise.all([
      associate(
        'emails',
        'companies',
        linked.filter((i) => i.companyId).map((i) => ({ from: idOf(i)!, to: i.companyId! })),
      ),
      associate(
        'emails',
        'deals',
        linked.filter((i) => i.dealId).map((i) => ({ from: idOf(i)!, to: i.dealId! })),
      ),
    ]);
    const reported = new Set<string>();
    const results: ActivityResult[] = items.map((i) => {
      const id = idOf(i);
      if (!known.has(i.contactId) || !id || failedContacts.has(i.contactId))
        return {
          status: 'error',
          externalId: i.externalId,
          contactId: i.contactId,
          code: 'unknown_contact',
          message: `HubSpot has no contact ${i.contactId}.`,
        };
      const key = keyOf(i);
      const first = created.has(key) && !reported.has(key);
      reported.add(key);
      return { status: first ? 'created' : 'existing', externalId: i.externalId, contactId: i.contactId, id };
    });
    return { results };
  }

  /**
   * "Already logged, by anyone?" for the messages of an opened thread. Questions asked within
   * MESSAGE_BATCH_WINDOW_MS of each other (the panel asks for every message at once) are
   * answered together: those naming the thread's contacts by one batch read on the unique
   * log key (contact|Message-ID, not rate-limited like search), the others by one search with
   * an IN filter on the Message-ID property.
   */
  type MessageQuestion = {
    /** Lower-cased, as the Message-ID property is searched. */
    id: string;
    /** As given, as the log key was written. */
    externalId: string;
    contactIds: readonly string[] | null;
    resolve(a: EmailActivity[]): void;
    reject(e: unknown): void;
  };
  const messageQueue: { open: MessageQuestion[] | null } = { open: null };
  async function flushMessages(batch: MessageQuestion[]) {
    try {
      await emailSchema();
      const byKey = batch.filter((q) => q.contactIds !== null);
      const bySearch = [...new Set(batch.filter((q) => q.contactIds === null).map((q) => q.id))];
      const keys = [...new Set(byKey.flatMap((q) => q.contactIds!.map((c) => logKey(q.externalId, c))))];
      const [read, searched] = await Promise.all([
        keys.length > 0
          ? readBatch('emails', keys, EMAIL_PROPERTIES, HUBSPOT_PROPERTIES.emailLogKey)
          : Promise.resolve([]),
        bySearch.length > 0
          ? searchAll('emails', {
              filterGroups: [
                {
                  filters: [
                    { propertyName: HUBSPOT_PROPERTIES.emailMessageId, operator: 'IN', values: bySearch },
                  ],
                },
              ],
              properties: EMAIL_PROPERTIES,
            })
          : Promise.resolve([]),
      ]);
      const all = new Map([...read, ...searched].map((e) => [e.id, e]));
      const activities = await Promise.all(
        [...all.values()].map(async (e) => ({ e, a: await toActivity(e, '') })),
      );
      const messageIdOf = (e: HubSpotObject) =>
        (e.properties[HUBSPOT_PROPERTIES.emailMessageId] ?? '').trim().toLowerCase();
      for (const q of batch) {
        const wanted = q.contactIds ? new Set(q.contactIds.map((c) => logKey(q.externalId, c))) : null;
        q.resolve(
          activities
            .filter(({ e }) =>
              wanted
                ? wanted.has(e.properties[HUBSPOT_PROPERTIES.emailLogKey] ?? '')
                : messageIdOf(e) === q.id,
            )
            .map(({ a }) => a),
        );
      }
    } catch (error) {
      for (const q of batch) q.reject(error);
    }
  }

  function activitiesForMessage(
    externalId: string,
    options: { contactIds?: readonly string[] } = {},
  ): Promise<EmailActivity[]> {
    const id = externalId.trim().toLowerCase();
    const contactIds =
      options.contactIds && options.contactIds.length > 0 ? [...new Set(options.contactIds)] : null;
    return new Promise((resolve, reject) => {
      let batch = messageQueue.open;
      if (!batch) {
        const opened: MessageQuestion[] = [];
        batch = opened;
        messageQueue.open = opened;
        setTimeout(() => {
          if (messageQueue.open === opened) messageQueue.open = null;
          void flushMessages(opened);
        }, MESSAGE_BATCH_WINDOW_MS);
      }
      batch.push({ id, externalId: externalId.trim(), contactIds, resolve, reject });
      // A full batch takes no more questions; the next one opens a new batch.
      if (batch.length >= MESSAGE_BATCH) messageQueue.open = null;
    });
  }

  /**
   * The sync audit's batch question: one search on the Message-ID property with the IN
   * operator (its `values` list holds at most 100 entries, developers.hubspot.com/docs/api-reference/2026-03/crm/search-the-crm),
   * paged by `after` at 200 results a page; each email's log key names its contact.
   */
  async function findLoggedMessages(externalIds: readonly string[]): Promise<LoggedMessage[]> {
    if (externalIds.length > MAX_BATCH)
      throw new CrmError('invalid_request', `At most ${MAX_BATCH} Message-IDs can be checked at once.`, {
        status: 413,
      });
    const values = [...new Set(externalIds.map((id) => id.trim().toLowerCase()))];
    if (values.length === 0) return [];
    await emailSchema();
    const byId = new Map<string, Set<string>>();
    let after: string | undefined;
    do {
      const answer = await search('emails', {
        filterGroups: [
          { filters: [{ propertyName: HUBSPOT_PROPERTIES.emailMessageId, operator: 'IN', values }] },
        ],
        properties: [HUBSPOT_PROPERTIES.emailLogKey, HUBSPOT_PROPERTIES.emailMessageId],
        limit: 200,
        ...(after !== undefined ? { after } : {}),
      });
      for (const email of answer.results) {
        const key = parseLogKey(email.properties[HUBSPOT_PROPERTIES.emailLogKey]);
        if (!key) continue;
        const contacts = byId.get(key.externalId) ?? new Set<string>();
        contacts.add(key.contactId);
        byId.set(key.externalId, contacts);
      }
      after = answer.paging?.next?.after;
    } while (after !== undefined);
    return [...byId].map(([externalId, contacts]) => ({ externalId, contactIds: [...contacts] }));
  }

  async function listContactActivities(
    contactId: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<ActivityPage> {
    const detail = await call(
      'GET',
      `/crm/v3/objects/contacts/${encodeURIComponent(contactId)}?associations=emails&properties=email`,
      HubSpotObjectWithAssociations,
    );
    const ids = (detail.associations?.emails?.results ?? []).map((r) => r.id);
    const all = await Promise.all(
      (await readBatch('emails', ids, EMAIL_PROPERTIES)).map((e) => toActivity(e, contactId)),
    );
    all.sort((a, b) => b.occurredAt.localeCompare(a.occurredAt) || b.id.localeCompare(a.id));
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
    const [{ user }] = await Promise.all([me(), taskSchema()]);
    const [contact] = await readBatch('contacts', [input.contactId], ['email']);
    if (!contact)
      throw new CrmError('not_found', `HubSpot has no contact ${input.contactId}.`, { status: 404 });
    // Without a source message a task has no natural key: each call is a new task.
    const key = input.sourceExternalId
      ? `${input.contactId}|${input.sourceExternalId}|${input.title}`
      : `${input.contactId}|${crypto.randomUUID()}`;
    const answer = await call('POST', '/crm/v3/objects/tasks/batch/upsert', HubSpotUpsertResponse, {
      inputs: [
        {
          idProperty: HUBSPOT_PROPERTIES.taskKey,
          id: key,
          properties: {
            hs_task_subject: input.title,
            hs_task_body: input.notes ?? '',
            hs_timestamp: input.dueAt ?? new Date().toISOString(),
            hs_task_priority: { low: 'LOW', normal: 'MEDIUM', high: 'HIGH' }[input.priority],
            hs_task_status: 'NOT_STARTED',
            hubspot_owner_id: user.id,
          },
        },
      ],
    });
    const result = answer.results[0];
    if (!result) throw new CrmError('invalid_response', 'HubSpot did not return the task.');
    await associate('tasks', 'contacts', [{ from: result.id, to: input.contactId }]);
    return {
      status: result.new ? 'created' : 'existing',
      task: {
        id: result.id,
        contactId: input.contactId,
        title: input.title,
        notes: input.notes ?? null,
        dueAt: input.dueAt ?? null,
        priority: input.priority,
        sourceExternalId: input.sourceExternalId ?? null,
        createdAt: isoOr(result.properties.hs_createdate, result.createdAt),
      },
    };
  }

  return {
    info: HUBSPOT_CRM_INFO,
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

/** One email per (Message-ID, contact): the value of the unique log-key property. */
export { logKey };

/**
 * An email engagement as HubSpot's email API documents it
 * (https://developers.hubspot.com/docs/api/crm/email): direction EMAIL (sent) or
 * INCOMING_EMAIL, headers as a JSON string. The body is sent only when the privacy
 * setting let it through (buildActivities leaves it out otherwise).
 *
 * `hs_email_headers` is "the email's headers", a JSON-escaped string whose documented keys
 * are `from` `{email, firstName, lastName}`, `to`, `cc` and `bcc` (arrays of the same)
 * (same page, "Set email headers"; public client code writes the same shape, and also
 * `sender`). HubSpot documents no key for the Message-ID: it is written as `messageId` (our
 * choice of name, unsourced) so the record carries it where a person reading the headers
 * looks, and in the searchable HUBSPOT_PROPERTIES.emailMessageId that the sidebar queries.
 */
function emailProperties(i: z.output<typeof LogActivitiesRequest>['activities'][number], ownerId: string) {
  const person = (p: Party) => {
    const [firstName, ...last] = p.name.split(/\s+/);
    return { email: p.address, firstName: firstName ?? '', lastName: last.join(' ') };
  };
  return {
    hs_timestamp: i.occurredAt,
    hs_email_direction: i.direction === 'incoming' ? 'INCOMING_EMAIL' : 'EMAIL',
    hs_email_status: 'SENT',
    hs_email_subject: i.subject,
    hs_email_text: i.body ?? i.snippet,
    hs_email_headers: JSON.stringify({
      from: person(i.from),
      to: i.to.map(person),
      cc: i.cc.map(person),
      bcc: [],
      messageId: i.externalId,
    }),
    hubspot_owner_id: ownerId,
    [HUBSPOT_PROPERTIES.emailMessageId]: i.externalId,
  };
}

const EmailHeaders = z.object({
  messageId: z.string().optional(),
  from: z
    .object({
      email: z.string().optional(),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
    })
    .optional(),
  to: z
    .array(
      z.object({
        email: z.string().optional(),
        firstName: z.string().optional(),
        lastName: z.string().optional(),
      }),
    )
    .optional(),
  cc: z
    .array(
      z.object({
        email: z.string().optional(),
        firstName: z.string().optional(),
        lastName: z.string().optional(),
      }),
    )
    .optional(),
});

function parseEmailHeaders(value: string | null | undefined): {
  from: Party;
  to: Party[];
  cc: Party[];
  messageId?: string;
} {
  const parsed = EmailHeaders.safeParse(value ? parseJsonOrUndefined(value) : undefined);
  const party = (p?: { email?: string; firstName?: string; lastName?: string }): Party => ({
    name: [p?.firstName, p?.lastName].filter(Boolean).join(' '),
    address: p?.email ?? '',
  });
  if (!parsed.success) return { from: party(), to: [], cc: [] };
  return {
    ...(parsed.data.messageId ? { messageId: parsed.data.messageId } : {}),
    from: party(parsed.data.from),
    to: (parsed.data.to ?? []).map(party),
    cc: (parsed.data.cc ?? []).map(party),
  };
}

function ownerName(o: {
  id: string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}) {
  return [o.firstName, o.lastName].filter(Boolean).join(' ') || o.email || `Owner ${o.id}`;
}

/** HubSpot dates are ISO strings or epoch milliseconds (as strings). */
function isoOr(value: string | null | undefined, fallback: string): string {
  const candidate = value && /^\d+$/.test(value) ? new Date(Number(value)).toISOString() : value;
  const ms = candidate ? Date.parse(candidate) : Number.NaN;
  if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  const fb = Date.parse(fallback);
  return Number.isNaN(fb) ? new Date(0).toISOString() : new Date(fb).toISOString();
}

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
