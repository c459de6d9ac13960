import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import { getMultipartBoundary, parseMultipart } from '@remix-run/multipart-parser';
import { mulberry32 } from '../../lib/random/mulberry32';
import { FaultPlan, type RandomFaults } from './FaultPlan';
import { fakePerson, pickWith } from './fakePeople';
import {
  checkGmailRequest,
  GMAIL_DISCOVERY,
  type GmailMethodId,
  googleError,
  responseSchema,
  schemaViolations,
} from './gmail/gmailDiscovery';
import {
  closeServerNow,
  createFakeServer,
  type JsonSend,
  type LoopbackServerOptions,
  listenOnLoopback,
} from './loopbackServer';

/**
 * A local Gmail API v1 that follows the published request and response shapes for the calls
 * the sync makes: users.getProfile, users.history.list, users.messages.list and
 * users.messages.get (minimal / metadata / full), and users.threads.get the side panel makes;
 * Google's error envelope, per-user quota (250 units per second over any 1-second window; 429
 * RESOURCE_EXHAUSTED naming the time to come back, see userRateLimitBody), 404 for an expired startHistoryId, 401 for a bad or
 * expired token, 403 for `q` with the gmail.metadata scope.
 *
 * Start it standalone (`await fake.start()` -> base URL) or mount `fake.handle` behind the e2e
 * harness's host-routed HTTPS server. Seed with `seedSentMessages` / `seedInboxMessages` /
 * `sendMessage`; inject faults with `enqueueFault` (scripted) or `setRandomFaults`
 * (probability); read `counters` in assertions.
 */

export const GMAIL_SCOPE_READONLY = 'https://www.googleapis.com/auth/gmail.readonly';
export const GMAIL_SCOPE_METADATA = 'https://www.googleapis.com/auth/gmail.metadata';

export type GmailMethod =
  | 'getProfile'
  | 'historyList'
  | 'messagesList'
  | 'messagesGet'
  | 'labelsList'
  | 'labelsCreate'
  | 'messagesBatchModify'
  | 'threadsGet';
/** A fault's target: an API method, or `batch` for the batch request as a whole. */
export type GmailFaultTarget = GmailMethod | 'batch';

const METHOD_BY_ID: Record<GmailMethodId, GmailMethod> = {
  'gmail.users.getProfile': 'getProfile',
  'gmail.users.history.list': 'historyList',
  'gmail.users.messages.list': 'messagesList',
  'gmail.users.messages.get': 'messagesGet',
  'gmail.users.labels.list': 'labelsList',
  'gmail.users.labels.create': 'labelsCreate',
  'gmail.users.messages.batchModify': 'messagesBatchModify',
  'gmail.users.threads.get': 'threadsGet',
};

/** "You're limited to 100 calls in a single batch request" (developers.google.com/gmail/api/guides/batch). */
export const GMAIL_BATCH_CALL_LIMIT = 100;

const JSON_TYPE = 'application/json; charset=UTF-8';

interface FakeGmailRequest {
  method: string;
  url: URL;
  authorization: string | undefined;
  /** The JSON body of a POST. */
  body?: string;
}

interface FakeGmailAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** Published quota costs (https://developers.google.com/gmail/api/reference/quota). */
export const FAKE_GMAIL_COSTS: Record<GmailMethod, number> = {
  getProfile: 1,
  historyList: 2,
  messagesList: 5,
  messagesGet: 5,
  labelsList: 1,
  labelsCreate: 5,
  messagesBatchModify: 50,
  threadsGet: 10,
};

export interface FakeGmailHeader {
  name: string;
  value: string;
}

export interface FakeGmailMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  /** Epoch ms. */
  internalDate: number;
  historyId: number;
  snippet: string;
  mimeType: string;
  headers: FakeGmailHeader[];
  hasAttachment: boolean;
  sizeEstimate: number;
}

interface HistoryRecord {
  id: number;
  message: { id: string; threadId: string; labelIds: string[] };
}

interface FakeMailbox {
  email: string;
  messages: Map<string, FakeGmailMessage>;
  history: HistoryRecord[];
  historyId: number;
  /** history.list with a startHistoryId below this answers 404. */
  historyFloor: number;
  /** Per-user quota log: [time, units]. */
  spent: { at: number; units: number }[];
  /** User labels (users.labels.create); system labels are SYSTEM_LABELS. */
  labels: FakeGmailLabel[];
}

export interface FakeGmailLabel {
  id: string;
  name: string;
  type: 'system' | 'user';
  labelListVisibility?: string;
  messageListVisibility?: string;
}

/**
 * System labels every mailbox has (developers.google.com/workspace/gmail/api/guides/labels,
 * "Types of labels"; system label ids equal their names). Their listVisibility values are not
 * modelled.
 */
const SYSTEM_LABELS: readonly string[] = [
  'INBOX',
  'SPAM',
  'TRASH',
  'UNREAD',
  'STARRED',
  'IMPORTANT',
  'SENT',
  'DRAFT',
  'CATEGORY_PERSONAL',
  'CATEGORY_SOCIAL',
  'CATEGORY_PROMOTIONS',
  'CATEGORY_UPDATES',
  'CATEGORY_FORUMS',
];
/** System labels a client may add or remove (same table, "Can be manually applied"). */
const APPLIABLE_SYSTEM_LABELS = new Set(SYSTEM_LABELS.filter((l) => l !== 'SENT' && l !== 'DRAFT'));

/**
 * Gmail's answer to a call whose token lacks every scope the method accepts: 403, message
 * "Request had insufficient authentication scopes.", status PERMISSION_DENIED (as quoted for
 * Gmail in googleworkspace/cli#282 "403 insufficientPermissions: Request had insufficient
 * authentication scopes." and byte for byte for a Google API in kwent/react-google-contacts#6,
 * with `www-authenticate: Bearer realm="https://accounts.google.com/", error="insufficient_scope",
 * scope="..."`), errors[0] reason insufficientPermissions with message "Insufficient Permission"
 * under domain global (googleworkspace/apps-script-oauth2#177, a Gmail API answer). The
 * `details` entry (ErrorInfo ACCESS_TOKEN_SCOPE_INSUFFICIENT) newer answers carry is not sent.
 */
