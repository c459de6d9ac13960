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
 * A local HubSpot API (api.hubapi.com) for the calls the HubSpot connector makes, strict
 * where HubSpot is strict. Shapes and limits, each from its public source:
 *
 * - Objects, batch read/upsert and property values: HubSpot/hubspot-api-nodejs
 *   codegen/crm/objects/emails/models/{SimplePublicObject,SimplePublicObjectWithAssociations,
 *   SimplePublicUpsertObject,BatchResponseSimplePublicObjectWithErrors,StandardError}.ts —
 *   every property value is a string (`properties: { [key: string]: string }`), unset
 *   requested properties are null; batch answers carry `status`, `results`, `startedAt`,
 *   `completedAt`, and on partial failure (HTTP 207) `numErrors` + `errors[]`.
 *   Batch inputs: at most 100 (https://developers.hubspot.com/docs/api/crm/understanding-the-crm,
 *   "batch endpoints ... limited to 100 records").
 * - Upsert by a unique-value property: https://developers.hubspot.com/docs/api-reference/latest/crm/objects/custom-objects/batch/upsert-custom-objects
 *   (`inputs[].idProperty`, result `new: boolean`); a property with `hasUniqueValue` is the
 *   only valid idProperty.
 * - Search: https://developers.hubspot.com/docs/api-reference/2026-03/crm/search-the-crm and
 *   https://developers.hubspot.com/changelog/breaking-change-expanded-filtering-capabilities-and-error-messaging-in-hubspots-search-api
 *   (at most 5 filterGroups, 10 filters per group, 25 filters in all; limit at most 200);
 *   searching `hs_additional_emails` finds secondary addresses (HubSpot/hubspot-api-nodejs#24);
 *   search is limited per token per second (4/s in
 *   https://developers.hubspot.com/changelog/crm-search-api-rate-limit-increase, 5/s in the
 *   current docs; this fake uses 5).
 * - Error body `{ status: 'error', message, correlationId, category, context? }`:
 *   codegen/crm/objects/emails/models/ModelError.ts; 401 INVALID_AUTHENTICATION, 403
 *   MISSING_SCOPES, 404 OBJECT_NOT_FOUND, 409 CONFLICT ("Contact already exists. Existing ID: n")
 *   and 400 VALIDATION_ERROR per https://developers.hubspot.com/docs/api/error-handling.
 * - 429 `{ status: 'error', message, errorType: 'RATE_LIMIT', correlationId, policyName }` with
 *   X-HubSpot-RateLimit-{Daily,Daily-Remaining,Interval-Milliseconds,Max,Remaining,Secondly,
 *   Secondly-Remaining} headers: https://developers.hubspot.com/docs/api/usage-details. HubSpot
 *   documents no Retry-After; this fake sends none, the connector derives the wait.
 * - Associations v4 single pairs: PUT .../associations/default/{toType}/{toId} and DELETE
 *   .../associations/{toType}/{toId} (associateOne, dissociate: sources there).
 * - Associations v4 batch associate (default labels), separate from the object write:
 *   codegen/crm/associations/v4/models/BatchResponseLabelsBetweenObjectPair.ts; unknown ids
 *   are per-input errors (207).
 * - Owners: codegen/crm/owners/models/PublicOwner.ts (`GET /crm/v3/owners?email=`).
 * - Account details: https://developers.hubspot.com/docs/api/settings/account-information-api
 *   (`portalId`, `uiDomain`).
 * - Properties: https://developers.hubspot.com/docs/api/crm/properties (`hasUniqueValue`,
 *   409 OBJECT_ALREADY_EXISTS on a second create). Which scope guards property writes on
 *   engagement objects is not documented clearly; the fake requires `crm.schemas.custom.write`
 *   or the object's own `crm.schemas.<object>.write` (an assumption, stated in the README).
 * - Emails: `hs_email_headers` is a JSON-escaped string of headers (from/to/cc/bcc,
 *   https://developers.hubspot.com/docs/api/crm/email "Set email headers"); a value that is
 *   not JSON is refused 400 `Property invalid: {"name":"hs_email_headers","error":"INVALID_JSON",
 *   "value":…}` (that message as quoted in a public integration's HubSpot error test, search-index
 *   file id 62537352840; whether HubSpot also refuses JSON that is not an object is not
 *   documented, the fake does). Extra keys inside the JSON are kept as written (undocumented).
 * - OAuth access tokens (`acceptOAuthToken`, issued by the HubSpot mode of FakeOauthServer):
 *   they carry the scopes of their grant and live 30 minutes
 *   (developers.hubspot.com/docs/api-reference/auth-oauth-v3/guide); past that, 401
 *   `{ status: 'error', message: 'The OAuth token used to make this call expired 75 second(s) ago.',
 *   correlationId, category: 'EXPIRED_AUTHENTICATION', context: { 'expire time': [iso] } }` (the
 *   body as quoted in a public HubSpot integration's code comment, search-index file id
 *   11112049149; the same message and category in HubSpot integrations' tests, ids 61514933153
 *   and 71177417158). Which unit HubSpot picks for "N second(s)/minute(s)" is not sourced
 *   beyond those quotes; the fake uses seconds under two minutes, else minutes.
 * - Secondary emails: PUT and DELETE /contacts/v1/secondary-email/{vid}/email/{email}
 *   (https://legacydocs.hubspot.com/docs/methods/contacts/add-a-secondary-email-address, and the
 *   current reference's legacy pages, answer `{ portalId, vid, secondaryEmails }`); the
 *   v3 `hs_additional_emails` property is read-only (jpetrucciani/hubspot3#136).
 */

/** `hs_email_headers` must hold a JSON object (a string that is not JSON is refused with INVALID_JSON). */
function isJsonObjectText(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

export type HubSpotObjectType = 'contacts' | 'companies' | 'deals' | 'emails' | 'tasks';
const OBJECT_TYPES: HubSpotObjectType[] = ['contacts', 'companies', 'deals', 'emails', 'tasks'];
const OBJECT_TYPE_IDS: Record<HubSpotObjectType, string> = {
  contacts: '0-1',
  companies: '0-2',
  deals: '0-3',
  emails: '0-49',
  tasks: '0-27',
};

export interface FakeHubSpotObject {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  /** Associated ids by object type (both directions are kept). */
  associations: Partial<Record<HubSpotObjectType, Set<string>>>;
}

export interface FakeHubSpotUser {
  token: string;
  ownerId: string;
  email: string;
  firstName: string;
  lastName: string;
  scopes: string[];
}

export interface FakeHubSpotProperty {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  hasUniqueValue: boolean;
}

const BASE_SCOPES = [
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.companies.read',
  'crm.objects.deals.read',
  'crm.objects.owners.read',
  'sales-email-read',
  'crm.objects.emails.read',
  'crm.objects.emails.write',
  'crm.objects.tasks.read',
  'crm.objects.tasks.write',
];
export const HUBSPOT_FULL_SCOPES = [...BASE_SCOPES, 'crm.schemas.custom.write'];

const MAX_BATCH = 100;
const SEARCH_PER_SECOND = 5;
const BURST_PER_TEN_SECONDS = 190;

/** The properties every portal has (a small subset of HubSpot's defaults). */
const DEFAULT_PROPERTIES: Record<HubSpotObjectType, string[]> = {
  contacts: [
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
    'hs_object_id',
  ],
  companies: ['name', 'domain', 'hs_additional_domains', 'createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  deals: [
    'dealname',
    'dealstage',
    'amount',
    'deal_currency_code',
    'closedate',
    'hs_is_closed',
    'hs_object_id',
  ],
  emails: [
    'hs_timestamp',
    'hs_email_direction',
    'hs_email_subject',
    'hs_email_text',
    'hs_email_html',
    'hs_email_status',
    'hs_email_headers',
    'hubspot_owner_id',
    'hs_createdate',
    'hs_object_id',
  ],
  tasks: [
    'hs_timestamp',
    'hs_task_subject',
    'hs_task_body',
    'hs_task_status',
    'hs_task_priority',
    'hubspot_owner_id',
    'hs_createdate',
    'hs_object_id',
  ],
};

/** Read-only in v3 (set through the v1 secondary-email endpoint). */
const READ_ONLY = new Set(['hs_additional_emails', 'hs_object_id', 'createdate', 'hs_createdate']);

class HubSpotHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }
}

export interface FakeHubSpotOptions extends LoopbackServerOptions {
  portalId?: number;
  now?: () => number;
  /** Rate limiting on (default); tests of other things may switch it off. */
  rateLimits?: boolean;
}

export class FakeHubSpotApi {
  readonly portalId: number;
  readonly objects: Record<HubSpotObjectType, Map<string, FakeHubSpotObject>> = {
    contacts: new Map(),
    companies: new Map(),
    deals: new Map(),
    emails: new Map(),
    tasks: new Map(),
  };
  readonly properties: Record<HubSpotObjectType, Map<string, FakeHubSpotProperty>>;
  readonly users = new Map<string, FakeHubSpotUser>();
  /** OAuth access tokens, by token: whose they are, their grant's scopes, and when they expire. */
  private readonly oauthTokens = new Map<string, { user: FakeHubSpotUser; expiresAt: number }>();
  /** Requests as they arrived: `METHOD /path`. */
  readonly requests: string[] = [];
  readonly counters = { byStatus: {} as Record<number, number> };
  /** Fails the next requests matching `path` (substring) with the given status and body. */
  private readonly faults: { method: string; path: string; status: number; body: Record<string, unknown> }[] =
    [];
  private readonly searchTimes = new Map<string, number[]>();
  private readonly burstTimes = new Map<string, number[]>();
  private nextId = 100_001;
  private server: Server | null = null;
  private readonly now: () => number;
  private readonly rateLimits: boolean;
  url = '';

  constructor(private readonly options: FakeHubSpotOptions = {}) {
    this.portalId = options.portalId ?? 8_675_309;
    this.now = options.now ?? Date.now;
    this.rateLimits = options.rateLimits ?? true;
    this.properties = Object.fromEntries(
      OBJECT_TYPES.map((type) => [
        type,
        new Map(
          DEFAULT_PROPERTIES[type].map((name) => [
            name,
            {
              name,
              label: name,
              type: 'string',
              fieldType: 'text',
              groupName: `${type.slice(0, -1)}information`,
              hasUniqueValue: false,
            },
          ]),
        ),
      ]),
    ) as Record<HubSpotObjectType, Map<string, FakeHubSpotProperty>>;
    this.properties.contacts.get('email')!.hasUniqueValue = true;
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

  addUser(input: Partial<FakeHubSpotUser> & { email: string }): FakeHubSpotUser {
    const user: FakeHubSpotUser = {
      token: input.token ?? `pat-na1-${randomUUID()}`,
      ownerId: input.ownerId ?? String(this.nextId++),
      firstName: input.firstName ?? 'Riley',
      lastName: input.lastName ?? 'Rep',
      scopes: input.scopes ?? HUBSPOT_FULL_SCOPES,
      email: input.email,
    };
    this.users.set(user.token, user);
    return user;
  }

  /**
   * An OAuth access token the authorization server issued for the user with `email` (who
   * must exist): accepted with the grant's scopes until `expiresInMs` from now, then refused
   * with 401 EXPIRED_AUTHENTICATION.
   */
  acceptOAuthToken(token: string, email: string, options: { expiresInMs: number; scopes: string[] }): void {
    const user = [...this.users.values()].find((u) => u.email.toLowerCase() === email.toLowerCase());
    if (!user) throw new Error(`no HubSpot user ${email}`);
    this.oauthTokens.set(token, {
      user: { ...user, token, scopes: options.scopes },
      expiresAt: this.now() + options.expiresInMs,
    });
  }

  addObject(
    type: HubSpotObjectType,
    properties: Record<string, string>,
    associations: Partial<Record<HubSpotObjectType, string[]>> = {},
  ): FakeHubSpotObject {
    const object = this.create(type, properties);
    for (const [toType, ids] of Object.entries(associations) as [HubSpotObjectType, string[]][])
      for (const id of ids) this.associate(type, object.id, toType, id);
    return object;
  }

  /** The next `count` requests whose path contains `path` fail with this status and body. */
  failNext(method: string, path: string, status: number, count = 1, category = 'INTERNAL_ERROR'): void {
    for (let i = 0; i < count; i++)
      this.faults.push({
        method,
        path,
        status,
        body: { status: 'error', message: 'Injected failure', correlationId: randomUUID(), category },
      });
  }

  // ---- The store ----

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private create(type: HubSpotObjectType, properties: Record<string, string>): FakeHubSpotObject {
    const id = String(this.nextId++);
    const at = this.iso();
    const object: FakeHubSpotObject = {
      id,
      properties: { ...properties, hs_object_id: id },
      createdAt: at,
      updatedAt: at,
      associations: {},
    };
    if (type === 'contacts') {
      object.properties.createdate = at;
      object.properties.lastmodifieddate = at;
      if (object.properties.email) object.properties.email = object.properties.email.toLowerCase();
    } else object.properties.hs_createdate = at;
    this.objects[type].set(id, object);
    return object;
  }

  private associate(fromType: HubSpotObjectType, fromId: string, toType: HubSpotObjectType, toId: string) {
    const from = this.objects[fromType].get(fromId);
    const to = this.objects[toType].get(toId);
    if (!from || !to) return false;
    from.associations[toType] ??= new Set();
    from.associations[toType].add(toId);
    to.associations[fromType] ??= new Set();
    to.associations[fromType].add(fromId);
    return true;
  }

  private view(type: HubSpotObjectType, object: FakeHubSpotObject, requested: string[] | undefined) {
    // Every value a string; a requested property that is unset comes back as null.
    const names = requested && requested.length > 0 ? requested : DEFAULT_PROPERTIES[type].slice(0, 4);
    const properties: Record<string, string | null> = {};
    for (const name of [...names, 'hs_object_id']) properties[name] = object.properties[name] ?? null;
    return {
      id: object.id,
      properties,
      createdAt: object.createdAt,
      updatedAt: object.updatedAt,
      archived: false,
    };
  }

  // ---- HTTP ----

  private error(status: number, category: string, message: string, extra: Record<string, unknown> = {}) {
    return new HubSpotHttpError(status, {
      status: 'error',
      message,
      correlationId: randomUUID(),
      category,
      ...extra,
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send: JsonSend = jsonSender(res, this.counters.byStatus, 'application/json;charset=utf-8');
    const url = new URL(req.url ?? '/', 'http://fake.hubapi');
    const method = req.method ?? 'GET';
    this.requests.push(`${method} ${url.pathname}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      const user = this.authenticate(req);
      const limitHeaders = this.rateLimit(user, url.pathname);
      const fault = this.faults.findIndex((f) => f.method === method && url.pathname.includes(f.path));
      if (fault >= 0) {
        const [f] = this.faults.splice(fault, 1);
        send(f!.status, f!.body, limitHeaders);
        return;
      }
      let body: unknown;
      if (text !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          throw this.error(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1');
        }
      }
      const [status, answer] = this.route(user, method, url, body);
      send(status, answer, limitHeaders);
    } catch (error) {
      if (error instanceof HubSpotHttpError) {
        send(error.status, error.body, error.status === 429 ? this.limitHeaders(0) : {});
        return;
      }
      send(500, {
        status: 'error',
        message: error instanceof Error ? error.message : String(error),
        correlationId: randomUUID(),
        category: 'INTERNAL_ERROR',
      });
    }
  }

  private authenticate(req: IncomingMessage): FakeHubSpotUser {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const oauth = this.oauthTokens.get(token);
    if (oauth && oauth.expiresAt <= this.now()) {
      const ago = Math.floor((this.now() - oauth.expiresAt) / 1000);
      const unit = ago < 120 ? `${ago} second(s)` : `${Math.floor(ago / 60)} minute(s)`;
      throw this.error(
        401,
        'EXPIRED_AUTHENTICATION',
        `The OAuth token used to make this call expired ${unit} ago.`,
        {
          context: { 'expire time': [new Date(oauth.expiresAt).toISOString()] },
        },
      );
    }
    const user = this.users.get(token) ?? oauth?.user;
    if (!user)
      throw this.error(
        401,
        'INVALID_AUTHENTICATION',
        token
          ? 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview'
          : 'Any of the listed authentication credentials are missing',
      );
    return user;
  }

  private limitHeaders(remaining: number): Record<string, string> {
    return {
      'x-hubspot-ratelimit-daily': '500000',
      'x-hubspot-ratelimit-daily-remaining': '499000',
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
      'x-hubspot-ratelimit-max': String(BURST_PER_TEN_SECONDS),
      'x-hubspot-ratelimit-remaining': String(remaining),
      'x-hubspot-ratelimit-secondly': String(Math.ceil(BURST_PER_TEN_SECONDS / 10)),
      'x-hubspot-ratelimit-secondly-remaining': String(Math.max(0, Math.ceil(remaining / 10))),
    };
  }

  private rateLimit(user: FakeHubSpotUser, path: string): Record<string, string> {
    const now = this.now();
    const burst = (this.burstTimes.get(user.token) ?? []).filter((t) => now - t < 10_000);
    this.burstTimes.set(user.token, burst);
    if (this.rateLimits && burst.length >= BURST_PER_TEN_SECONDS)
      throw new HubSpotHttpError(429, {
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        errorType: 'RATE_LIMIT',
        correlationId: randomUUID(),
        policyName: 'TEN_SECONDLY_ROLLING',
      });
    if (path.endsWith('/search')) {
      const recent = (this.searchTimes.get(user.token) ?? []).filter((t) => now - t < 1_000);
      this.searchTimes.set(user.token, recent);
      if (this.rateLimits && recent.length >= SEARCH_PER_SECOND)
        throw new HubSpotHttpError(429, {
          status: 'error',
          message: 'You have reached your secondly limit.',
          errorType: 'RATE_LIMIT',
          correlationId: randomUUID(),
          policyName: 'SECONDLY',
        });
      recent.push(now);
      // Search answers carry no X-HubSpot-RateLimit headers (usage-details page).
      burst.push(now);
      return {};
    }
    burst.push(now);
    return this.limitHeaders(BURST_PER_TEN_SECONDS - burst.length);
  }

  private requireScope(user: FakeHubSpotUser, scopes: string[]): void {
    if (scopes.some((s) => user.scopes.includes(s))) return;
    throw this.error(
      403,
      'MISSING_SCOPES',
      'This app hasn\u2019t been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.',
      {
        errors: [
          {
            message: `One or more of the following scopes are required.`,
            context: { requiredScopes: scopes },
          },
        ],
      },
    );
  }

  private objectType(segment: string | undefined): HubSpotObjectType {
    const type = OBJECT_TYPES.find((t) => t === segment);
    if (!type) throw this.error(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${segment}`);
    return type;
  }

  private route(user: FakeHubSpotUser, method: string, url: URL, body: unknown): [number, unknown] {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const p = parts.join('/');
    if (method === 'GET' && p === 'account-info/v3/details')
      return [
        200,
        {
          portalId: this.portalId,
          accountType: 'STANDARD',
          timeZone: 'Europe/London',
          companyCurrency: 'EUR',
          additionalCurrencies: [],
          utcOffset: '+00:00',
          utcOffsetMilliseconds: 0,
          uiDomain: 'app-eu1.hubspot.com',
          dataHostingLocation: 'eu1',
        },
      ];
    if (method === 'GET' && p === 'crm/v3/owners') return [200, this.owners(url)];
    if (method === 'PUT' && parts[0] === 'contacts' && parts[1] === 'v1' && parts[2] === 'secondary-email')
      return [200, this.addSecondaryEmail(parts[3] ?? '', parts[5] ?? '')];
    if (method === 'DELETE' && parts[0] === 'contacts' && parts[1] === 'v1' && parts[2] === 'secondary-email')
      return [200, this.removeSecondaryEmail(parts[3] ?? '', parts[5] ?? '')];
    if (parts[0] === 'crm' && parts[1] === 'v3' && parts[2] === 'properties') {
      const type = this.objectType(parts[3]);
      if (method === 'GET' && parts[4]) {
        const property = this.properties[type].get(parts[4]);
        if (!property)
          throw this.error(
            404,
            'OBJECT_NOT_FOUND',
            `Unable to find property ${parts[4]} for object type ${type}`,
          );
        return [200, property];
      }
      if (method === 'POST' && !parts[4]) return [201, this.createProperty(user, type, body)];
    }
    if (parts[0] === 'crm' && parts[1] === 'v3' && parts[2] === 'objects') {
      const type = this.objectType(parts[3]);
      this.requireScope(user, [
        `crm.objects.${type}.${method === 'GET' ? 'read' : 'write'}`,
        `crm.objects.${type}.read`,
      ]);
      if (parts[4] === 'batch' && method === 'POST') {
        if (parts[5] === 'read') return this.batchRead(type, body);
        if (parts[5] === 'upsert') return this.batchUpsert(user, type, body);
      }
      if (parts[4] === 'search' && method === 'POST') return [200, this.search(type, body)];
      if (method === 'POST' && parts.length === 4) return [201, this.createOne(type, body)];
      if (method === 'GET' && parts[4]) return [200, this.readOne(type, parts[4], url)];
      if (method === 'PATCH' && parts[4] && parts.length === 5)
        return [200, this.updateOne(type, parts[4], body)];
      if (method === 'DELETE' && parts[4] && parts.length === 5)
        return [204, this.archiveOne(type, parts[4])];
    }
    // /crm/v4/objects/{type}/{id}/associations/default/{toType}/{toId} (PUT) and
    // /crm/v4/objects/{type}/{id}/associations/{toType}/{toId} (DELETE).
    if (parts[0] === 'crm' && parts[1] === 'v4' && parts[2] === 'objects' && parts[5] === 'associations') {
      const type = this.objectType(parts[3]);
      // A write to an object's associations needs a write scope: the object's own, or for
      // engagements such as emails the contacts scope that covers them (the connector's
      // scope list, hubspotOAuth.ts, cites developers.hubspot.com/docs/api/scopes). Which
      // scope HubSpot checks on this very call is not sourced: an assumption.
      this.requireScope(user, [`crm.objects.${type}.write`, 'crm.objects.contacts.write']);
      if (method === 'PUT' && parts[6] === 'default' && parts.length === 9)
        return [200, this.associateOne(type, parts[4] ?? '', this.objectType(parts[7]), parts[8] ?? '')];
      if (method === 'DELETE' && parts.length === 8)
        return [204, this.dissociate(type, parts[4] ?? '', this.objectType(parts[6]), parts[7] ?? '')];
    }
    if (parts[0] === 'crm' && parts[1] === 'v4' && parts[2] === 'associations' && method === 'POST') {
      if (parts[5] === 'batch' && parts[6] === 'associate' && parts[7] === 'default')
        return this.associateBatch(this.objectType(parts[3]), this.objectType(parts[4]), body);
    }
    throw this.error(404, 'OBJECT_NOT_FOUND', `No route for ${method} ${url.pathname}`);
  }

  private owners(url: URL) {
    const email = url.searchParams.get('email')?.toLowerCase();
    const owners = [...this.users.values()]
      .filter((u) => !email || u.email.toLowerCase() === email)
      .map((u) => ({
        id: u.ownerId,
        email: u.email,
        firstName: u.firstName,
        lastName: u.lastName,
        userId: Number(u.ownerId) + 1,
        createdAt: '2024-01-01T00:00:00.000Z',
        updatedAt: '2024-01-01T00:00:00.000Z',
        archived: false,
      }));
    return { results: owners };
  }

  private addSecondaryEmail(vid: string, email: string) {
    const contact = this.objects.contacts.get(vid);
    if (!contact) throw this.error(404, 'OBJECT_NOT_FOUND', `contact ${vid} does not exist`);
    const address = email.toLowerCase();
    const owner = this.findByEmail(address);
    if (owner && owner.id !== vid)
      throw this.error(409, 'CONFLICT', `Email ${address} is already in use by contact ${owner.id}`);
    const list = (contact.properties.hs_additional_emails ?? '').split(';').filter(Boolean);
    if (!list.includes(address)) list.push(address);
    contact.properties.hs_additional_emails = list.join(';');
    return { portalId: Number(this.portalId), vid: Number(vid), secondaryEmails: list };
  }

  /**
   * DELETE /contacts/v1/secondary-email/{vid}/email/{email} answers the addresses left
   * (https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/v1/get-contacts-v1-secondary-email-vid-email-email:
   * `{ portalId, vid, secondaryEmails }`). What it answers for an address the contact does not
   * have is not documented; the fake answers the list unchanged.
   */
  private removeSecondaryEmail(vid: string, email: string) {
    const contact = this.objects.contacts.get(vid);
    if (!contact) throw this.error(404, 'OBJECT_NOT_FOUND', `contact ${vid} does not exist`);
    const address = email.toLowerCase();
    const list = (contact.properties.hs_additional_emails ?? '').split(';').filter((e) => e && e !== address);
    contact.properties.hs_additional_emails = list.join(';');
    return { portalId: Number(this.portalId), vid: Number(vid), secondaryEmails: list };
  }

  private findByEmail(address: string): FakeHubSpotObject | undefined {
    for (const c of this.objects.contacts.values()) {
      if (c.properties.email === address) return c;
      if ((c.properties.hs_additional_emails ?? '').split(';').includes(address)) return c;
    }
    return undefined;
  }

  private createProperty(user: FakeHubSpotUser, type: HubSpotObjectType, body: unknown) {
    this.requireScope(user, ['crm.schemas.custom.write', `crm.schemas.${type}.write`]);
    const input = body as Partial<FakeHubSpotProperty> | undefined;
    if (!input?.name || !input.label || !input.type || !input.fieldType || !input.groupName)
      throw this.error(
        400,
        'VALIDATION_ERROR',
        'Property is missing name, label, type, fieldType or groupName',
      );
    if (this.properties[type].has(input.name))
      throw this.error(409, 'OBJECT_ALREADY_EXISTS', `A property named '${input.name}' already exists.`);
    const property: FakeHubSpotProperty = {
      name: input.name,
      label: input.label,
      type: input.type,
      fieldType: input.fieldType,
      groupName: input.groupName,
      hasUniqueValue: input.hasUniqueValue === true,
    };
    this.properties[type].set(property.name, property);
    return property;
  }

  /** Values as HubSpot stores them: strings; unknown or read-only properties are refused. */
  private propertyValues(type: HubSpotObjectType, input: unknown): Record<string, string> {
    if (typeof input !== 'object' || input === null)
      throw this.error(400, 'VALIDATION_ERROR', 'properties must be an object');
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(input)) {
      if (!this.properties[type].has(name))
        throw this.error(
          400,
          'VALIDATION_ERROR',
          `Property values were not valid: Property "${name}" does not exist`,
          {
            errors: [{ message: `Property "${name}" does not exist`, code: 'PROPERTY_DOESNT_EXIST' }],
          },
        );
      if (READ_ONLY.has(name))
        throw this.error(
          400,
          'VALIDATION_ERROR',
          `Property values were not valid: "${name}" is a read only property; its value cannot be set.`,
          {
            errors: [{ message: `"${name}" is a read only property`, code: 'READ_ONLY_VALUE' }],
          },
        );
      if (value === null || typeof value === 'object')
        throw this.error(400, 'VALIDATION_ERROR', `Property values were not valid: ${name} must be a string`);
      if (type === 'emails' && name === 'hs_email_headers' && !isJsonObjectText(String(value)))
        throw this.error(
          400,
          'VALIDATION_ERROR',
          `Property invalid: ${JSON.stringify({ name, error: 'INVALID_JSON', value: String(value) })}`,
        );
      out[name] = String(value);
    }
    return out;
  }

  private inputs(body: unknown): Record<string, unknown>[] {
    const inputs = (body as { inputs?: unknown } | undefined)?.inputs;
    if (!Array.isArray(inputs)) throw this.error(400, 'VALIDATION_ERROR', 'inputs is required');
    if (inputs.length > MAX_BATCH)
      throw this.error(400, 'VALIDATION_ERROR', `Batch input limit is ${MAX_BATCH}, got ${inputs.length}`, {
        context: { inputs: [String(inputs.length)] },
      });
    return inputs as Record<string, unknown>[];
  }

  private batchAnswer(results: unknown[], errors: Record<string, unknown>[]): [number, unknown] {
    const at = this.iso();
    const base = { status: 'COMPLETE', results, startedAt: at, completedAt: at };
    return errors.length > 0 ? [207, { ...base, numErrors: errors.length, errors }] : [200, base];
  }

  private batchRead(type: HubSpotObjectType, body: unknown): [number, unknown] {
    const { idProperty, properties } = (body ?? {}) as { idProperty?: string; properties?: string[] };
    const inputs = this.inputs(body);
    if (idProperty && !this.properties[type].get(idProperty)?.hasUniqueValue)
      throw this.error(400, 'VALIDATION_ERROR', `${idProperty} is not a unique identifier property`);
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const input of inputs) {
      const id = String(input.id ?? '');
      const object = idProperty
        ? [...this.objects[type].values()].find(
            (o) => (o.properties[idProperty] ?? '').toLowerCase() === id.toLowerCase(),
          )
        : this.objects[type].get(id);
      if (object) results.push(this.view(type, object, properties));
      else missing.push(id);
    }
    const errors =
      missing.length > 0
        ? [
            {
              status: 'error',
              category: 'OBJECT_NOT_FOUND',
              message: 'Could not get some objects, they may be deleted or not exist.',
              context: { ids: missing },
            },
          ]
        : [];
    return this.batchAnswer(results, errors);
  }

  private batchUpsert(user: FakeHubSpotUser, type: HubSpotObjectType, body: unknown): [number, unknown] {
    const inputs = this.inputs(body);
    const results: unknown[] = [];
    for (const input of inputs) {
      const idProperty = String(input.idProperty ?? '');
      if (!this.properties[type].get(idProperty)?.hasUniqueValue)
        throw this.error(
          400,
          'VALIDATION_ERROR',
          `Property ${idProperty} is not a unique identifier property for ${type}`,
        );
      const key = String(input.id ?? '');
      if (key === '') throw this.error(400, 'VALIDATION_ERROR', 'id is required');
      const values = this.propertyValues(type, input.properties ?? {});
      let object = [...this.objects[type].values()].find((o) => o.properties[idProperty] === key);
      const isNew = object === undefined;
      if (object) {
        Object.assign(object.properties, values);
        object.updatedAt = this.iso();
      } else {
        object = this.create(type, {
          ...values,
          [idProperty]: key,
          hubspot_owner_id: values.hubspot_owner_id ?? user.ownerId,
        });
      }
      results.push({ ...this.view(type, object, Object.keys(object.properties)), new: isNew });
    }
    return this.batchAnswer(results, []);
  }

  private createOne(type: HubSpotObjectType, body: unknown) {
    const values = this.propertyValues(type, (body as { properties?: unknown } | undefined)?.properties);
    if (type === 'contacts' && values.email) {
      const taken = this.findByEmail(values.email.toLowerCase());
      if (taken) throw this.error(409, 'CONFLICT', `Contact already exists. Existing ID: ${taken.id}`);
    }
    const object = this.create(type, values);
    return this.view(type, object, Object.keys(object.properties));
  }

  /**
   * PATCH /crm/v3/objects/{type}/{id} ("Update", https://developers.hubspot.com/docs/api-reference/crm-emails-v3/basic/patch-crm-v3-objects-emails-emailId):
   * the given properties, answered as the object. An unknown id: 404 OBJECT_NOT_FOUND like a read.
   */
  private updateOne(type: HubSpotObjectType, id: string, body: unknown) {
    const object = this.objects[type].get(id);
    if (!object)
      throw this.error(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.');
    const values = this.propertyValues(type, (body as { properties?: unknown } | undefined)?.properties);
    Object.assign(object.properties, values);
    object.updatedAt = this.iso();
    return this.view(type, object, Object.keys(object.properties));
  }

  /**
   * DELETE /crm/v3/objects/{type}/{id} ("Archive", 204 No Content,
   * https://developers.hubspot.com/docs/api-reference/crm-emails-v3/basic/delete-crm-v3-objects-emails-emailId):
   * the object leaves reads, searches and its associations. What HubSpot answers for an id
   * it does not hold is UNSOURCED; the fake answers 404 OBJECT_NOT_FOUND like a read.
   */
  private archiveOne(type: HubSpotObjectType, id: string) {
    const object = this.objects[type].get(id);
    if (!object)
      throw this.error(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.');
    this.objects[type].delete(id);
    for (const [toType, ids] of Object.entries(object.associations) as [HubSpotObjectType, Set<string>][])
      for (const to of ids) this.objects[toType].get(to)?.associations[type]?.delete(id);
    return undefined;
  }

  private readOne(type: HubSpotObjectType, id: string, url: URL) {
    const object = this.objects[type].get(id);
    if (!object)
      throw this.error(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.', {
        context: { id: [id] },
      });
    const properties = url.searchParams.get('properties')?.split(',').filter(Boolean);
    const view: Record<string, unknown> = this.view(type, object, properties);
    const wanted = url.searchParams.get('associations')?.split(',').filter(Boolean) ?? [];
    if (wanted.length > 0) {
      const associations: Record<string, unknown> = {};
      for (const name of wanted) {
        const toType = this.objectType(name);
        const ids = [...(object.associations[toType] ?? [])];
        if (ids.length > 0)
          associations[toType] = {
            results: ids.map((to) => ({ id: to, type: `${type.slice(0, -1)}_to_${toType.slice(0, -1)}` })),
          };
      }
      view.associations = associations;
    }
    return view;
  }

  private search(type: HubSpotObjectType, body: unknown) {
    const request = (body ?? {}) as {
      filterGroups?: {
        filters?: { propertyName?: string; operator?: string; value?: string; values?: string[] }[];
      }[];
      properties?: string[];
      limit?: number;
      after?: string;
      sorts?: { propertyName?: string; direction?: string }[];
    };
    const groups = request.filterGroups ?? [];
    const total = groups.reduce((n, g) => n + (g.filters?.length ?? 0), 0);
    if (groups.length > 5)
      throw this.error(
        400,
        'VALIDATION_ERROR',
        `Too many filter groups (${groups.length}); the maximum is 5.`,
      );
    if (groups.some((g) => (g.filters?.length ?? 0) > 10))
      throw this.error(400, 'VALIDATION_ERROR', 'Too many filters in a filter group; the maximum is 10.');
    if (total > 25)
      throw this.error(400, 'VALIDATION_ERROR', `Too many filters (${total}); the maximum is 25.`);
    // IN / NOT_IN take at most 100 values (https://developers.hubspot.com/docs/api-reference/2026-03/crm/search-the-crm,
    // "Filter search results"); the error wording is not published, so this one is ours.
    for (const g of groups)
      for (const f of g.filters ?? [])
        if ((f.operator === 'IN' || f.operator === 'NOT_IN') && (f.values?.length ?? 0) > 100)
          throw this.error(
            400,
            'VALIDATION_ERROR',
            `Too many values for ${f.operator} (${f.values?.length}); the maximum is 100.`,
          );
    const limit = request.limit ?? 10;
    if (limit > 200) throw this.error(400, 'VALIDATION_ERROR', 'limit must be at most 200');
    for (const g of groups)
      for (const f of g.filters ?? [])
        if (
          f.propertyName &&
          !f.propertyName.startsWith('associations.') &&
          !this.properties[type].has(f.propertyName)
        )
          throw this.error(
            400,
            'VALIDATION_ERROR',
            `There was a problem with the request: Property ${f.propertyName} does not exist`,
          );
    const matches = (o: FakeHubSpotObject) =>
      groups.length === 0 ||
      groups.some((g) =>
        (g.filters ?? []).every((f) => {
          const name = f.propertyName ?? '';
          if (name.startsWith('associations.')) {
            const singular = name.slice('associations.'.length);
            const toType = OBJECT_TYPES.find(
              (t) => t === `${singular}s` || (singular === 'company' && t === 'companies'),
            );
            return toType ? (o.associations[toType]?.has(String(f.value)) ?? false) : false;
          }
          const actual = (o.properties[name] ?? '').toLowerCase();
          const value = String(f.value ?? '').toLowerCase();
          switch (f.operator) {
            case 'EQ':
              return actual === value;
            case 'IN':
              return (f.values ?? []).map((v) => String(v).toLowerCase()).includes(actual);
            case 'CONTAINS_TOKEN':
              return actual.split(/[;\s,]+/).includes(value);
            case 'HAS_PROPERTY':
              return actual !== '';
            default:
              throw this.error(400, 'VALIDATION_ERROR', `Unsupported operator ${f.operator}`);
          }
        }),
      );
    let all = [...this.objects[type].values()].filter(matches);
    const sort = request.sorts?.[0];
    if (sort?.propertyName) {
      const name = sort.propertyName;
      const dir = sort.direction === 'DESCENDING' ? -1 : 1;
      all = all.sort((a, b) => dir * (a.properties[name] ?? '').localeCompare(b.properties[name] ?? ''));
    }
    const offset = request.after ? Number(request.after) : 0;
    const page = all.slice(offset, offset + limit);
    return {
      total: all.length,
      results: page.map((o) => this.view(type, o, request.properties)),
      ...(offset + limit < all.length ? { paging: { next: { after: String(offset + limit) } } } : {}),
    };
  }

  /**
   * PUT /crm/v4/objects/{fromType}/{fromId}/associations/default/{toType}/{toId}: the default
   * (unlabelled) association, answered `{ status, results: [{ associationSpec: {
   * associationCategory, associationTypeId }, from: { id }, to: { id } }], startedAt, completedAt }`
   * (https://developers.hubspot.com/docs/api-reference/latest/crm/associations/associate-records/update-association).
   * Type ids: email to contact 198, to company 186, to deal 210 (the association type id
   * table of https://developers.hubspot.com/docs/api-reference/latest/crm/associations/associate-records/guide);
   * other pairs answer 0 here. What HubSpot answers when either record is unknown is NOT
   * SOURCED for this single call; the fake answers 400 VALIDATION_ERROR with the batch
   * endpoint's message (see associateBatch).
   */
  private associateOne(fromType: HubSpotObjectType, fromId: string, toType: HubSpotObjectType, toId: string) {
    if (!this.associate(fromType, fromId, toType, toId))
      throw this.error(
        400,
        'VALIDATION_ERROR',
        `No ${fromType} or ${toType} with ID(s) ${this.objects[fromType].has(fromId) ? toId : fromId}`,
      );
    const typeIds: Record<string, number> = {
      'emails>contacts': 198,
      'emails>companies': 186,
      'emails>deals': 210,
    };
    const at = this.iso();
    return {
      status: 'COMPLETE',
      results: [
        {
          associationSpec: {
            associationCategory: 'HUBSPOT_DEFINED',
            associationTypeId: typeIds[`${fromType}>${toType}`] ?? 0,
          },
          from: { id: fromId },
          to: { id: toId },
        },
      ],
      startedAt: at,
      completedAt: at,
    };
  }

  /**
   * DELETE /crm/v4/objects/{type}/{id}/associations/{toType}/{toId}: "deletes all associations
   * between two records" (HubSpot/hubspot-api-nodejs codegen/crm/associations/v4/apis/BasicApi.ts,
   * `archive`, no answer body: 204). Two records with no association between them: NOT SOURCED,
   * 204 here; an unknown record: NOT SOURCED, 404 OBJECT_NOT_FOUND like a read.
   */
  private dissociate(fromType: HubSpotObjectType, fromId: string, toType: HubSpotObjectType, toId: string) {
    const from = this.objects[fromType].get(fromId);
    if (!from) throw this.error(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.');
    from.associations[toType]?.delete(toId);
    this.objects[toType].get(toId)?.associations[fromType]?.delete(fromId);
    return undefined;
  }

  private associateBatch(
    fromType: HubSpotObjectType,
    toType: HubSpotObjectType,
    body: unknown,
  ): [number, unknown] {
    const inputs = this.inputs(body);
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const input of inputs) {
      const from = String((input.from as { id?: unknown } | undefined)?.id ?? '');
      const to = String((input.to as { id?: unknown } | undefined)?.id ?? '');
      if (!this.associate(fromType, from, toType, to)) {
        missing.push(this.objects[fromType].has(from) ? to : from);
        continue;
      }
      results.push({
        fromObjectTypeId: OBJECT_TYPE_IDS[fromType],
        fromObjectId: Number(from),
        toObjectTypeId: OBJECT_TYPE_IDS[toType],
        toObjectId: Number(to),
        labels: [],
      });
    }
    const errors =
      missing.length > 0
        ? [
            {
              status: 'error',
              category: 'VALIDATION_ERROR',
              subCategory: 'crm.associations.INVALID_OBJECT_IDS',
              message: `No ${fromType} or ${toType} with ID(s) ${missing.join(', ')}`,
              context: { ids: missing },
            },
          ]
        : [];
    return this.batchAnswer(results, errors);
  }
}
