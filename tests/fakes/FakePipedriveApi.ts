import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  closeServerNow,
  createFakeServer,
  type JsonSend,
  jsonSender,
  type LoopbackServerOptions,
  listenOnLoopback,
} from './loopbackServer';

/**
 * A local Pipedrive API (api.pipedrive.com, API v1 and v2) for the calls the Pipedrive
 * connector makes, strict where Pipedrive is strict. "client-nodejs" below is Pipedrive's
 * own client generated from its published OpenAPI description, github.com/pipedrive/client-nodejs
 * (v32.2.1), src/versions/v1 and src/versions/v2. Shapes and limits, each from its source:
 *
 * - Hosts and paths: BASE_PATH https://api.pipedrive.com/v1 and https://api.pipedrive.com/api/v2
 *   (client-nodejs src/versions/v{1,2}/base.ts).
 * - Authentication: the API token in the `x-api-token` header (client-nodejs
 *   src/versions/v2/api/*-api.ts `setApiKeyToObject(…, "x-api-token", …)`;
 *   https://pipedrive.readme.io/docs/how-to-get-the-company-domain shows the same header) or
 *   the `api_token` query parameter (https://pipedrive.readme.io/docs/how-to-find-the-api-token).
 *   `Authorization: Bearer` carries OAuth access tokens only, so an API token there is refused.
 *   A refused token: 401 `{ success: false, error, errorCode: 401 }` (shape: client-nodejs
 *   src/versions/v1/models/unathorized-response.ts; the `error` text is UNSOURCED).
 * - Status codes: https://pipedrive.readme.io/docs/core-api-concepts-http-status-codes (400
 *   bad request, 401 invalid token, 402 company account not open, 404, 410, 429, 5xx).
 *   Every failure body is `{ success: false, error, errorCode }`; the `error` texts of 400
 *   and 404 answers below are UNSOURCED (Pipedrive documents the shape, not the wording).
 * - Rate limits (https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting): per token
 *   and 2-second window, 20 requests with an API token on the Essential plan and 10 for the
 *   search endpoints on every plan; every answer carries `x-ratelimit-limit`,
 *   `x-ratelimit-remaining` and `x-ratelimit-reset`; past the limit, 429. A daily token budget
 *   (same page, and https://developers.pipedrive.com/changelog/post/breaking-changes-token-based-rate-limits-for-api-requests:
 *   "further requests will return a 429 … until the budget resets the next day") is off unless
 *   a test sets `dailyBudget`; the per-request costs (single GET 2, list GET 20, write 10,
 *   search 40) are from a third-party summary, https://rate-limits.apis.io/rate-limits/pipedrive/pipedrive-rate-limits/
 *   (Pipedrive's reference shows a cost per endpoint, e.g. 20 for GET /v1/activityTypes and
 *   10 for POST, https://developers.pipedrive.com/docs/api/v1/ActivityTypes). The 429 body's
 *   `error` text is UNSOURCED; its shape is the common failure body.
 * - Current user, GET /v1/users/me: client-nodejs src/versions/v1/models/base-user.ts and
 *   get-current-user-response-all-of-data-all-of.ts (`company_id`, `company_name`,
 *   `company_domain`). Users, GET /v1/users: base-user.ts.
 * - Persons (v2): request fields of models/add-person-request.ts (`name`, `owner_id`,
 *   `org_id`, `emails`/`phones` as `{ value, primary, label }`, `visible_to`, …); email labels
 *   work, home or other (docs.rs/crate/pipedrive-rs docs/BasicPersonRequestEmailInner.md, from
 *   the same OpenAPI description). Answers add `id`, `add_time`, `update_time` (RFC 3339, as
 *   the v2 list parameters `updated_since` describe). GET /persons takes `ids` (up to 100, unknown
 *   ids left out), `limit` (at most 500) and `cursor` (api/persons-api.ts `getPersons`).
 * - Person search, GET /api/v2/persons/search: `term` (at least 2 characters, 1 with
 *   `exact_match`), `fields` among custom_fields, email, notes, phone, name; `exact_match` "is
 *   not case sensitive" (api/persons-api.ts `searchPersons`); answer
 *   `{ items: [{ result_score, item: { id, type, name, phones, emails, visible_to, owner,
 *   organization, custom_fields, notes } }] }` (models/get-person-search-response-all-of-data-items-inner-item.ts).
 * - Organizations: models/organization-item.ts — no domain field.
 * - Deals, GET /api/v2/deals?person_id=&status=open: api/deals-api.ts `getDeals`, models/deal.ts.
 * - Stages, GET /api/v2/stages: models/stage-item.ts.
 * - Activities (v2): models/activity-item.ts and add-activity-request.ts; GET /activities with
 *   `person_id` returns "activities whose primary participant is the given person", `sort_by`
 *   id | update_time | add_time | due_date, `limit` at most 500, `cursor`; DELETE "marks an
 *   activity as deleted" and answers `{ success, data: { id } }` (api/activities-api.ts,
 *   models/delete-activity-response(-data).ts); a deleted activity is no longer listed
 *   (UNSOURCED: the v2 list has no parameter to include deleted ones, so the fake leaves them out).
 *   PATCH /activities/{id} updates one ("Update an activity", method PATCH in api/activities-api.ts).
 *   `type` must be an activity type's `key_string` (https://developers.pipedrive.com/docs/api/v1/ActivityTypes);
 *   this company has the types call, meeting, task, deadline, email and lunch (the icon keys
 *   of that page; Pipedrive's default set of types is UNSOURCED beyond them). A body field
 *   that AddActivityRequest does not name is refused with 400 (UNSOURCED: how Pipedrive
 *   answers unknown body fields is not documented; the fake is strict).
 * - Pagination: `additional_data.next_cursor` (models/get-activities-response-all-of-additional-data.ts),
 *   an opaque string.
 */