function insufficientScopeAnswer(scopes: readonly string[]): {
  body: unknown;
  headers: Record<string, string>;
} {
  return {
    body: {
      error: {
        code: 403,
        message: 'Request had insufficient authentication scopes.',
        errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
        status: 'PERMISSION_DENIED',
      },
    },
    headers: {
      'www-authenticate': `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${scopes.join(' ')}"`,
    },
  };
}

interface AccessToken {
  email: string;
  scopes: string[];
  expiresAt: number;
}

export type GmailFault =
  /** A server error with Google's envelope. */
  | { kind: 'serverError'; status?: 500 | 502 | 503 }
  /** 429 rateLimitExceeded naming "Retry after" this many seconds from now (see userRateLimitBody). */
  | { kind: 'rateLimit'; retryAfterSeconds?: number }
  /**
   * 403, the per-user limit's other answer. `guide` (default): reason userRateLimitExceeded,
   * "User Rate Limit Exceeded", domain usageLimits, status PERMISSION_DENIED
   * (developers.google.com/gmail/api/guides/handle-errors, "403: User rate limit exceeded";
   * the body byte for byte as googleapis/google-api-python-client tests/test_http.py
   * USER_RATE_LIMIT_EXCEEDED_RESPONSE_WITH_STATUS). `quotaMetric`: reason rateLimitExceeded
   * under usageLimits, "Quota exceeded for quota metric 'Queries' and limit 'Queries per
   * minute per user' of service 'gmail.googleapis.com' for consumer 'project_number:N'.", as
   * quoted from real Gmail answers in mxngls/gmail-cleaner#5 and elie222/inbox-zero#480; its
   * status PERMISSION_DENIED is from a public client's fixture only (repository not named by
   * the code index). Neither sends Retry-After.
   */
  | { kind: 'userRateLimit'; form?: 'guide' | 'quotaMetric' }
  /** Hold the response this long before answering normally (a timeout when it exceeds the client's). */
  | { kind: 'delay'; ms: number }
  /** The token used by this request stops working from now on (401 until a new one is issued). */
  | { kind: 'tokenExpiry' }
  /** Every history id issued so far expires (history.list answers 404 for them). */
  | { kind: 'historyExpiry' };

export interface FakeGmailCounters {
  /** HTTP requests received (round trips): a batch is one. */
  httpRequests: number;
  /** API calls, a batch's parts each counted. */
  requests: number;
  batchRequests: number;
  batchParts: number;
  maxBatchParts: number;
  /** Calls refused because the discovery document does not allow them. */
  discoveryRejections: number;
  byMethod: Record<GmailMethod, number>;
  byStatus: Record<number, number>;
  /** 429s the quota produced (not injected ones). */
  quotaRejections: number;
  faultsInjected: number;
  unitsCharged: number;
  /** Highest units seen in any 1-second window for any user. */
  maxUnitsInWindow: number;
  /** Calls refused for want of a scope (403 insufficientPermissions). */
  scopeRejections: number;
  /** Message ids batchModify was asked to change. */
  modifiedMessages: number;
}

export interface SeedOptions {
  /** Newest message date (epoch ms); default now. */
  newest?: number;
  /** Time between consecutive messages, default 1 hour. */
  spacingMs?: number;
  /** Share of messages with automated-mail headers, default 0.05. */
  automatedRatio?: number;
  /** Share of messages without a Message-ID header, default 0.02. */
  missingMessageIdRatio?: number;
  /** Share of messages with attachments (multipart/mixed), default 0.2. */
  attachmentRatio?: number;
}

export interface FakeGmailOptions {
  quotaUnitsPerSecond?: number;
  enforceQuota?: boolean;
  /** PRNG seed for generated data and random faults. */
  seed?: number;
  now?: () => number;
}

/** Small deterministic PRNG (mulberry32) so seeded data and faults are reproducible. */
export const seededRandom = mulberry32;

const FIRST_NAMES = [
  'Ana',
  'Ben',
  'Chloé',
  'Dmitri',
  'Eve',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jon',
  'Kai',
  'Lena',
];
const LAST_NAMES = ['Okafor', 'Schmidt', 'Lefèvre', "O'Brien", 'Nakamura', 'García', 'Smith', 'Kowalski'];
const COMPANIES = [
  'acme-corp.example',
  'globex.example',
  'initech.example',
  'umbrella.example',
  'stark.example',
];
const SUBJECTS = [
  'Proposal for Q3',
  'Follow-up on our call',
  'Contract draft',
  'Pricing question',
  'Intro',
  'Invoice #',
];

function encodeToken(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeToken<T>(token: string): T | null {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as T;
  } catch {
    return null;
  }
}

/**
 * Gmail's answer at the per-user rate limit: 429 naming the moment to come back in the
 * message, e.g. `User-rate limit exceeded.  Retry after 2018-04-27T17:20:36.724Z` (two spaces;
 * quoted from real 429s in bettergov/foiamail#36 and levz0r/gmail-tester#23, with reason
 * rateLimitExceeded in taers232c/GAMADV-XTD3#337). The errors[] entry repeats the message
 * under domain usageLimits with status RESOURCE_EXHAUSTED, as in public clients' fixtures of
 * this answer (repositories not named by the code index; one other fixture has domain
 * global, and Gmail's other 429, "Resource has been exhausted (e.g. check quota).", is under
 * global: elie222/inbox-zero#379). No Retry-After header: no Gmail document mentions one for
 * this answer, and a public client reports the 429 "doesn't set an HTTP Retry-After header
 * at all" (code comment, repository not named by the index); NOT SOURCED beyond that.
 */
function userRateLimitBody(retryAt: number) {
  const message = `User-rate limit exceeded.  Retry after ${new Date(retryAt).toISOString()}`;
  return googleError(429, 'rateLimitExceeded', message, 'RESOURCE_EXHAUSTED', 'usageLimits');
}

/**
 * Gmail's body for an unknown message id, as quoted in googleapis/google-api-php-client#2058:
 * {"error":{"code":404,"message":"Requested entity was not found.","errors":[{"message":
 * "Requested entity was not found.","domain":"global","reason":"notFound"}],"status":"NOT_FOUND"}}
 */
function notFoundBody() {
  return googleError(404, 'notFound', 'Requested entity was not found.', 'NOT_FOUND');
}

