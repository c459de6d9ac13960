import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  closeServerNow,
  createFakeServer,
  type JsonSend,
  jsonSender,
  type LoopbackServerOptions,
  listenOnLoopback,
} from './loopbackServer';
import { conditionFields, matchesSoql, parseSoql, SoqlSyntaxError } from './soqlSubset';

/**
 * A local Salesforce org (instance + login host) for the calls the Salesforce connector
 * makes, strict where Salesforce is strict. Shapes, each from its public source:
 *
 * - Errors are a JSON array `[{ message, errorCode, fields? }]`
 *   (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm):
 *   401 INVALID_SESSION_ID "Session expired or invalid", 403 REQUEST_LIMIT_EXCEEDED
 *   "TotalRequests Limit exceeded.", 400 MALFORMED_QUERY / INVALID_FIELD, 404 NOT_FOUND.
 * - Query: GET /services/data/vXX.X/query?q= answers `{ totalSize, done, records }`, each
 *   record with `attributes: { type, url }` (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm);
 *   datetimes as `2024-01-31T10:00:00.000+0000`, numbers and booleans as JSON numbers and
 *   booleans (jsforce/jsforce test/query.test.ts reads them so). SOQL subset in soqlSubset.ts.
 * - Create: POST /sobjects/{Type} -> 201 `{ id, success, errors }`
 *   (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_create.htm);
 *   Contact needs LastName (REQUIRED_FIELD_MISSING with `fields`).
 * - sObject Collections: POST /composite/sobjects (create) and PATCH
 *   /composite/sobjects/{Type}/{ExternalIdField} (upsert, result `created`), at most 200
 *   records, `allOrNone` rolling back the whole request on any failure
 *   (https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-create.html).
 *   The error code for more than 200 records is not in those pages; this fake answers 400
 *   EXCEEDED_ID_LIMIT (an assumption, stated in the report).
 * - Describe: GET /sobjects/{Type}/describe with `createable` and `fields[]` (`name`,
 *   `externalId`, `unique`) (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_describe.htm).
 * - OAuth 2.0 web-server flow with PKCE: POST /services/oauth2/token with
 *   authorization_code + code_verifier (S256) or refresh_token, answering `access_token`,
 *   `refresh_token` (code grant only), `instance_url`, `id`, `issued_at`, `token_type`;
 *   errors `{ error: 'invalid_grant', error_description }`
 *   (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm).
 *   GET /services/oauth2/userinfo answers `user_id`, `organization_id`, `name`, `email`.
 * - Enhanced Email: EmailMessage (MessageIdentifier, Incoming, Status '3' = sent, ToAddress
 *   and CcAddress as `;`-separated lists) and EmailMessageRelation (EmailMessageId,
 *   RelationId, RelationType) (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_emailmessage.htm,
 *   .../sforce_api_objects_emailmessagerelation.htm). With `enhancedEmail: false`
 *   EmailMessage is not createable (describe says so, creates fail with INVALID_TYPE).
 */

export type SalesforceObject =
  | 'User'
  | 'Organization'
  | 'Contact'
  | 'Lead'
  | 'Account'
  | 'Opportunity'
  | 'Task'
  | 'EmailMessage'
  | 'EmailMessageRelation';