export interface FakePipedriveUser {
  id: number;
  name: string;
  email: string;
  token: string;
}

interface LabelledValue {
  value: string;
  primary: boolean;
  label: string;
}

export interface FakePipedrivePerson {
  id: number;
  name: string;
  owner_id: number;
  org_id: number | null;
  emails: LabelledValue[];
  phones: LabelledValue[];
  add_time: string;
  update_time: string;
}

export interface FakePipedriveActivity {
  id: number;
  subject: string;
  type: string;
  owner_id: number;
  creator_user_id: number;
  is_deleted: boolean;
  add_time: string;
  update_time: string;
  deal_id: number | null;
  person_id: number | null;
  org_id: number | null;
  due_date: string | null;
  due_time: string | null;
  done: boolean;
  participants: { person_id: number; primary: boolean }[];
  note: string | null;
}

export interface FakePipedriveDeal {
  id: number;
  title: string;
  owner_id: number;
  person_id: number | null;
  org_id: number | null;
  stage_id: number;
  value: number;
  currency: string;
  status: 'open' | 'won' | 'lost';
  expected_close_date: string | null;
  add_time: string;
  update_time: string;
}

export interface FakePipedriveOptions extends LoopbackServerOptions {
  companyName?: string;
  companyDomain?: string;
  now?: () => number;
  /** Burst limits on (default); tests of other things may switch them off. */
  rateLimits?: boolean;
  /**
   * Requests per 2 seconds with an API token: 20 (Essential, the default), 40 (Advanced),
   * 80 (Professional), 100 (Power) or 120 (Enterprise), per the rate-limiting page.
   */
  burstLimit?: number;
  /** The company's daily token budget (default: unlimited). */
  dailyBudget?: number;
}