/** One Message resource as messages.get (and each message of threads.get) gives it in `format`. */
function messageBody(
  message: FakeGmailMessage,
  format: string,
  wanted: readonly string[],
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: message.id,
    threadId: message.threadId,
    labelIds: message.labelIds,
    snippet: message.snippet,
    historyId: String(message.historyId),
    internalDate: String(message.internalDate),
    sizeEstimate: message.sizeEstimate,
  };
  if (format === 'metadata' || format === 'full') {
    // Exact names: Google documents header names in their usual case and nowhere says the
    // filter ignores case, so the fake takes the stricter reading (users.messages/get,
    // "metadataHeaders: When given and format is METADATA, only include headers specified").
    const headers =
      format === 'metadata' && wanted.length > 0
        ? message.headers.filter((h) => wanted.includes(h.name))
        : message.headers;
    const payload: Record<string, unknown> = {
      partId: '',
      mimeType: message.mimeType,
      filename: '',
      headers,
    };
    if (format === 'full') {
      payload.body = { size: 0 };
      payload.parts = [
        {
          partId: '0',
          mimeType: 'text/plain',
          filename: '',
          headers: [],
          body: { size: message.snippet.length },
        },
        ...(message.hasAttachment
          ? [
              {
                partId: '1',
                mimeType: 'application/pdf',
                filename: 'quote.pdf',
                headers: [],
                body: { size: 48_213, attachmentId: `att-${message.id}` },
              },
            ]
          : []),
      ];
    }
    body.payload = payload;
  }
  return body;
}

export class FakeGmailApi {
  readonly counters: FakeGmailCounters = FakeGmailApi.emptyCounters();
  /** 200 bodies of the fake that did not fit the discovery schemas (a bug of the fake). */
  readonly schemaViolations: string[] = [];
  private readonly mailboxes = new Map<string, FakeMailbox>();
  private readonly tokens = new Map<string, AccessToken>();
  private readonly faults: FaultPlan<GmailFault, GmailFaultTarget>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly quotaUnitsPerSecond: number;
  private readonly enforceQuota: boolean;
  private nextId = 0;
  private server: Server | null = null;

  constructor(options: FakeGmailOptions = {}) {
    this.random = seededRandom(options.seed ?? 1);
    this.faults = new FaultPlan(seededRandom((options.seed ?? 1) + 7919));
    this.now = options.now ?? Date.now;
    this.quotaUnitsPerSecond = options.quotaUnitsPerSecond ?? 250;
    this.enforceQuota = options.enforceQuota ?? true;
  }

  static emptyCounters(): FakeGmailCounters {
    return {
      httpRequests: 0,
      requests: 0,
      batchRequests: 0,
      batchParts: 0,
      maxBatchParts: 0,
      discoveryRejections: 0,
      byMethod: {
        getProfile: 0,
        historyList: 0,
        messagesList: 0,
        messagesGet: 0,
        labelsList: 0,
        labelsCreate: 0,
        messagesBatchModify: 0,
        threadsGet: 0,
      },
      byStatus: {},
      quotaRejections: 0,
      faultsInjected: 0,
      unitsCharged: 0,
      maxUnitsInWindow: 0,
      scopeRejections: 0,
      modifiedMessages: 0,
    };
  }

  resetCounters(): void {
    Object.assign(this.counters, FakeGmailApi.emptyCounters());
  }

  // ---- server ----

  /** Listens on 127.0.0.1 (random port unless given); HTTPS when a key and cert are passed. */
  async start(options: LoopbackServerOptions = {}): Promise<string> {
    this.server = createFakeServer(this.handle, options.tls);
    return listenOnLoopback(this.server, options);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await closeServerNow(server);
  }

  // ---- mailboxes, tokens, data ----

  addMailbox(email: string): void {
    const key = email.toLowerCase();
    if (this.mailboxes.has(key)) return;
    const start = 100_000 + Math.floor(this.random() * 900_000);
    this.mailboxes.set(key, {
      email: key,
      messages: new Map(),
      history: [],
      historyId: start,
      historyFloor: 0,
      spent: [],
      labels: [],
    });
  }

  /** The mailbox's user labels (what users.labels.create made). */
  userLabels(email: string): FakeGmailLabel[] {
    return [...this.mailbox(email).labels];
  }

  /** Issues (or registers) an access token for `email`. Default scope gmail.readonly, 1 hour. */
  issueAccessToken(
    email: string,
    options: { token?: string; scopes?: string[]; expiresInMs?: number } = {},
  ): string {
    this.addMailbox(email);
    const token =
      options.token ?? `ya29.fake-${Math.floor(this.random() * 1e12).toString(36)}-${this.nextId++}`;
    this.tokens.set(token, {
      email: email.toLowerCase(),
      scopes: options.scopes ?? [GMAIL_SCOPE_READONLY],
      expiresAt: this.now() + (options.expiresInMs ?? 3_600_000),
    });
    return token;
  }

  revokeAccessToken(token: string): void {
    this.tokens.delete(token);
  }

  /** The mailbox's current history id (what getProfile returns). */
  currentHistoryId(email: string): number {
    return this.mailbox(email).historyId;
  }

  messages(email: string): FakeGmailMessage[] {
    return [...this.mailbox(email).messages.values()];
  }

  /** Adds a message as Gmail would on send/receive: new history id and a messageAdded record. */
  sendMessage(
    email: string,
    input: {
      labelIds?: string[];
      internalDate?: number;
      headers: FakeGmailHeader[];
      snippet?: string;
      hasAttachment?: boolean;
      threadId?: string;
    },
  ): FakeGmailMessage {
    const mailbox = this.mailbox(email);
    mailbox.historyId += 1 + Math.floor(this.random() * 5);
    const id = this.newMessageId();
    const hasAttachment = input.hasAttachment ?? false;
    const message: FakeGmailMessage = {
      id,
      threadId: input.threadId ?? id,
      labelIds: input.labelIds ?? ['SENT'],
      internalDate: input.internalDate ?? this.now(),
      historyId: mailbox.historyId,
      snippet: input.snippet ?? '',
      mimeType: hasAttachment ? 'multipart/mixed' : 'multipart/alternative',
      headers: input.headers,
      hasAttachment,
      sizeEstimate: 2000 + Math.floor(this.random() * 50_000),
    };
    mailbox.messages.set(id, message);
    mailbox.history.push({
      id: mailbox.historyId,
      message: { id, threadId: message.threadId, labelIds: [...message.labelIds] },
    });
    return message;
  }