const FIELDS: Record<SalesforceObject, string[]> = {
  User: ['Id', 'Name', 'Email', 'Username'],
  Organization: ['Id', 'Name'],
  Contact: [
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
  ],
  Lead: [
    'Id',
    'FirstName',
    'LastName',
    'Name',
    'Email',
    'Title',
    'Phone',
    'Company',
    'Status',
    'IsConverted',
    'OwnerId',
    'CreatedDate',
    'LastModifiedDate',
  ],
  Account: ['Id', 'Name', 'Website', 'OwnerId'],
  Opportunity: ['Id', 'Name', 'StageName', 'Amount', 'CloseDate', 'AccountId', 'IsClosed'],
  Task: [
    'Id',
    'Subject',
    'Description',
    'Status',
    'Priority',
    'ActivityDate',
    'WhoId',
    'WhatId',
    'OwnerId',
    'TaskSubtype',
    'CreatedDate',
    'CreatedById',
  ],
  EmailMessage: [
    'Id',
    'Subject',
    'TextBody',
    'HtmlBody',
    'FromAddress',
    'FromName',
    'ToAddress',
    'CcAddress',
    'MessageDate',
    'Incoming',
    'Status',
    'MessageIdentifier',
    'ThreadIdentifier',
    'RelatedToId',
    'CreatedById',
    'CreatedDate',
  ],
  EmailMessageRelation: [
    'Id',
    'EmailMessageId',
    'RelationId',
    'RelationType',
    'RelationAddress',
    'CreatedDate',
  ],
};
const ID_PREFIX: Record<SalesforceObject, string> = {
  User: '005',
  Organization: '00D',
  Contact: '003',
  Lead: '00Q',
  Account: '001',
  Opportunity: '006',
  Task: '00T',
  EmailMessage: '02s',
  EmailMessageRelation: '0EA',
};
const SYSTEM_FIELDS = new Set(['Id', 'Name', 'CreatedDate', 'LastModifiedDate', 'CreatedById', 'IsClosed']);
const MAX_COLLECTION = 200;

export type SalesforceRecord = Record<string, string | number | boolean | null> & { Id: string };

export interface FakeSalesforceUser {
  id: string;
  name: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

class SalesforceHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(JSON.stringify(body));
  }
}

const sfError = (status: number, errorCode: string, message: string, fields: string[] = []) =>
  new SalesforceHttpError(status, [{ message, errorCode, fields }]);

/** Salesforce's datetime format: milliseconds and a +0000 offset without a colon. */
function sfDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export interface FakeSalesforceOptions extends LoopbackServerOptions {
  apiVersion?: string;
  /** Enhanced Email on (EmailMessage createable); default true. */
  enhancedEmail?: boolean;
  /** External ID + unique custom fields the admin added: e.g. `{ Task: 'CrmSidebar_Log_Key__c' }`. */
  externalIdFields?: Partial<Record<SalesforceObject, string>>;
  /** API requests the org allows in all (REQUEST_LIMIT_EXCEEDED after). */
  requestLimit?: number;
  now?: () => number;
  clientId?: string;
  /**
   * The org's instance URL as the token answer names it (`instance_url`); default this
   * fake's own URL. An end-to-end run maps a My Domain host (https://x.my.salesforce.com) here.
   */
  instanceUrl?: string;
  /**
   * Records per query answer (default 2,000, the REST API's most per synchronous request:
   * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.md). Past
   * it the answer has `done: false` and a `nextRecordsUrl` query locator for the rest.
   */
  queryBatchSize?: number;
}

export class FakeSalesforceApi {
  readonly records: Record<SalesforceObject, Map<string, SalesforceRecord>> = {
    User: new Map(),
    Organization: new Map(),
    Contact: new Map(),
    Lead: new Map(),
    Account: new Map(),
    Opportunity: new Map(),
    Task: new Map(),
    EmailMessage: new Map(),
    EmailMessageRelation: new Map(),
  };
  readonly requests: string[] = [];
  readonly counters = { byStatus: {} as Record<number, number> };
  readonly apiVersion: string;
  readonly clientId: string;
  readonly org: SalesforceRecord;
  url = '';
  private readonly users = new Map<string, FakeSalesforceUser>();
  private readonly codes = new Map<
    string,
    { user: FakeSalesforceUser; challenge: string; redirectUri: string }
  >();
  private readonly expired = new Set<string>();
  /** The connected app's Callback URLs, and who signs in on the authorize page. */
  private readonly callbackUrls = new Set<string>();
  private consentingUser: FakeSalesforceUser | null = null;
  private readonly fields: Record<SalesforceObject, string[]>;
  private server: Server | null = null;
  private nextId = 1;
  private apiRequests = 0;
  /** Rows still to be read through a query locator (Query More Results). */
  private readonly locators = new Map<string, Record<string, unknown>[]>();
  private readonly now: () => number;
  /** Ids deleted through the API (ENTITY_IS_DELETED on a second delete or update). */
  private readonly deleted = new Set<string>();
  private readonly restricted = new Set<string>();
  private readonly admins = new Set<string>();