const ACTIVITY_TYPES = ['call', 'meeting', 'task', 'deadline', 'email', 'lunch'];
const ACTIVITY_FIELDS = new Set([
  'subject',
  'type',
  'owner_id',
  'deal_id',
  'lead_id',
  'person_id',
  'org_id',
  'project_id',
  'due_date',
  'due_time',
  'duration',
  'busy',
  'done',
  'location',
  'participants',
  'attendees',
  'public_description',
  'priority',
  'note',
]);
const PERSON_FIELDS = new Set([
  'name',
  'owner_id',
  'org_id',
  'add_time',
  'update_time',
  'emails',
  'phones',
  'visible_to',
  'label_ids',
  'marketing_status',
  'custom_fields',
]);
const SEARCH_FIELDS = new Set(['custom_fields', 'email', 'notes', 'phone', 'name']);
const EMAIL_LABELS = new Set(['work', 'home', 'other']);
const WINDOW_MS = 2_000;
const BURST = 20;
const SEARCH_BURST = 10;
const MAX_LIMIT = 500;
const COST = { single: 2, list: 20, write: 10, search: 40 };

class PipedriveHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

type Query = URLSearchParams;

export class FakePipedriveApi {
  readonly companyId = 7_700_001;
  readonly companyName: string;
  readonly companyDomain: string;
  readonly users = new Map<string, FakePipedriveUser>();
  readonly persons = new Map<number, FakePipedrivePerson>();
  readonly organizations = new Map<
    number,
    { id: number; name: string; owner_id: number; add_time: string }
  >();
  readonly deals = new Map<number, FakePipedriveDeal>();
  readonly stages = new Map<number, { id: number; name: string; pipeline_id: number; order_nr: number }>();
  readonly activities = new Map<number, FakePipedriveActivity>();
  /** Requests as they arrived: `METHOD /path`. */
  readonly requests: string[] = [];
  readonly counters = { byStatus: {} as Record<number, number>, tokensSpent: 0 };
  private readonly faults: { method: string; path: string; status: number }[] = [];
  private readonly windows = new Map<string, number[]>();
  private nextId = { user: 1_001, person: 10_001, org: 20_001, deal: 30_001, activity: 40_001 };
  private server: Server | null = null;
  private readonly now: () => number;
  url = '';

  constructor(private readonly options: FakePipedriveOptions = {}) {
    this.now = options.now ?? Date.now;
    this.companyName = options.companyName ?? 'Northwind Trading';
    this.companyDomain = options.companyDomain ?? 'northwind';
    for (const [i, name] of ['Qualified', 'Proposal made', 'Negotiations started'].entries())
      this.stages.set(i + 1, { id: i + 1, name, pipeline_id: 1, order_nr: i + 1 });
  }

  async start(): Promise<string> {
    this.server = createFakeServer((req, res) => this.handle(req, res), this.options.tls);
    this.url = await listenOnLoopback(this.server, this.options);
    return this.url;
  }

  async stop(): Promise<void> {
    if (this.server) await closeServerNow(this.server);
    this.server = null;
  }