  deleteMessage(email: string, id: string): void {
    this.mailbox(email).messages.delete(id);
  }

  /** Generates `count` sent messages, newest first in time from `options.newest` backwards. */
  seedSentMessages(email: string, count: number, options: SeedOptions = {}): FakeGmailMessage[] {
    return this.seed(email, count, 'SENT', options);
  }

  /** Generates `count` received messages (INBOX), including newsletters and auto-replies. */
  seedInboxMessages(email: string, count: number, options: SeedOptions = {}): FakeGmailMessage[] {
    return this.seed(email, count, 'INBOX', options);
  }

  /** Every history id issued so far is expired (as after a week without sync). */
  expireHistory(email: string): void {
    const mailbox = this.mailbox(email);
    // Gmail keeps moving: the current id (what getProfile returns) stays valid, older ones go.
    mailbox.historyId += 1;
    mailbox.historyFloor = mailbox.historyId;
  }

  // ---- faults ----

  /** The next request (of `method`, when given) gets this fault; faults are used in order. */
  enqueueFault(fault: GmailFault, method?: GmailFaultTarget): void {
    this.faults.enqueue(fault, method);
  }

  /** Each request (of `methods`) gets one of `faults` with `probability`; null turns it off. */
  setRandomFaults(config: RandomFaults<GmailFault, GmailFaultTarget> | null): void {
    this.faults.setRandom(config);
  }

  // ---- request handling ----