  constructor(private readonly options: FakeSalesforceOptions = {}) {
    this.apiVersion = options.apiVersion ?? 'v62.0';
    this.clientId = options.clientId ?? '3MVG9-fake-consumer-key';
    this.now = options.now ?? Date.now;
    this.fields = structuredClone(FIELDS);
    for (const [object, field] of Object.entries(options.externalIdFields ?? {}) as [
      SalesforceObject,
      string,
    ][])
      this.fields[object].push(field);
    this.org = this.insert('Organization', { Name: 'Northwind Trading' });
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

  // ---- Seeding ----

  addUser(input: { name: string; email: string }): FakeSalesforceUser {
    const record = this.insert('User', { Name: input.name, Email: input.email, Username: input.email });
    const user: FakeSalesforceUser = {
      id: record.Id,
      name: input.name,
      email: input.email,
      accessToken: `00D!${randomUUID()}`,
      refreshToken: `5Aep${randomUUID()}`,
    };
    this.users.set(user.accessToken, user);
    return user;
  }

  add(object: SalesforceObject, fields: Record<string, string | number | boolean | null>): SalesforceRecord {
    return this.insert(object, fields);
  }

  /** The access token stops working (session timeout); the refresh token still works. */
  expireSession(user: FakeSalesforceUser): void {
    this.expired.add(user.accessToken);
  }

  /**
   * What the admin and the rep do on Salesforce's side for a browser sign-in: the connected
   * app's Callback URL, and the user who signs in and allows access on the authorize page.
   */
  allowBrowserSignIn(callbackUrl: string, user: FakeSalesforceUser): void {
    this.callbackUrls.add(callbackUrl);
    this.consentingUser = user;
  }

  /** A handler for a server of the caller's (an end-to-end host router), same as start() serves. */
  get requestHandler(): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
    return (req, res) => this.handle(req, res);
  }

  /** An authorization code as the login page would hand out after consent (PKCE S256). */
  issueCode(user: FakeSalesforceUser, codeChallenge: string, redirectUri: string): string {
    const code = `aPrx${randomUUID()}`;
    this.codes.set(code, { user, challenge: codeChallenge, redirectUri });
    return code;
  }

  // ---- Store ----

  private id(object: SalesforceObject): string {
    return `${ID_PREFIX[object]}${String(this.nextId++).padStart(12, '0')}AAA`;
  }