  /** A handler for a server of the caller's (an end-to-end host router), same as start() serves. */
  get requestHandler(): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
    return (req, res) => this.handle(req, res);
  }

  // ---- Seeding (test setup) ----

  addUser(input: { name: string; email: string; token?: string }): FakePipedriveUser {
    const user = { id: this.nextId.user++, token: input.token ?? randomUUID().replace(/-/g, ''), ...input };
    this.users.set(user.token, user);
    return user;
  }

  addOrganization(name: string, ownerId = this.anyUserId()): { id: number; name: string } {
    const org = { id: this.nextId.org++, name, owner_id: ownerId, add_time: this.time() };
    this.organizations.set(org.id, org);
    return org;
  }

  addPerson(input: {
    name: string;
    emails: string[];
    orgId?: number;
    ownerId?: number;
  }): FakePipedrivePerson {
    const at = this.time();
    const person: FakePipedrivePerson = {
      id: this.nextId.person++,
      name: input.name,
      owner_id: input.ownerId ?? this.anyUserId(),
      org_id: input.orgId ?? null,
      emails: input.emails.map((value, i) => ({ value, primary: i === 0, label: 'work' })),
      phones: [],
      add_time: at,
      update_time: at,
    };
    this.persons.set(person.id, person);
    return person;
  }

  addDeal(input: {
    title: string;
    personId: number;
    orgId?: number;
    status?: 'open' | 'won' | 'lost';
    value?: number;
  }) {
    const at = this.time();
    const deal: FakePipedriveDeal = {
      id: this.nextId.deal++,
      title: input.title,
      owner_id: this.anyUserId(),
      person_id: input.personId,
      org_id: input.orgId ?? null,
      stage_id: 2,
      value: input.value ?? 0,
      currency: 'EUR',
      status: input.status ?? 'open',
      expected_close_date: null,
      add_time: at,
      update_time: at,
    };
    this.deals.set(deal.id, deal);
    return deal;
  }

  /** An activity as if a user had logged it (test setup); `note` as Pipedrive stores it. */
  addActivity(
    input: Partial<FakePipedriveActivity> & { person_id: number; type: string },
  ): FakePipedriveActivity {
    const at = this.time();
    const activity: FakePipedriveActivity = {
      id: this.nextId.activity++,
      subject: input.type,
      owner_id: this.anyUserId(),
      creator_user_id: this.anyUserId(),
      is_deleted: false,
      add_time: at,
      update_time: at,
      deal_id: null,
      org_id: null,
      due_date: null,
      due_time: null,
      done: false,
      participants: [{ person_id: input.person_id, primary: true }],
      note: null,
      ...input,
    };
    this.activities.set(activity.id, activity);
    return activity;
  }

  /** Activities not deleted, whose primary participant is `personId`. */
  activitiesOf(personId: number): FakePipedriveActivity[] {
    return [...this.activities.values()].filter((a) => !a.is_deleted && a.person_id === personId);
  }

  /** The next `count` requests whose path contains `path` fail with `status`. */
  failNext(method: string, path: string, status: number, count = 1): void {
    for (let i = 0; i < count; i++) this.faults.push({ method, path, status });
  }

  // ---- HTTP ----

  private time(): string {
    // v2 times are RFC 3339 in UTC, to the second.
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private anyUserId(): number {
    return [...this.users.values()][0]?.id ?? 1;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send: JsonSend = jsonSender(res, this.counters.byStatus, 'application/json');
    const url = new URL(req.url ?? '/', 'http://fake.pipedrive');
    const method = req.method ?? 'GET';
    this.requests.push(`${method} ${url.pathname}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let headers: Record<string, string> = {};
    try {
      const user = this.authenticate(req, url.searchParams);
      headers = this.rateLimit(user, method, url.pathname);
      const fault = this.faults.findIndex((f) => f.method === method && url.pathname.includes(f.path));
      if (fault >= 0) {
        const [f] = this.faults.splice(fault, 1);
        throw new PipedriveHttpError(f!.status, 'Injected failure');
      }
      let body: unknown;
      if (text !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          throw new PipedriveHttpError(400, 'Request body is not valid JSON');
        }
      }
      const [status, data, additional] = this.route(user, method, url.pathname, url.searchParams, body);
      send(status, { success: true, data, ...(additional ? { additional_data: additional } : {}) }, headers);
    } catch (error) {
      if (error instanceof PipedriveHttpError) {
        send(
          error.status,
          { success: false, error: error.message, errorCode: error.status },
          { ...headers, ...error.headers },
        );
        return;
      }
      send(500, { success: false, error: 'Internal server error', errorCode: 500 });
    }
  }

  private authenticate(req: IncomingMessage, query: Query): FakePipedriveUser {
    const header = req.headers['x-api-token'];
    const token = (Array.isArray(header) ? header[0] : header) ?? query.get('api_token') ?? '';
    const user = this.users.get(token);
    if (!user) throw new PipedriveHttpError(401, 'unauthorized access');
    return user;
  }

  private rateLimit(user: FakePipedriveUser, method: string, path: string): Record<string, string> {
    const search = path.endsWith('/search');
    const cost =
      method !== 'GET'
        ? COST.write
        : search
          ? COST.search
          : /\/\d+$/.test(path) || path.endsWith('/me')
            ? COST.single
            : COST.list;
    if (this.options.dailyBudget !== undefined) {
      if (this.counters.tokensSpent + cost > this.options.dailyBudget)
        throw new PipedriveHttpError(429, 'Daily token budget exceeded');
      this.counters.tokensSpent += cost;
    }
    if (this.options.rateLimits === false) return {};
    const now = this.now();
    const check = (key: string, limit: number) => {
      const recent = (this.windows.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
      const reset = String(Math.max(1, Math.ceil(((recent[0] ?? now) + WINDOW_MS - now) / 1000)));
      if (recent.length >= limit)
        throw new PipedriveHttpError(429, 'Request over limit', {
          'x-ratelimit-limit': String(limit),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': reset,
        });
      recent.push(now);
      this.windows.set(key, recent);
      return { limit, remaining: limit - recent.length, reset };
    };
    if (search) check(`search|${user.token}`, SEARCH_BURST);
    const burst = check(`all|${user.token}`, this.options.burstLimit ?? BURST);
    return {
      'x-ratelimit-limit': String(burst.limit),
      'x-ratelimit-remaining': String(burst.remaining),
      'x-ratelimit-reset': burst.reset,
    };
  }

  private route(
    user: FakePipedriveUser,
    method: string,
    path: string,
    query: Query,
    body: unknown,
  ): [number, unknown, Record<string, unknown>?] {
    const id = /\/(\d+)$/.exec(path)?.[1];
    const route = `${method} ${id ? path.replace(/\/\d+$/, '/:id') : path}`;
    switch (route) {
      case 'GET /v1/users/me':
        return [200, this.currentUser(user)];
      case 'GET /v1/users':
        return [200, [...this.users.values()].map((u) => this.userView(u))];
      case 'GET /api/v2/persons/search':
        return this.searchPersons(query);
      case 'GET /api/v2/persons':
        return this.page(
          this.listed(query, [...this.persons.values()]).filter((p) => this.idsFilter(query)(p.id)),
          query,
          (p) => this.personView(p),
        );
      case 'GET /api/v2/persons/:id':
        return [200, this.personView(this.found(this.persons, id!, 'Person'))];
      case 'POST /api/v2/persons':
        return [201, this.personView(this.createPerson(user, body))];
      case 'PATCH /api/v2/persons/:id':
        return [200, this.personView(this.updatePerson(this.found(this.persons, id!, 'Person'), body))];
      case 'GET /api/v2/organizations/:id': {
        const org = this.found(this.organizations, id!, 'Organization');
        return [200, { ...org, update_time: org.add_time, is_deleted: false, visible_to: 3, label_ids: [] }];
      }
      case 'GET /api/v2/deals':
        return this.page(this.dealsMatching(query), query, (d) => ({
          ...d,
          is_deleted: false,
          is_archived: false,
        }));
      case 'GET /api/v2/stages':
        return this.page([...this.stages.values()], query, (s) => s);
      case 'GET /api/v2/activities':
        return this.page(this.activitiesMatching(query), query, (a) => a);
      case 'POST /api/v2/activities':
        return [201, this.createActivity(user, body)];
      case 'PATCH /api/v2/activities/:id':
        return [200, this.updateActivity(this.found(this.activities, id!, 'Activity'), body)];
      case 'DELETE /api/v2/activities/:id': {
        const activity = this.found(this.activities, id!, 'Activity');
        if (activity.is_deleted) throw new PipedriveHttpError(404, 'Activity not found');
        activity.is_deleted = true;
        activity.update_time = this.time();
        return [200, { id: activity.id }];
      }
      default:
        throw new PipedriveHttpError(404, `Unknown method ${method} ${path}`);
    }
  }

  private currentUser(user: FakePipedriveUser) {
    return {
      ...this.userView(user),
      company_id: this.companyId,
      company_name: this.companyName,
      company_domain: this.companyDomain,
      company_country: 'DE',
      language: { language_code: 'en', country_code: 'US' },
    };
  }

  private userView(u: FakePipedriveUser) {
    return { id: u.id, name: u.name, email: u.email, active_flag: true, is_you: false, activated: true };
  }

  private found<T>(map: Map<number, T>, id: string, what: string): T {
    const value = map.get(Number(id));
    if (value === undefined) throw new PipedriveHttpError(404, `${what} not found`);
    return value;
  }

  private intParam(query: Query, name: string): number | undefined {
    const raw = query.get(name);
    if (raw === null) return undefined;
    if (!/^\d+$/.test(raw)) throw new PipedriveHttpError(400, `Parameter '${name}' must be an integer`);
    return Number(raw);
  }

  private idsFilter(query: Query): (id: number) => boolean {
    const raw = query.get('ids');
    if (raw === null) return () => true;
    const ids = raw.split(',').map((s) => s.trim());
    if (ids.length > 100) throw new PipedriveHttpError(400, "Parameter 'ids' takes at most 100 ids");
    if (ids.some((s) => !/^\d+$/.test(s)))
      throw new PipedriveHttpError(400, "Parameter 'ids' must be integers");
    const set = new Set(ids.map(Number));
    return (id) => set.has(id);
  }

  private listed<T extends { id: number }>(query: Query, items: T[]): T[] {
    const sortBy = query.get('sort_by') ?? 'id';
    const direction = query.get('sort_direction') ?? 'asc';
    if (!['asc', 'desc'].includes(direction)) throw new PipedriveHttpError(400, "Invalid 'sort_direction'");
    const sorted = [...items].sort((a, b) => {
      const x = String((a as Record<string, unknown>)[sortBy] ?? '');
      const y = String((b as Record<string, unknown>)[sortBy] ?? '');
      return sortBy === 'id' ? a.id - b.id : x.localeCompare(y) || a.id - b.id;
    });
    return direction === 'desc' ? sorted.reverse() : sorted;
  }

  /** One page by `limit` (at most 500, default 100) and the opaque `cursor`. */
  private page<T>(
    items: T[],
    query: Query,
    view: (item: T) => unknown,
  ): [number, unknown, Record<string, unknown>] {
    const limit = this.intParam(query, 'limit') ?? 100;
    if (limit < 1 || limit > MAX_LIMIT)
      throw new PipedriveHttpError(400, `Parameter 'limit' must be 1 to ${MAX_LIMIT}`);
    const cursor = query.get('cursor');
    let offset = 0;
    if (cursor !== null) {
      const decoded = Number(
        Buffer.from(cursor, 'base64url')
          .toString('utf8')
          .replace(/^offset:/, ''),
      );
      if (!Number.isInteger(decoded) || decoded < 0) throw new PipedriveHttpError(400, "Invalid 'cursor'");
      offset = decoded;
    }
    const slice = items.slice(offset, offset + limit);
    const next =
      offset + limit < items.length ? Buffer.from(`offset:${offset + limit}`).toString('base64url') : null;
    return [200, slice.map(view), { next_cursor: next }];
  }

  private searchPersons(query: Query): [number, unknown, Record<string, unknown>] {
    const term = (query.get('term') ?? '').trim();
    const exact = query.get('exact_match') === 'true';
    if (term.length < (exact ? 1 : 2))
      throw new PipedriveHttpError(
        400,
        "Parameter 'term' must be at least 2 characters (1 with exact_match)",
      );
    const fields = (query.get('fields') ?? [...SEARCH_FIELDS].join(',')).split(',');
    if (fields.some((f) => !SEARCH_FIELDS.has(f))) throw new PipedriveHttpError(400, "Invalid 'fields'");
    const wanted = term.toLowerCase();
    const matches = (value: string) =>
      exact ? value.toLowerCase() === wanted : value.toLowerCase().includes(wanted);
    const found = [...this.persons.values()].filter(
      (p) =>
        (fields.includes('email') && p.emails.some((e) => matches(e.value))) ||
        (fields.includes('name') && matches(p.name)) ||
        (fields.includes('phone') && p.phones.some((e) => matches(e.value))),
    );
    const [status, items, additional] = this.page(found, query, (p) => ({
      result_score: 1,
      item: {
        id: p.id,
        type: 'person',
        name: p.name,
        phones: p.phones.map((e) => e.value),
        emails: p.emails.map((e) => e.value),
        visible_to: 3,
        owner: { id: p.owner_id },
        organization: p.org_id ? { id: p.org_id, name: this.organizations.get(p.org_id)?.name ?? '' } : null,
        custom_fields: [],
        notes: [],
      },
    }));
    return [status, { items }, additional];
  }

  private personView(p: FakePipedrivePerson) {
    return { ...p, is_deleted: false, visible_to: 3, label_ids: [], custom_fields: {} };
  }

  /**
   * PATCH /api/v2/persons/{id} ("Update a person", api/persons-api.ts `updatePerson`; body
   * models/update-person-request.ts: the same fields as a new person, all optional). A list
   * given (`emails`, `phones`) replaces the person's list whole (UNSOURCED beyond the
   * request model, which has no add/remove form: the list is the value).
   */
  private updatePerson(person: FakePipedrivePerson, body: unknown): FakePipedrivePerson {
    const input = this.bodyObject(body, PERSON_FIELDS);
    if (input.name !== undefined) {
      if (typeof input.name !== 'string' || input.name.trim() === '')
        throw new PipedriveHttpError(400, "Parameter 'name' must not be empty");
      person.name = input.name.trim();
    }
    if (input.emails !== undefined) person.emails = this.labelled(input.emails, 'emails');
    if (input.phones !== undefined) person.phones = this.labelled(input.phones, 'phones');
    person.update_time = this.time();
    return person;
  }

  private labelled(value: unknown, what: string): LabelledValue[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new PipedriveHttpError(400, `Parameter '${what}' must be an array`);
    return value.map((v: { value?: unknown; primary?: unknown; label?: unknown }) => {
      if (typeof v?.value !== 'string')
        throw new PipedriveHttpError(400, `Parameter '${what}' needs a value`);
      if (what === 'emails' && v.label !== undefined && !EMAIL_LABELS.has(String(v.label)))
        throw new PipedriveHttpError(400, `Invalid label '${String(v.label)}' in 'emails'`);
      return { value: v.value, primary: v.primary === true, label: String(v.label ?? 'work') };
    });
  }

  private createPerson(user: FakePipedriveUser, body: unknown): FakePipedrivePerson {
    const input = this.bodyObject(body, PERSON_FIELDS);
    if (typeof input.name !== 'string' || input.name.trim() === '')
      throw new PipedriveHttpError(400, "Parameter 'name' is required");
    const labelled = (value: unknown, what: string): LabelledValue[] => {
      if (value === undefined) return [];
      if (!Array.isArray(value)) throw new PipedriveHttpError(400, `Parameter '${what}' must be an array`);
      return value.map((v: { value?: unknown; primary?: unknown; label?: unknown }) => {
        if (typeof v?.value !== 'string')
          throw new PipedriveHttpError(400, `Parameter '${what}' needs a value`);
        if (what === 'emails' && v.label !== undefined && !EMAIL_LABELS.has(String(v.label)))
          throw new PipedriveHttpError(400, `Invalid label '${String(v.label)}' in 'emails'`);
        return { value: v.value, primary: v.primary === true, label: String(v.label ?? 'work') };
      });
    };
    const orgId = input.org_id === undefined ? null : Number(input.org_id);
    if (orgId !== null && !this.organizations.has(orgId))
      throw new PipedriveHttpError(400, 'Organization not found');
    const at = this.time();
    const person: FakePipedrivePerson = {
      id: this.nextId.person++,
      name: input.name.trim(),
      owner_id: typeof input.owner_id === 'number' ? input.owner_id : user.id,
      org_id: orgId,
      emails: labelled(input.emails, 'emails'),
      phones: labelled(input.phones, 'phones'),
      add_time: at,
      update_time: at,
    };
    this.persons.set(person.id, person);
    return person;
  }

  private dealsMatching(query: Query): FakePipedriveDeal[] {
    const personId = this.intParam(query, 'person_id');
    const status = query.get('status');
    if (status !== null && !['open', 'won', 'lost', 'deleted'].includes(status))
      throw new PipedriveHttpError(400, "Invalid 'status'");
    return this.listed(
      query,
      [...this.deals.values()].filter(
        (d) =>
          (personId === undefined || d.person_id === personId) && (status === null || d.status === status),
      ),
    );
  }

  private activitiesMatching(query: Query): FakePipedriveActivity[] {
    const personId = this.intParam(query, 'person_id');
    const sortBy = query.get('sort_by');
    if (sortBy !== null && !['id', 'update_time', 'add_time', 'due_date'].includes(sortBy))
      throw new PipedriveHttpError(400, "Invalid 'sort_by'");
    return this.listed(
      query,
      [...this.activities.values()].filter(
        (a) =>
          !a.is_deleted &&
          (personId === undefined || a.person_id === personId) &&
          this.idsFilter(query)(a.id),
      ),
    );
  }

  private createActivity(user: FakePipedriveUser, body: unknown): FakePipedriveActivity {
    const input = this.bodyObject(body, ACTIVITY_FIELDS);
    const type = input.type ?? 'task';
    if (typeof type !== 'string' || !ACTIVITY_TYPES.includes(type))
      throw new PipedriveHttpError(400, `Activity type '${String(type)}' does not exist`);
    if (input.due_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(input.due_date)))
      throw new PipedriveHttpError(400, "Parameter 'due_date' must be YYYY-MM-DD");
    if (input.due_time !== undefined && !/^\d{2}:\d{2}$/.test(String(input.due_time)))
      throw new PipedriveHttpError(400, "Parameter 'due_time' must be HH:MM");
    const participants = Array.isArray(input.participants)
      ? (input.participants as { person_id?: unknown; primary?: unknown }[]).map((p) => {
          if (typeof p?.person_id !== 'number' || !this.persons.has(p.person_id))
            throw new PipedriveHttpError(400, 'Person not found');
          return { person_id: p.person_id, primary: p.primary === true };
        })
      : [];
    const ref = (name: string, map: Map<number, unknown>, what: string) => {
      const value = input[name];
      if (value === undefined || value === null) return null;
      if (typeof value !== 'number' || !map.has(value))
        throw new PipedriveHttpError(400, `${what} not found`);
      return value;
    };
    const personId =
      ref('person_id', this.persons, 'Person') ?? participants.find((p) => p.primary)?.person_id ?? null;
    const at = this.time();
    const activity: FakePipedriveActivity = {
      id: this.nextId.activity++,
      subject: typeof input.subject === 'string' && input.subject !== '' ? input.subject : type,
      type,
      owner_id: typeof input.owner_id === 'number' ? input.owner_id : user.id,
      creator_user_id: user.id,
      is_deleted: false,
      add_time: at,
      update_time: at,
      deal_id: ref('deal_id', this.deals, 'Deal'),
      person_id: personId,
      org_id: ref('org_id', this.organizations, 'Organization'),
      due_date: (input.due_date as string | undefined) ?? null,
      due_time: (input.due_time as string | undefined) ?? null,
      done: input.done === true,
      participants,
      note: typeof input.note === 'string' ? input.note : null,
    };
    this.activities.set(activity.id, activity);
    return activity;
  }

  /** PATCH: only the fields sent change; `deal_id: null` unlinks the deal (UNSOURCED: the model types it as a number). */
  private updateActivity(activity: FakePipedriveActivity, body: unknown): FakePipedriveActivity {
    if (activity.is_deleted) throw new PipedriveHttpError(404, 'Activity not found');
    const input = this.bodyObject(body, ACTIVITY_FIELDS);
    if ('deal_id' in input) {
      const dealId = input.deal_id;
      if (dealId !== null && (typeof dealId !== 'number' || !this.deals.has(dealId)))
        throw new PipedriveHttpError(400, 'Deal not found');
      activity.deal_id = dealId as number | null;
    }
    for (const key of ['subject', 'note', 'done'] as const)
      if (key in input) (activity as unknown as Record<string, unknown>)[key] = input[key];
    activity.update_time = this.time();
    return activity;
  }

  private bodyObject(body: unknown, allowed: Set<string>): Record<string, unknown> {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new PipedriveHttpError(400, 'Request body must be a JSON object');
    const unknown = Object.keys(body).find((k) => !allowed.has(k));
    if (unknown) throw new PipedriveHttpError(400, `Unknown parameter '${unknown}'`);
    return body as Record<string, unknown>;
  }
}