  /** Node request handler: mount it on any HTTP(S) server (e.g. the e2e host router). */
  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gmail.fake');
    this.counters.httpRequests++;
    if (url.pathname === `/${GMAIL_DISCOVERY.batchPath}`) {
      await this.handleBatch(req, res);
      return;
    }
    let body: string | undefined;
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      body = Buffer.concat(chunks).toString('utf8');
    }
    const answer = await this.dispatch({
      method: req.method ?? 'GET',
      url,
      authorization: req.headers.authorization,
      ...(body === undefined ? {} : { body }),
    });
    if (res.destroyed) return;
    if (answer.status === 204) {
      res.writeHead(204, answer.headers);
      res.end();
      return;
    }
    res.writeHead(answer.status, { 'content-type': JSON_TYPE, ...answer.headers });
    res.end(JSON.stringify(answer.body));
  };

  /**
   * One API call, whether it came alone or as a part of a batch: checked against the
   * discovery document, authorised, charged to the user's quota, faulted, answered.
   */
  private async dispatch(request: FakeGmailRequest): Promise<FakeGmailAnswer> {
    let answer: FakeGmailAnswer | null = null;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      answer = { status, body, headers };
    };
    await this.answer(request, send);
    const done = answer as FakeGmailAnswer | null;
    if (!done) throw new Error('FakeGmailApi: a call was not answered');
    this.counters.byStatus[done.status] = (this.counters.byStatus[done.status] ?? 0) + 1;
    return done;
  }

  private async answer(request: FakeGmailRequest, send: JsonSend): Promise<void> {
    const { url } = request;
    this.counters.requests++;
    const check = checkGmailRequest(request.method, url.pathname, url.searchParams);
    if (!check.ok) {
      this.counters.discoveryRejections++;
      send(check.status, check.body);
      return;
    }
    const method = METHOD_BY_ID[check.methodId];
    const { userId = '', id: resourceId = '' } = check.pathParams;
    this.counters.byMethod[method]++;

    const auth = /^Bearer (.+)$/.exec(request.authorization ?? '');
    const token = auth?.[1] ? this.tokens.get(auth[1]) : undefined;
    if (!auth?.[1] || !token || token.expiresAt <= this.now()) {
      send(
        401,
        {
          error: {
            code: 401,
            message:
              'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
            errors: [
              {
                message: 'Invalid Credentials',
                domain: 'global',
                reason: 'authError',
                location: 'Authorization',
                locationType: 'header',
              },
            ],
            status: 'UNAUTHENTICATED',
          },
        },
        { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      );
      return;
    }
    const mailbox = this.mailboxes.get(token.email);
    if (!mailbox || (userId !== 'me' && userId.toLowerCase() !== token.email)) {
      send(403, googleError(403, 'forbidden', `Delegation denied for ${token.email}`, 'PERMISSION_DENIED'));
      return;
    }
    // The methods whose scopes the vendored discovery document lists are refused without one of them.
    const accepted = GMAIL_DISCOVERY.methods[check.methodId]?.scopes;
    if (accepted && !accepted.some((scope) => token.scopes.includes(scope))) {
      this.counters.scopeRejections++;
      const refusal = insufficientScopeAnswer(accepted);
      send(403, refusal.body, refusal.headers);
      return;
    }

    if (this.enforceQuota && !this.chargeQuota(mailbox, FAKE_GMAIL_COSTS[method])) {
      this.counters.quotaRejections++;
      // Gmail names the moment the window has room again; the oldest charge leaves it then.
      const oldest = (mailbox.spent[0] as { at: number } | undefined)?.at ?? this.now();
      send(429, userRateLimitBody(oldest + 1000));
      return;
    }

    const fault = this.faults.pick(method);
    if (fault) {
      this.counters.faultsInjected++;
      if (this.answerFault(fault, send)) return;
      if (fault.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
      if (fault.kind === 'historyExpiry') this.expireHistory(mailbox.email);
      if (fault.kind === 'tokenExpiry') {
        this.tokens.delete(auth[1]);
        this.counters.byMethod[method]--;
        this.counters.requests--;
        return this.answer(request, send);
      }
    }

    // Every 200 body is checked against the method's response schema in the discovery document.
    const checked: JsonSend = (status, body, headers) => {
      if (status === 200) {
        const problems = schemaViolations(responseSchema(check.methodId), body);
        if (problems.length > 0) {
          this.schemaViolations.push(...problems.map((p) => `${check.methodId} ${p}`));
          send(500, googleError(500, 'backendError', `fake response off schema: ${problems[0]}`, 'INTERNAL'));
          return;
        }
      }
      send(status, body, headers);
    };
    switch (method) {
      case 'getProfile':
        checked(200, {
          emailAddress: mailbox.email,
          messagesTotal: mailbox.messages.size,
          threadsTotal: new Set([...mailbox.messages.values()].map((m) => m.threadId)).size,
          historyId: String(mailbox.historyId),
        });
        return;
      case 'messagesList':
        this.listMessages(mailbox, token, url.searchParams, checked);
        return;
      case 'historyList':
        this.listHistory(mailbox, url.searchParams, checked);
        return;
      case 'messagesGet':
        this.read('message', mailbox, token, resourceId, url.searchParams, checked);
        return;
      case 'threadsGet':
        this.read('thread', mailbox, token, resourceId, url.searchParams, checked);
        return;
      case 'labelsList':
        checked(200, {
          labels: [
            ...SYSTEM_LABELS.map((id) => ({ id, name: id, type: 'system' })),
            ...mailbox.labels.map((l) => ({ ...l })),
          ],
        });
        return;
      case 'labelsCreate':
        this.createLabel(mailbox, request.body, checked);
        return;
      case 'messagesBatchModify':
        this.batchModify(mailbox, request.body, send);
        return;
    }
  }

  /** A JSON request body checked against the method's request schema in the discovery document. */
  private requestBody<T>(methodId: GmailMethodId, text: string | undefined, send: JsonSend): T | null {
    let body: unknown;
    try {
      body = JSON.parse(text ?? '');
    } catch {
      // Google's front end on an unreadable JSON body: NOT SOURCED beyond the INVALID_ARGUMENT form
      // of the discovery checks (gmail/gmailDiscovery.ts).
      send(400, googleError(400, 'invalid', 'Invalid JSON payload received.', 'INVALID_ARGUMENT'));
      return null;
    }
    const ref = GMAIL_DISCOVERY.methods[methodId]?.request?.$ref;
    const problems = ref ? schemaViolations({ $ref: ref }, body) : [];
    if (problems.length > 0) {
      const field = /^\$\.(\w+)/.exec(problems[0] ?? '')?.[1] ?? 'body';
      send(
        400,
        googleError(
          400,
          'invalid',
          `Invalid JSON payload received. Unknown name "${field}": Cannot find field.`,
          'INVALID_ARGUMENT',
        ),
      );
      return null;
    }
    return body as T;
  }

  /**
   * users.labels.create: a user label, name and both visibilities required (the Label
   * schema's `required` annotations for gmail.users.labels.create). A name taken by a system
   * or user label, compared without case, is refused 409 "Label name exists or conflicts"
   * with reason aborted under domain global (quoted from Gmail in gauteh/lieer#207, a name
   * differing only in case; the 409 in GAM-team/got-your-back#173 and gauteh/lieer#29); its
   * status text ABORTED is NOT SOURCED.
   */
  private createLabel(mailbox: FakeMailbox, text: string | undefined, send: JsonSend): void {
    const body = this.requestBody<{
      name?: string;
      labelListVisibility?: string;
      messageListVisibility?: string;
    }>('gmail.users.labels.create', text, send);
    if (!body) return;
    if (!body.name?.trim()) {
      send(400, googleError(400, 'invalidArgument', 'Invalid label name', 'INVALID_ARGUMENT'));
      return;
    }
    const taken = [...SYSTEM_LABELS, ...mailbox.labels.map((l) => l.name)].some(
      (name) => name.toLowerCase() === body.name?.trim().toLowerCase(),
    );
    if (taken) {
      send(409, googleError(409, 'aborted', 'Label name exists or conflicts', 'ABORTED'));
      return;
    }
    const label: FakeGmailLabel = {
      id: `Label_${mailbox.labels.length + 1}`,
      name: body.name.trim(),
      type: 'user',
      ...(body.labelListVisibility ? { labelListVisibility: body.labelListVisibility } : {}),
      ...(body.messageListVisibility ? { messageListVisibility: body.messageListVisibility } : {}),
    };
    mailbox.labels.push(label);
    send(200, { ...label });
  }

  /**
   * users.messages.batchModify: adds and removes label ids on up to 1,000 messages
   * (BatchModifyMessagesRequest: "There is a limit of 1000 ids per request"); "If successful,
   * the response body is empty" (the method's reference page), answered 204 (the status NOT
   * SOURCED: a 200 with an empty body reads the same to the client). A label id the
   * mailbox does not have, or SENT / DRAFT, is refused 400 ("400: Invalid label…" is all a
   * public report quotes, GAM-team/got-your-back#105; the rest of the message, its reason and
   * status are NOT SOURCED). Ids of messages that do not exist are skipped (NOT SOURCED: what
   * Gmail does with them). The empty 400 for no ids is NOT SOURCED either.
   */
  private batchModify(mailbox: FakeMailbox, text: string | undefined, send: JsonSend): void {
    const body = this.requestBody<{ ids?: string[]; addLabelIds?: string[]; removeLabelIds?: string[] }>(
      'gmail.users.messages.batchModify',
      text,
      send,
    );
    if (!body) return;
    const ids = body.ids ?? [];
    if (ids.length === 0 || ids.length > 1000) {
      send(
        400,
        googleError(400, 'invalidArgument', 'ids must hold 1 to 1000 message ids', 'INVALID_ARGUMENT'),
      );
      return;
    }
    const known = new Set([...APPLIABLE_SYSTEM_LABELS, ...mailbox.labels.map((l) => l.id)]);
    const add = body.addLabelIds ?? [];
    const remove = body.removeLabelIds ?? [];
    const invalid = [...add, ...remove].find((l) => !known.has(l));
    if (invalid !== undefined) {
      send(400, googleError(400, 'invalidArgument', `Invalid label: ${invalid}`, 'INVALID_ARGUMENT'));
      return;
    }
    for (const id of ids) {
      const message = mailbox.messages.get(id);
      if (!message) continue;
      message.labelIds = [...new Set([...message.labelIds.filter((l) => !remove.includes(l)), ...add])];
    }
    this.counters.modifiedMessages += ids.length;
    send(204, null);
  }

  /** Answers a fault that has an answer of its own; false for those that only change state. */
  private answerFault(fault: GmailFault, send: JsonSend): boolean {
    switch (fault.kind) {
      case 'serverError': {
        const status = fault.status ?? 503;
        const statusText = status === 500 ? 'INTERNAL' : status === 502 ? 'UNKNOWN' : 'UNAVAILABLE';
        send(status, googleError(status, 'backendError', 'Backend Error', statusText));
        return true;
      }
      case 'rateLimit':
        send(429, userRateLimitBody(this.now() + (fault.retryAfterSeconds ?? 1) * 1000));
        return true;
      case 'userRateLimit':
        send(
          403,
          fault.form === 'quotaMetric'
            ? googleError(
                403,
                'rateLimitExceeded',
                "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'gmail.googleapis.com' for consumer 'project_number:123456789012'.",
                'PERMISSION_DENIED',
                'usageLimits',
              )
            : googleError(
                403,
                'userRateLimitExceeded',
                'User Rate Limit Exceeded',
                'PERMISSION_DENIED',
                'usageLimits',
              ),
        );
        return true;
      default:
        return false;
    }
  }

  /**
   * POST /batch/gmail/v1 (developers.google.com/gmail/api/guides/batch): a multipart/mixed
   * body whose parts (`Content-Type: application/http`, optional Content-ID) each carry one
   * whole HTTP request with the URL's path only; the outer request's headers (Authorization)
   * apply to every part unless the part sets its own. Each call is dispatched as if it had
   * come alone, so it is checked, charged its own quota units ("a set of n requests batched
   * together counts toward your usage limit as n requests") and may fail on its own. The
   * answer is multipart/mixed with one `application/http` part per call, `Content-ID:
   * <response-ID>`, in request order (the guide: the calls may run in any order; here they
   * run concurrently). More than 100 calls are refused whole with Google's 400 "Inner request
   * count exceeds the limit. Received: N, Limit: 100" (the answer quoted in
   * mhasbini/gmail_analyzer#12); the guide's limit is "100 calls in a single batch request".
   * NOT SOURCED: the answers to a body that is not multipart, to a part that is not
   * application/http and to a full URL in a part (the guide only says it is not allowed);
   * here all three are a 400 of the whole batch.
   */
  private async handleBatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown) => {
      this.counters.byStatus[status] = (this.counters.byStatus[status] ?? 0) + 1;
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': JSON_TYPE });
      res.end(JSON.stringify(body));
    };
    this.counters.batchRequests++;
    const contentType = req.headers['content-type'] ?? '';
    const boundary = getMultipartBoundary(contentType);
    if (req.method !== 'POST' || !/^multipart\/mixed/i.test(contentType) || !boundary) {
      reply(
        400,
        googleError(400, 'badRequest', 'Invalid batch request: expected multipart/mixed', 'INVALID_ARGUMENT'),
      );
      return;
    }
    const fault = this.faults.pick('batch', true);
    if (fault) {
      this.counters.faultsInjected++;
      let answered: FakeGmailAnswer | null = null;
      if (
        this.answerFault(fault, (status, body, headers = {}) => {
          answered = { status, body, headers };
        })
      ) {
        const a = answered as unknown as FakeGmailAnswer;
        this.counters.byStatus[a.status] = (this.counters.byStatus[a.status] ?? 0) + 1;
        if (!res.destroyed) {
          res.writeHead(a.status, { 'content-type': JSON_TYPE, ...a.headers });
          res.end(JSON.stringify(a.body));
        }
        return;
      }
      if (fault.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
      // The outer token dies: every call inside answers 401.
      const outerToken = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (fault.kind === 'tokenExpiry' && outerToken) this.tokens.delete(outerToken);
      if (fault.kind === 'historyExpiry') {
        const email = outerToken ? this.tokens.get(outerToken)?.email : undefined;
        if (email) this.expireHistory(email);
      }
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const calls: { contentId: string | undefined; request: FakeGmailRequest }[] = [];
    try {
      for (const part of parseMultipart(new Uint8Array(Buffer.concat(chunks)), {
        boundary,
        maxParts: 10_000,
      })) {
        if (!/^application\/http/i.test(part.headers['content-type'] ?? ''))
          throw new Error('part is not application/http');
        const text = Buffer.from(part.bytes).toString('utf8');
        const [head = ''] = text.split(/\r?\n\r?\n/, 1);
        const [requestLine = '', ...headerLines] = head.split(/\r?\n/);
        const line = /^([A-Z]+) (\S+)(?: HTTP\/1\.1)?$/.exec(requestLine.trim());
        if (!line?.[2]?.startsWith('/'))
          throw new Error(`not a path-only request line: ${requestLine.slice(0, 60)}`);
        const authorization = headerLines
          .map((h) => /^authorization:\s*(.+)$/i.exec(h)?.[1])
          .find((v) => v !== undefined);
        calls.push({
          contentId: part.headers['content-id'],
          request: {
            method: line[1] ?? 'GET',
            url: new URL(line[2], 'http://gmail.fake'),
            authorization: authorization ?? req.headers.authorization,
          },
        });
      }
    } catch (error) {
      reply(
        400,
        googleError(
          400,
          'badRequest',
          `Invalid batch request: ${(error as Error).message}`,
          'INVALID_ARGUMENT',
        ),
      );
      return;
    }
    if (calls.length > GMAIL_BATCH_CALL_LIMIT) {
      const message = `Inner request count exceeds the limit. Received: ${calls.length}, Limit: ${GMAIL_BATCH_CALL_LIMIT}`;
      reply(400, googleError(400, 'badRequest', message, 'INVALID_ARGUMENT'));
      return;
    }
    if (calls.length === 0) {
      reply(400, googleError(400, 'badRequest', 'Invalid batch request: no parts', 'INVALID_ARGUMENT'));
      return;
    }
    this.counters.batchParts += calls.length;
    this.counters.maxBatchParts = Math.max(this.counters.maxBatchParts, calls.length);
    const answers = await Promise.all(calls.map((c) => this.dispatch(c.request)));
    const outer = `batch_${Math.floor(this.random() * 1e12).toString(36)}`;
    let body = '';
    answers.forEach((a, i) => {
      const contentId = calls[i]?.contentId;
      body += `--${outer}\r\nContent-Type: application/http\r\n`;
      if (contentId) body += `Content-ID: <response-${contentId.replace(/^<|>$/g, '')}>\r\n`;
      body += `\r\nHTTP/1.1 ${a.status} ${STATUS_CODES[a.status] ?? ''}\r\nContent-Type: ${JSON_TYPE}\r\n`;
      for (const [name, value] of Object.entries(a.headers)) body += `${name}: ${value}\r\n`;
      body += `\r\n${JSON.stringify(a.body)}\r\n`;
    });
    body += `--${outer}--\r\n`;
    this.counters.byStatus[200] = (this.counters.byStatus[200] ?? 0) + 1;
    if (res.destroyed) return;
    res.writeHead(200, { 'content-type': `multipart/mixed; boundary=${outer}` });
    res.end(body);
  }

  private listMessages(
    mailbox: FakeMailbox,
    token: AccessToken,
    params: URLSearchParams,
    send: JsonSend,
  ): void {
    const q = params.get('q');
    if (q !== null && !token.scopes.includes(GMAIL_SCOPE_READONLY)) {
      send(
        403,
        googleError(403, 'forbidden', "Metadata scope does not support 'q' parameter", 'PERMISSION_DENIED'),
      );
      return;
    }
    const maxResults = Math.min(500, Math.max(1, Number(params.get('maxResults') ?? 100)));
    const labelIds = params.getAll('labelIds');
    const includeSpamTrash = params.get('includeSpamTrash') === 'true';
    let filter: ((m: FakeGmailMessage) => boolean) | null;
    try {
      filter = q ? parseQuery(q) : null;
    } catch (error) {
      send(400, googleError(400, 'invalidArgument', (error as Error).message, 'INVALID_ARGUMENT'));
      return;
    }
    const matching = [...mailbox.messages.values()]
      .filter(
        (m) =>
          labelIds.every((l) => m.labelIds.includes(l)) &&
          (includeSpamTrash ||
            labelIds.some((l) => l === 'SPAM' || l === 'TRASH') ||
            !m.labelIds.some((l) => l === 'SPAM' || l === 'TRASH')) &&
          (filter === null || filter(m)),
      )
      .sort((a, b) => b.internalDate - a.internalDate || (a.id < b.id ? 1 : -1));
    let start = 0;
    const pageToken = params.get('pageToken');
    if (pageToken) {
      const after = decodeToken<{ d: number; id: string }>(pageToken);
      if (!after || typeof after.d !== 'number') {
        send(400, googleError(400, 'invalidArgument', 'Invalid pageToken', 'INVALID_ARGUMENT'));
        return;
      }
      // Resume strictly after the last message returned, so new mail does not shift pages.
      start = matching.findIndex(
        (m) => m.internalDate < after.d || (m.internalDate === after.d && m.id < after.id),
      );
      if (start === -1) start = matching.length;
    }
    const page = matching.slice(start, start + maxResults);
    const body: Record<string, unknown> = { resultSizeEstimate: matching.length };
    if (page.length > 0) body.messages = page.map((m) => ({ id: m.id, threadId: m.threadId }));
    const last = page.at(-1);
    if (last && start + maxResults < matching.length)
      body.nextPageToken = encodeToken({ d: last.internalDate, id: last.id });
    send(200, body);
  }

  private listHistory(mailbox: FakeMailbox, params: URLSearchParams, send: JsonSend): void {
    const startRaw = params.get('startHistoryId');
    if (startRaw === null || !/^\d+$/.test(startRaw)) {
      send(400, googleError(400, 'invalidArgument', 'Invalid startHistoryId', 'INVALID_ARGUMENT'));
      return;
    }
    const startHistoryId = Number(startRaw);
    if (startHistoryId < mailbox.historyFloor) {
      send(404, googleError(404, 'notFound', 'Requested entity was not found.', 'NOT_FOUND'));
      return;
    }
    const maxResults = Math.min(500, Math.max(1, Number(params.get('maxResults') ?? 100)));
    const labelId = params.get('labelId');
    const types = params.getAll('historyTypes');
    let after = startHistoryId;
    const pageToken = params.get('pageToken');
    if (pageToken) {
      const decoded = decodeToken<{ after: number }>(pageToken);
      if (!decoded || typeof decoded.after !== 'number') {
        send(400, googleError(400, 'invalidArgument', 'Invalid pageToken', 'INVALID_ARGUMENT'));
        return;
      }
      after = decoded.after;
    }
    // Every record here is a messageAdded; other history types are not modelled.
    const matching = mailbox.history.filter(
      (r) =>
        r.id > after &&
        (types.length === 0 || types.includes('messageAdded')) &&
        (labelId === null || r.message.labelIds.includes(labelId)),
    );
    const page = matching.slice(0, maxResults);
    const body: Record<string, unknown> = { historyId: String(mailbox.historyId) };
    if (page.length > 0) {
      body.history = page.map((r) => ({
        id: String(r.id),
        messages: [{ id: r.message.id, threadId: r.message.threadId }],
        messagesAdded: [{ message: { ...r.message } }],
      }));
    }
    const last = page.at(-1);
    if (last && matching.length > page.length) body.nextPageToken = encodeToken({ after: last.id });
    send(200, body);
  }

  /**
   * users.messages.get and users.threads.get, in the asked `format` (the gmail.metadata scope
   * allows neither `full` nor `raw`; threads.get is given messages.get's refusal: NOT SOURCED
   * for threads.get itself).
   *
   * A thread is every message sharing the threadId, oldest first, each as messages.get gives
   * it in the same format (Thread resource: id, historyId "of the last history record that
   * modified this thread", messages). The Thread schema also has `snippet`; it is left out as
   * public client models of this answer do (repositories not named by the code index): NOT
   * SOURCED whether Gmail sends it for threads.get. An unknown thread id answers messages.get's
   * 404: NOT SOURCED for threads.get itself (no public capture of its 404 body found).
   */
  private read(
    resource: 'message' | 'thread',
    mailbox: FakeMailbox,
    token: AccessToken,
    id: string,
    params: URLSearchParams,
    send: JsonSend,
  ): void {
    // A format outside the enum never gets here: checkGmailRequest refuses it first.
    const format = params.get('format') ?? 'full';
    if ((format === 'full' || format === 'raw') && !token.scopes.includes(GMAIL_SCOPE_READONLY)) {
      send(
        403,
        googleError(
          403,
          'forbidden',
          `Metadata scope doesn't allow format ${format.toUpperCase()}`,
          'PERMISSION_DENIED',
        ),
      );
      return;
    }
    const wanted = params.getAll('metadataHeaders');
    const messages =
      resource === 'message'
        ? [mailbox.messages.get(id)].filter((m) => m !== undefined)
        : [...mailbox.messages.values()]
            .filter((m) => m.threadId === id)
            .sort((a, b) => a.internalDate - b.internalDate);
    const [first] = messages;
    if (!first) {
      send(404, notFoundBody());
      return;
    }
    send(
      200,
      resource === 'message'
        ? messageBody(first, format, wanted)
        : {
            id,
            historyId: String(Math.max(...messages.map((m) => m.historyId))),
            messages: messages.map((m) => messageBody(m, format, wanted)),
          },
    );
  }

  // ---- internals ----

  private mailbox(email: string): FakeMailbox {
    const mailbox = this.mailboxes.get(email.toLowerCase());
    if (!mailbox) throw new Error(`no fake mailbox ${email}`);
    return mailbox;
  }

  private chargeQuota(mailbox: FakeMailbox, units: number): boolean {
    const now = this.now();
    while (mailbox.spent.length > 0 && (mailbox.spent[0] as { at: number }).at <= now - 1000)
      mailbox.spent.shift();
    const used = mailbox.spent.reduce((sum, e) => sum + e.units, 0);
    if (used + units > this.quotaUnitsPerSecond) return false;
    mailbox.spent.push({ at: now, units });
    this.counters.unitsCharged += units;
    this.counters.maxUnitsInWindow = Math.max(this.counters.maxUnitsInWindow, used + units);
    return true;
  }

  private newMessageId(): string {
    const n = (
      0x18f00000000000n +
      BigInt(this.nextId++) * 7919n +
      BigInt(Math.floor(this.random() * 7000))
    ).toString(16);
    return n.padStart(16, '0').slice(-16);
  }

  private pick<T>(items: readonly T[]): T {
    return pickWith(this.random, items);
  }

  private person(): { name: string; address: string } {
    return fakePerson(this.random, { first: FIRST_NAMES, last: LAST_NAMES, domains: COMPANIES });
  }

  private seed(
    email: string,
    count: number,
    label: 'SENT' | 'INBOX',
    options: SeedOptions,
  ): FakeGmailMessage[] {
    this.addMailbox(email);
    const newest = options.newest ?? this.now();
    const spacing = options.spacingMs ?? 3_600_000;
    const created: FakeGmailMessage[] = [];
    const owner = { name: 'Sam Seller', address: email.toLowerCase() };
    // Oldest first, so history ids grow with time as in a real mailbox.
    for (let i = count - 1; i >= 0; i--) {
      const date = newest - i * spacing;
      const automated = this.random() < (options.automatedRatio ?? 0.05);
      const noMessageId = this.random() < (options.missingMessageIdRatio ?? 0.02);
      const hasAttachment = this.random() < (options.attachmentRatio ?? 0.2);
      const other = this.person();
      const cc = this.random() < 0.3 ? this.person() : null;
      const reply = this.random() < 0.4;
      const baseSubject = `${this.pick(SUBJECTS)}${this.random() < 0.3 ? ' – Zürich office' : ''}`;
      const headers: FakeGmailHeader[] = [];
      const quoted = (p: { name: string; address: string }) =>
        /[,'"]/.test(p.name) ? `"${p.name.replace(/"/g, '\\"')}" <${p.address}>` : `${p.name} <${p.address}>`;
      if (label === 'SENT') {
        headers.push({ name: 'From', value: quoted(owner) }, { name: 'To', value: quoted(other) });
      } else {
        headers.push({ name: 'From', value: quoted(other) }, { name: 'To', value: quoted(owner) });
      }
      if (cc)
        headers.push({ name: 'Cc', value: `${quoted(cc)}, team@${email.split('@')[1] ?? 'example.com'}` });
      headers.push({ name: 'Subject', value: reply ? `Re: ${baseSubject}` : baseSubject });
      headers.push({ name: 'Date', value: new Date(date).toUTCString().replace('GMT', '+0000') });
      if (!noMessageId) {
        headers.push({
          name: 'Message-ID',
          value: `<CA+${date.toString(36)}${i.toString(36)}.${this.nextId}@mail.gmail.com>`,
        });
      }
      if (reply) {
        const parent = `<CAparent${i.toString(36)}@mail.gmail.com>`;
        headers.push(
          { name: 'In-Reply-To', value: parent },
          { name: 'References', value: `<CAroot${i.toString(36)}@mail.gmail.com> ${parent}` },
        );
      }
      if (automated) {
        if (label === 'SENT') {
          headers.push(
            { name: 'Auto-Submitted', value: 'auto-replied' },
            { name: 'X-Autoreply', value: 'yes' },
          );
        } else {
          headers.push(
            { name: 'List-Id', value: '<news.globex.example>' },
            { name: 'List-Unsubscribe', value: '<mailto:unsubscribe@globex.example>' },
            { name: 'Precedence', value: 'bulk' },
          );
        }
      }
      headers.push({
        name: 'Content-Type',
        value: hasAttachment
          ? 'multipart/mixed; boundary="000000000000b1"'
          : 'multipart/alternative; boundary="000000000000a1"',
      });
      headers.push({ name: 'MIME-Version', value: '1.0' }, { name: 'X-Mailer', value: 'fake' });
      created.push(
        this.sendMessage(email, {
          labelIds: label === 'SENT' ? ['SENT'] : ['INBOX', 'UNREAD', 'CATEGORY_PERSONAL'],
          internalDate: date,
          headers,
          snippet: `Hi ${other.name.split(' ')[0]}, it&#39;s about ${baseSubject.toLowerCase()} &amp; next steps`,
          hasAttachment,
        }),
      );
    }
    return created;
  }
}

/** The subset of Gmail search the sync uses: in:<label>, after:/before: (epoch seconds or y/m/d). */
function parseQuery(q: string): (m: FakeGmailMessage) => boolean {
  const tests: ((m: FakeGmailMessage) => boolean)[] = [];
  for (const term of q.trim().split(/\s+/)) {
    const [key, value = ''] = term.split(':', 2) as [string, string | undefined];
    const time = () => {
      if (/^\d+$/.test(value)) return Number(value) * 1000;
      const date = Date.parse(value.replace(/\//g, '-'));
      if (Number.isNaN(date)) throw new Error(`Invalid date in query: ${value}`);
      return date;
    };
    if (key === 'in') tests.push((m) => m.labelIds.includes(value.toUpperCase()));
    else if (key === 'after') {
      const t = time();
      tests.push((m) => m.internalDate > t);
    } else if (key === 'before') {
      const t = time();
      tests.push((m) => m.internalDate < t);
    } else throw new Error(`Query term not supported by the fake: ${term}`);
  }
  return (m) => tests.every((t) => t(m));
}