  private insert(
    object: SalesforceObject,
    fields: Record<string, string | number | boolean | null>,
  ): SalesforceRecord {
    const at = sfDateTime(this.now());
    const record: SalesforceRecord = { ...fields, Id: this.id(object), CreatedDate: at };
    if (object === 'Contact' || object === 'Lead') {
      record.Name = [fields.FirstName, fields.LastName].filter(Boolean).join(' ');
      record.LastModifiedDate = at;
      if (typeof record.Email === 'string') record.Email = record.Email.toLowerCase();
    }
    if (object === 'Opportunity') record.IsClosed = /^Closed/.test(String(fields.StageName ?? ''));
    this.records[object].set(record.Id, record);
    return record;
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send: JsonSend = jsonSender(res, this.counters.byStatus, 'application/json;charset=UTF-8');
    const url = new URL(req.url ?? '/', 'http://fake.salesforce');
    const method = req.method ?? 'GET';
    this.requests.push(
      `${method} ${url.pathname}${url.pathname.endsWith('/query') ? ` ${url.searchParams.get('q')}` : ''}`,
    );
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    // URI and headers together are limited to 16,384 bytes; a longer URI answers 414
    // (help.salesforce.com/s/articleView?id=000386264). The body of that answer is not
    // published; this fake sends Salesforce's error-array shape.
    if (Buffer.byteLength(req.url ?? '') > 16_384) {
      send(414, [{ message: 'URI Too Long', errorCode: 'URI_TOO_LONG' }]);
      return;
    }
    try {
      if (url.pathname === '/services/oauth2/authorize' && method === 'GET') {
        this.authorize(url, res);
        return;
      }
      if (url.pathname === '/services/oauth2/token' && method === 'POST') {
        const [status, body] = this.token(new URLSearchParams(text));
        send(status, body);
        return;
      }
      const user = this.authenticate(req);
      if (url.pathname === '/services/oauth2/userinfo')
        return send(200, {
          sub: `https://login.salesforce.com/id/${this.org.Id}/${user.id}`,
          user_id: user.id,
          organization_id: this.org.Id,
          name: user.name,
          email: user.email,
          preferred_username: user.email,
        });
      const prefix = `/services/data/${this.apiVersion}/`;
      if (!url.pathname.startsWith(prefix))
        throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
      this.apiRequests += 1;
      if (this.options.requestLimit !== undefined && this.apiRequests > this.options.requestLimit)
        throw sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
      let body: unknown;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          throw sfError(400, 'JSON_PARSER_ERROR', 'Unexpected character in the request body');
        }
      }
      const [status, answer] = this.route(
        user,
        method,
        url.pathname.slice(prefix.length).split('/'),
        url,
        body,
      );
      send(status, answer);
    } catch (error) {
      if (error instanceof SalesforceHttpError) return send(error.status, error.body);
      send(500, [
        { message: error instanceof Error ? error.message : String(error), errorCode: 'UNKNOWN_EXCEPTION' },
      ]);
    }
  }

  private authenticate(req: IncomingMessage): FakeSalesforceUser {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const user = this.users.get(token);
    if (!user || this.expired.has(token))
      throw sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    return user;
  }

  /**
   * The authorize page of the web-server flow
   * (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm):
   * `response_type=code`, `client_id`, `redirect_uri` (one of the app's Callback URLs),
   * `code_challenge` (PKCE), `state`; after the user allows access, a 302 to
   * `redirect_uri?code=…&state=…` (that page's example). A redirect_uri the app does not list
   * is answered on Salesforce's own page with `error=redirect_uri_mismatch&error_description=
   * redirect_uri%20must%20match%20configuration` (as quoted in
   * petewarden/salesforce_restphp_example#1); the page's markup is not sourced, so this fake
   * answers 400 with that text. The login form itself is skipped: the user given to
   * allowBrowserSignIn signs in at once (what lets identity.launchWebAuthFlow finish headless).
   */
  private authorize(url: URL, res: ServerResponse): void {
    const [status, headers, body] = this.authorizeAnswer(url.searchParams);
    this.counters.byStatus[status] = (this.counters.byStatus[status] ?? 0) + 1;
    res.writeHead(status, headers).end(body);
  }

  private authorizeAnswer(q: URLSearchParams): [number, Record<string, string>, string] {
    const page = (error: string, description: string): [number, Record<string, string>, string] => [
      400,
      { 'content-type': 'text/html;charset=UTF-8' },
      `<!doctype html><title>Error</title><p>error=${error}&amp;error_description=${encodeURIComponent(description)}</p>`,
    ];
    const redirectUri = q.get('redirect_uri') ?? '';
    if (q.get('client_id') !== this.clientId) return page('invalid_client_id', 'client identifier invalid');
    if (!this.callbackUrls.has(redirectUri))
      return page('redirect_uri_mismatch', 'redirect_uri must match configuration');
    const back = new URL(redirectUri);
    const redirect = (params: Record<string, string>): [number, Record<string, string>, string] => {
      for (const [k, v] of Object.entries(params)) back.searchParams.set(k, v);
      if (q.get('state')) back.searchParams.set('state', q.get('state')!);
      return [302, { location: back.href }, ''];
    };
    if (q.get('response_type') !== 'code')
      return redirect({
        error: 'unsupported_response_type',
        error_description: 'response type not supported',
      });
    const challenge = q.get('code_challenge') ?? '';
    if (!challenge)
      return redirect({ error: 'invalid_request', error_description: 'missing required code challenge' });
    if (!this.consentingUser)
      return redirect({ error: 'access_denied', error_description: 'end-user denied authorization' });
    return redirect({ code: this.issueCode(this.consentingUser, challenge, redirectUri) });
  }

  private token(form: URLSearchParams): [number, unknown] {
    const grant = form.get('grant_type');
    const invalid = (description: string): [number, unknown] => [
      400,
      { error: 'invalid_grant', error_description: description },
    ];
    if (form.get('client_id') !== this.clientId)
      return [400, { error: 'invalid_client_id', error_description: 'client identifier invalid' }];
    let user: FakeSalesforceUser | undefined;
    if (grant === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      if (!code) return invalid('invalid authorization code');
      this.codes.delete(form.get('code') ?? '');
      if (code.redirectUri !== form.get('redirect_uri'))
        return invalid('redirect_uri must match configuration');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!verifier || challenge !== code.challenge) return invalid('invalid code verifier');
      user = code.user;
    } else if (grant === 'refresh_token') {
      user = [...this.users.values()].find((u) => u.refreshToken === form.get('refresh_token'));
      if (!user) return invalid('expired access/refresh token');
      // A new access token; the old one stops working.
      this.users.delete(user.accessToken);
      user.accessToken = `00D!${randomUUID()}`;
      this.users.set(user.accessToken, user);
    } else return [400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' }];
    return [
      200,
      {
        access_token: user.accessToken,
        ...(grant === 'authorization_code' ? { refresh_token: user.refreshToken } : {}),
        signature: randomUUID(),
        scope: 'refresh_token api',
        instance_url: this.options.instanceUrl ?? this.url,
        id: `https://login.salesforce.com/id/${this.org.Id}/${user.id}`,
        token_type: 'Bearer',
        issued_at: String(this.now()),
      },
    ];
  }

  private objectName(name: string | undefined): SalesforceObject {
    const object = (Object.keys(FIELDS) as SalesforceObject[]).find((o) => o === name);
    if (!object)
      throw sfError(
        404,
        'NOT_FOUND',
        `The requested resource does not exist: sObject type '${name}' is not supported.`,
      );
    return object;
  }

  private route(
    user: FakeSalesforceUser,
    method: string,
    parts: string[],
    url: URL,
    body: unknown,
  ): [number, unknown] {
    if (method === 'GET' && parts[0] === 'query' && parts.length === 1)
      return [200, this.page(this.query(url.searchParams.get('q') ?? ''), 0, null)];
    if (method === 'GET' && parts[0] === 'query' && parts.length === 2) return this.queryMore(parts[1] ?? '');
    if (parts[0] === 'sobjects') {
      const object = this.objectName(parts[1]);
      if (method === 'GET' && parts[2] === 'describe') return [200, this.describe(object)];
      if (method === 'POST' && parts.length === 2) {
        const saved = this.save(user, object, body as Record<string, unknown>);
        if (!saved.success)
          throw new SalesforceHttpError(
            400,
            saved.errors.map(({ statusCode, ...e }) => ({ ...e, errorCode: statusCode })),
          );
        return [201, saved];
      }
      if ((method === 'PATCH' || method === 'DELETE') && parts.length === 3)
        return this.changeRecord(user, method, object, parts[2] ?? '', body as Record<string, unknown>);
    }
    if (parts[0] === 'composite' && parts[1] === 'sobjects') {
      const request = (body ?? {}) as { allOrNone?: boolean; records?: Record<string, unknown>[] };
      if (!Array.isArray(request.records)) throw sfError(400, 'JSON_PARSER_ERROR', 'records is required');
      if (request.records.length > MAX_COLLECTION)
        throw sfError(
          400,
          'EXCEEDED_ID_LIMIT',
          `record limit reached. cannot submit more than ${MAX_COLLECTION} records into this call`,
        );
      if (method === 'POST' && parts.length === 2) return [200, this.collection(user, request, null)];
      if (method === 'PATCH' && parts.length === 4)
        return [200, this.collection(user, request, { object: this.objectName(parts[2]), field: parts[3]! })];
    }
    throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
  }

  private describe(object: SalesforceObject) {
    const externalField = this.options.externalIdFields?.[object];
    return {
      name: object,
      createable:
        object !== 'EmailMessage' && object !== 'EmailMessageRelation'
          ? true
          : this.options.enhancedEmail !== false,
      fields: this.fields[object].map((name) => ({
        name,
        type: name === 'Id' ? 'id' : 'string',
        externalId: name === externalField,
        unique: name === externalField,
        createable: !SYSTEM_FIELDS.has(name),
      })),
    };
  }

  /**
   * One batch of a query's rows, and the locator for the next
   * (`/services/data/vXX.X/query/<locator>-<offset>`, as in the example of
   * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.md; read with
   * "Query More Results", https://developer.salesforce.com/docs/platform/api-rest/guide/dome-query.html).
   */
  private page(
    result: { totalSize: number; records: Record<string, unknown>[] },
    offset: number,
    locator: string | null,
  ) {
    const size = this.options.queryBatchSize ?? 2000;
    const records = result.records.slice(offset, offset + size);
    const next = offset + records.length;
    if (next >= result.records.length) {
      if (locator) this.locators.delete(locator);
      return { totalSize: result.totalSize, done: true, records };
    }
    const id = locator ?? `01gFAKE${String(this.locators.size + 1).padStart(11, '0')}`;
    this.locators.set(id, result.records);
    return {
      totalSize: result.totalSize,
      done: false,
      nextRecordsUrl: `/services/data/${this.apiVersion}/query/${id}-${next}`,
      records,
    };
  }

  private queryMore(locatorAndOffset: string): [number, unknown] {
    const match = /^(.+)-(\d+)$/.exec(locatorAndOffset);
    const rows = match ? this.locators.get(match[1] ?? '') : undefined;
    // An unknown or spent locator: INVALID_QUERY_LOCATOR (the code Salesforce names in
    // https://help.salesforce.com/s/articleView?id=000323582); its status and text are not
    // published, so 400 and the message here are ours.
    if (!match || !rows) throw sfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return [200, this.page({ totalSize: rows.length, records: rows }, Number(match[2]), match[1] ?? null)];
  }

  private query(q: string) {
    let parsed: ReturnType<typeof parseSoql>;
    try {
      parsed = parseSoql(q);
    } catch (error) {
      if (error instanceof SoqlSyntaxError)
        throw sfError(400, 'MALFORMED_QUERY', `unexpected token: ${error.message}`);
      throw error;
    }
    const object = this.objectName(parsed.object);
    const known = new Set(this.fields[object].map((f) => f.toLowerCase()));
    for (const field of [
      ...parsed.fields,
      ...conditionFields(parsed.where),
      ...(parsed.orderBy ? [parsed.orderBy.field] : []),
    ])
      if (!known.has(field.toLowerCase()))
        throw sfError(
          400,
          'INVALID_FIELD',
          `No such column '${field}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`,
        );
    for (const field of conditionFields(parsed.where))
      if (/^(Description|TextBody|HtmlBody)$/i.test(field))
        throw sfError(400, 'INVALID_FIELD', `field '${field}' can not be filtered in a query call`);
    let rows = [...this.records[object].values()].filter((r) => matchesSoql(r, parsed.where));
    if (parsed.orderBy) {
      const { field, descending } = parsed.orderBy;
      rows = rows.sort(
        (a, b) => (descending ? -1 : 1) * String(a[field] ?? '').localeCompare(String(b[field] ?? '')),
      );
    }
    if (parsed.limit !== null) rows = rows.slice(0, parsed.limit);
    const get = (r: SalesforceRecord, name: string) => {
      const key = Object.keys(r).find((k) => k.toLowerCase() === name.toLowerCase());
      return key === undefined ? null : r[key];
    };
    return {
      totalSize: rows.length,
      done: true,
      records: rows.map((r) => ({
        attributes: { type: object, url: `/services/data/${this.apiVersion}/sobjects/${object}/${r.Id}` },
        ...Object.fromEntries(parsed.fields.map((f) => [f, get(r, f) ?? null])),
      })),
    };
  }

  /** Validates and stores one record; a SaveResult as Salesforce returns it. */
  private save(
    user: FakeSalesforceUser,
    object: SalesforceObject,
    input: Record<string, unknown> | undefined,
    upsert?: { field: string },
  ): {
    id?: string;
    success: boolean;
    errors: { statusCode: string; message: string; fields: string[] }[];
    created?: boolean;
  } {
    const fail = (statusCode: string, message: string, fields: string[] = []) => ({
      success: false,
      errors: [{ statusCode, message, fields }],
    });
    if (
      (object === 'EmailMessage' || object === 'EmailMessageRelation') &&
      this.options.enhancedEmail === false
    )
      return fail('INVALID_TYPE', `sObject type '${object}' is not supported. Turn on Enhanced Email.`);
    const values: Record<string, string | number | boolean | null> = {};
    for (const [name, value] of Object.entries(input ?? {})) {
      if (name === 'attributes') continue;
      if (!this.fields[object].includes(name))
        return fail('INVALID_FIELD', `No such column '${name}' on sobject of type ${object}`, [name]);
      if (SYSTEM_FIELDS.has(name))
        return fail('INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${name}.`, [name]);
      if (value !== null && typeof value === 'object')
        return fail('INVALID_TYPE_ON_FIELD_IN_RECORD', `${name}: value not of required type`, [name]);
      values[name] = value as string | number | boolean | null;
    }
    if ((object === 'Contact' || object === 'Lead') && !values.LastName)
      return fail('REQUIRED_FIELD_MISSING', 'Required fields are missing: [LastName]', ['LastName']);
    for (const ref of ['WhoId', 'WhatId', 'AccountId', 'EmailMessageId', 'RelationId'])
      if (typeof values[ref] === 'string' && !this.exists(values[ref] as string))
        return fail('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [ref]);
    if (object === 'Task') {
      values.Status ??= 'Not Started';
      values.Priority ??= 'Normal';
      values.OwnerId ??= user.id;
    }
    if (upsert) {
      const key = values[upsert.field];
      if (typeof key !== 'string' || key === '')
        return fail('MISSING_ARGUMENT', `${upsert.field} not specified`, [upsert.field]);
      const existing = [...this.records[object].values()].find((r) => r[upsert.field] === key);
      if (existing) {
        Object.assign(existing, values);
        return { id: existing.Id, success: true, errors: [], created: false };
      }
    }
    const record = this.insert(object, {
      ...values,
      ...(object === 'Task' || object === 'EmailMessage' ? { CreatedById: user.id } : {}),
    });
    return { id: record.Id, success: true, errors: [], ...(upsert ? { created: true } : {}) };
  }

  /**
   * PATCH or DELETE /sobjects/{Type}/{id}: 204 No Content
   * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_update_fields.htm,
   * .../dome_delete_record.htm). Refusals:
   * - an id never seen: 404 NOT_FOUND (errorcodes.htm: 404 "The requested resource couldn't be found");
   * - a record deleted before: ENTITY_IS_DELETED "entity is deleted" (the code is in the
   *   API's StatusCode list, https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm;
   *   the REST status for it is not published: 404 here, an assumption);
   * - a record the user may not edit (sharing, `restrictChanges`): INSUFFICIENT_ACCESS_OR_READONLY
   *   "insufficient access rights on object id" (message as quoted in
   *   SalesforceFoundation/NPSP#2960); errorcodes.htm gives 403 for "The request has been
   *   refused. Verify that the logged-in user has appropriate permissions";
   * - a sent EmailMessage (Status not '5', Draft): only IsExternallyVisible and custom fields
   *   can be updated (sforce_api_objects_emailmessage.htm, Special Access Rules); the error
   *   code for other fields is not published: 400 INVALID_FIELD_FOR_INSERT_UPDATE here, an assumption;
   * - EmailMessageRelation: only RelationId and DeliveryResponse have the Update property
   *   (sforce_api_objects_emailmessagerelation.htm).
   * Deleting an EmailMessage deletes its relations.
   */
  private changeRecord(
    user: FakeSalesforceUser,
    method: 'PATCH' | 'DELETE',
    object: SalesforceObject,
    id: string,
    body: Record<string, unknown> | undefined,
  ): [number, unknown] {
    if (this.deleted.has(id)) throw sfError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    const record = this.records[object].get(id);
    if (!record) throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (this.restricted.has(id) && !this.admins.has(user.id))
      throw sfError(403, 'INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id');
    if (method === 'DELETE') {
      this.records[object].delete(id);
      this.deleted.add(id);
      if (object === 'EmailMessage')
        for (const [relationId, r] of this.records.EmailMessageRelation)
          if (r.EmailMessageId === id) {
            this.records.EmailMessageRelation.delete(relationId);
            this.deleted.add(relationId);
          }
      return [204, undefined];
    }
    const values: Record<string, string | number | boolean | null> = {};
    for (const [name, value] of Object.entries(body ?? {})) {
      if (name === 'attributes') continue;
      if (!this.fields[object].includes(name))
        throw sfError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${object}`, [name]);
      const updateable =
        !SYSTEM_FIELDS.has(name) &&
        (object !== 'EmailMessage' ||
          record.Status === '5' ||
          name.endsWith('__c') ||
          name === 'IsExternallyVisible') &&
        (object !== 'EmailMessageRelation' || name === 'RelationId' || name === 'DeliveryResponse') &&
        name !== 'EmailMessageId';
      if (!updateable)
        throw sfError(
          400,
          'INVALID_FIELD_FOR_INSERT_UPDATE',
          `Unable to create/update fields: ${name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
          [name],
        );
      if (value !== null && typeof value === 'object')
        throw sfError(400, 'INVALID_TYPE_ON_FIELD_IN_RECORD', `${name}: value not of required type`, [name]);
      values[name] = value as string | number | boolean | null;
    }
    for (const ref of ['WhoId', 'WhatId', 'RelationId'])
      if (typeof values[ref] === 'string' && !this.exists(values[ref] as string))
        throw sfError(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [ref]);
    const externalField = this.options.externalIdFields?.[object];
    if (
      externalField &&
      typeof values[externalField] === 'string' &&
      [...this.records[object].values()].some(
        (r) => r.Id !== id && r[externalField] === values[externalField],
      )
    )
      throw sfError(
        400,
        'DUPLICATE_VALUE',
        `duplicate value found: ${externalField} duplicates value on record with id`,
        [externalField],
      );
    Object.assign(record, values);
    return [204, undefined];
  }

  /** Sharing: the rep may not edit or delete this record (an admin still may). */
  restrictChanges(id: string): void {
    this.restricted.add(id);
  }

  /** A user with "Modify All Data": sharing does not stop them. */
  makeAdmin(user: FakeSalesforceUser): void {
    this.admins.add(user.id);
  }

  private exists(id: string): boolean {
    return Object.values(this.records).some((m) => m.has(id));
  }

  private collection(
    user: FakeSalesforceUser,
    request: { allOrNone?: boolean; records?: Record<string, unknown>[] },
    upsert: { object: SalesforceObject; field: string } | null,
  ) {
    if (upsert && this.options.externalIdFields?.[upsert.object] !== upsert.field)
      throw sfError(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${upsert.field}`,
      );
    const snapshot = request.allOrNone ? structuredClone(this.records) : null;
    const idBefore = this.nextId;
    const results = (request.records ?? []).map((record) => {
      const type = (record.attributes as { type?: string } | undefined)?.type;
      if (!type)
        return {
          success: false,
          errors: [{ statusCode: 'INVALID_TYPE', message: 'Must specify a type in attributes', fields: [] }],
        };
      const object = this.objectName(type);
      return this.save(user, object, record, upsert ? { field: upsert.field } : undefined);
    });
    if (snapshot && results.some((r) => !r.success)) {
      for (const key of Object.keys(snapshot) as SalesforceObject[]) this.records[key] = snapshot[key];
      this.nextId = idBefore;
      return results.map((r) =>
        r.success
          ? {
              success: false,
              errors: [
                {
                  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                  message:
                    'Record rolled back because not all records were valid and the request was using AllOrNone header',
                  fields: [],
                },
              ],
            }
          : r,
      );
    }
    return results;
  }
}
