import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { mulberry32 } from '../../lib/random/mulberry32';
import { FaultPlan, type RandomFaults } from './FaultPlan';
import { fakePerson, pickWith } from './fakePeople';
import {
  closeServerNow,
  createFakeServer,
  type JsonSend,
  jsonSender,
  type LoopbackServerOptions,
  listenOnLoopback,
} from './loopbackServer';

/**
 * A local Microsoft Graph v1.0 for the mail calls the extension makes: GET /me,
 * GET /me/messages/{id}?$select=, and message delta on a well-known folder
 * (`/me/mailFolders('sentitems')/messages/delta` or `/me/mailFolders/inbox/messages/delta`)
 * with `$select`, `$filter=receivedDateTime ge|gt ...`, `Prefer: odata.maxpagesize`
 * (default page 10), opaque `$skiptoken` / `$deltatoken` links, `@removed` entries, an
 * expired delta state answered as 410 SyncStateNotFound or as a 400 with resyncRequired
 * nested in innerError (answerExpiredState cites both), Outlook's per-mailbox limits of 4
 * concurrent requests (429 ApplicationThrottled + Retry-After) and 10,000 requests per 10
 * minutes (429 TooManyRequests), 401 InvalidAuthenticationToken.
 *
 * Start standalone with `await fake.start()` or mount `fake.handle` behind the e2e router.
 * Seed with `seedSentItems` / `seedInbox` / `sendMessage`; inject faults with `enqueueFault`
 * or `setRandomFaults`; read `counters`.
 */

export type GraphMethod =
  | 'me'
  | 'getMessage'
  | 'delta'
  | 'listMessages'
  | 'translateExchangeIds'
  | 'listFolderMessages'
  | 'updateMessage'
  | 'moveMessage';
export type GraphFolder = 'sentitems' | 'inbox' | 'drafts' | 'deleteditems' | 'archive';

/** Graph's delegated permission that allows changing mail; Mail.Read does not. */
export const GRAPH_MAIL_READWRITE = 'Mail.ReadWrite';
/** Graph's delegated permissions that open mailboxes shared with the user (outlook-share-messages-folders). */
export const GRAPH_MAIL_SHARED_SCOPES = ['Mail.Read.Shared', 'Mail.ReadWrite.Shared'];
/** What a token carries unless told otherwise: read only (the extension's default sign-in). */
const DEFAULT_GRAPH_SCOPES = ['Mail.Read', 'User.Read'];

export interface FakeGraphMessage {
  id: string;
  folder: GraphFolder;
  internetMessageId: string | null;
  conversationId: string;
  subject: string;
  bodyPreview: string;
  from: { name: string; address: string };
  toRecipients: { name: string; address: string }[];
  ccRecipients: { name: string; address: string }[];
  replyTo: { name: string; address: string }[];
  sentDateTime: string;
  receivedDateTime: string;
  hasAttachments: boolean;
  isDraft: boolean;
  internetMessageHeaders: { name: string; value: string }[];
  /** Change sequence of the last create/update. */
  changeSeq: number;
  /** Change sequence of the creation. */
  createdSeq: number;
  isRead: boolean;
  /** Outlook categories (message resource `categories`); absent means none. */
  categories?: string[];
  /**
   * Who actually sent it when not `from`: a delegate sending on behalf of a shared mailbox
   * (message resource `sender`, https://learn.microsoft.com/en-us/graph/api/resources/message).
   */
  sender?: { name: string; address: string };
}

interface Removal {
  id: string;
  folder: GraphFolder;
  seq: number;
}

interface FakeMailbox {
  email: string;
  userId: string;
  displayName: string;
  messages: Map<string, FakeGraphMessage>;
  removals: Removal[];
  seq: number;
  inFlight: number;
  /** When each request of the current window arrived (the per-app, per-mailbox limit). */
  requestTimes: number[];
}

/** A delta round's state behind an opaque token. */
interface DeltaState {
  email: string;
  folder: GraphFolder;
  select: string[] | null;
  filter: ((m: FakeGraphMessage) => boolean) | null;
  filterText: string | null;
  /** Items of this round (ids, or removals), fixed when the round started. */
  items: (
    | { kind: 'message'; id: string }
    | { kind: 'update'; id: string }
    | { kind: 'removed'; id: string }
  )[];
  offset: number;
  /** The sequence the round's deltaLink continues from. */
  seqAtStart: number;
  generation: number;
  changeType: 'created' | 'updated' | 'deleted' | null;
}

export type GraphFault =
  | { kind: 'serverError'; status?: 500 | 502 | 503 | 504; retryAfterSeconds?: number }
  | { kind: 'rateLimit'; retryAfterSeconds?: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'tokenExpiry' }
  /** Every outstanding delta/skip token of the mailbox becomes unknown (410). */
  | { kind: 'deltaExpiry' };

export interface FakeGraphCounters {
  requests: number;
  byMethod: Record<GraphMethod, number>;
  byStatus: Record<number, number>;
  throttled: number;
  /** 429s of the 10,000-per-10-minutes limit (a part of `throttled`). */
  requestLimitRejections: number;
  faultsInjected: number;
  maxConcurrent: number;
  /** Prefer: odata.maxpagesize values received. */
  maxPageSizes: number[];
  /** Folder message-list pages answered (200) for a `$filter` with an `$orderby`. */
  orderedFilteredListPages: number;
  /** Messages those pages returned. */
  orderedFilteredListMessages: number;
  /** Every delta round begun with a `$filter`: the filter, its messages, and whether the cap cut it. */
  filteredDeltaRounds: { filter: string; messages: number; capped: boolean }[];
  /** Writes refused for want of Mail.ReadWrite (403 ErrorAccessDenied). */
  scopeRejections: number;
  updatedMessages: number;
  movedMessages: number;
}

export interface GraphSeedOptions {
  newest?: number;
  spacingMs?: number;
  automatedRatio?: number;
  missingMessageIdRatio?: number;
  attachmentRatio?: number;
}

const DEFAULT_PAGE_SIZE = 10;

/**
 * Outlook service limits for Microsoft Graph (learn.microsoft.com/graph/throttling-limits,
 * "Outlook service limits"; microsoftgraph/microsoft-graph-docs-contrib,
 * concepts/throttling-limits.md): 10,000 API requests in a 10-minute period and 4 concurrent
 * requests, per app ID and mailbox. The fake serves one app, so its limits are per mailbox.
 */
export const OUTLOOK_REQUEST_LIMIT = { requests: 10_000, windowMs: 10 * 60_000 } as const;
/** A delta with $filter returns at most this many messages (learn.microsoft.com/graph/api/message-delta). */
export const FILTERED_DELTA_CAP = 5000;

function shuffle<T>(items: T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
const FIRST = ['Ana', 'Ben', 'Chloé', 'Dmitri', 'Eve', 'Farid', 'Grace', 'Hiro'];
const LAST = ['Okafor', 'Schmidt', 'Lefèvre', "O'Brien", 'Nakamura', 'García'];
const DOMAINS = ['contoso.example', 'fabrikam.example', 'northwind.example', 'adatum.example'];
const SUBJECTS = ['Quarterly review', 'Your quote', 'Meeting notes', 'Renewal', 'Onboarding'];

function graphError(code: string, message: string) {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().slice(0, 19),
        'request-id': randomBytes(8).toString('hex'),
      },
    },
  };
}

/**
 * Graph's documented throttling body (learn.microsoft.com/graph/throttling, "Sample
 * response"; microsoftgraph/microsoft-graph-docs-contrib concepts/throttling.md):
 * `{"error":{"code":"TooManyRequests","innerError":{"code":"429","date":...,"message":
 * "Please retry after","request-id":...,"status":"429"},"message":"Please retry again later."}}`.
 */
function throttlingSample(now: number) {
  return {
    error: {
      code: 'TooManyRequests',
      innerError: {
        code: '429',
        date: new Date(now).toISOString().slice(0, 19),
        message: 'Please retry after',
        'request-id': randomBytes(16)
          .toString('hex')
          .replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'),
        status: '429',
      },
      message: 'Please retry again later.',
    },
  };
}

export class FakeGraphApi {
  readonly counters: FakeGraphCounters = FakeGraphApi.emptyCounters();
  private readonly mailboxes = new Map<string, FakeMailbox>();
  private readonly tokens = new Map<string, { email: string; expiresAt: number; scopes: string[] }>();
  /** Shared mailbox -> the users granted Full Access to it (an Exchange admin's grant). */
  private readonly sharedAccess = new Map<string, Set<string>>();
  private readonly deltaStates = new Map<string, DeltaState>();
  private readonly generations = new Map<string, number>();
  /** How many sync-state expiries were answered, to alternate their documented forms. */
  private expiriesAnswered = 0;
  private readonly faults: FaultPlan<GraphFault, GraphMethod>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly concurrencyLimit: number;
  private server: Server | null = null;
  private origin = 'https://graph.microsoft.com';
  private nextId = 0;

  private readonly requestLimit: { requests: number; windowMs: number };

  constructor(
    options: {
      seed?: number;
      /** The fake's clock (the request window and token expiry); simulated in tests. */
      now?: () => number;
      concurrencyLimit?: number;
      /** Requests per mailbox per window; default Outlook's 10,000 per 10 minutes. */
      requestLimit?: { requests: number; windowMs: number };
    } = {},
  ) {
    this.random = mulberry32(options.seed ?? 5);
    this.faults = new FaultPlan(mulberry32((options.seed ?? 5) + 104_729));
    this.now = options.now ?? Date.now;
    this.concurrencyLimit = options.concurrencyLimit ?? 4;
    this.requestLimit = options.requestLimit ?? OUTLOOK_REQUEST_LIMIT;
  }

  static emptyCounters(): FakeGraphCounters {
    return {
      requests: 0,
      byMethod: {
        me: 0,
        getMessage: 0,
        delta: 0,
        listMessages: 0,
        translateExchangeIds: 0,
        listFolderMessages: 0,
        updateMessage: 0,
        moveMessage: 0,
      },
      byStatus: {},
      throttled: 0,
      requestLimitRejections: 0,
      faultsInjected: 0,
      maxConcurrent: 0,
      maxPageSizes: [],
      orderedFilteredListPages: 0,
      orderedFilteredListMessages: 0,
      filteredDeltaRounds: [],
      scopeRejections: 0,
      updatedMessages: 0,
      movedMessages: 0,
    };
  }

  resetCounters(): void {
    Object.assign(this.counters, FakeGraphApi.emptyCounters());
  }

  async start(options: LoopbackServerOptions = {}): Promise<string> {
    this.server = createFakeServer(this.handle, options.tls);
    this.origin = await listenOnLoopback(this.server, options);
    return this.origin;
  }

  /** Origin used in nextLink/deltaLink when mounted behind another server (e.g. https://graph.microsoft.com). */
  setPublicOrigin(origin: string): void {
    this.origin = origin.replace(/\/+$/, '');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await closeServerNow(server);
  }

  addMailbox(email: string, displayName = 'Sam Seller'): void {
    const key = email.toLowerCase();
    if (this.mailboxes.has(key)) return;
    this.mailboxes.set(key, {
      email: key,
      userId: `${randomBytes(4).toString('hex')}-${randomBytes(2).toString('hex')}-4${randomBytes(2).toString('hex').slice(1)}-8${randomBytes(2).toString('hex').slice(1)}-${randomBytes(6).toString('hex')}`,
      displayName,
      messages: new Map(),
      removals: [],
      seq: 1,
      inFlight: 0,
      requestTimes: [],
    });
  }

  /**
   * Issues (or registers) an access token for `email`; `scopes` as the token's `scp` would
   * list them (short names or with the resource in front), default Mail.Read and User.Read.
   */
  issueAccessToken(
    email: string,
    options: { token?: string; expiresInMs?: number; scopes?: string[] } = {},
  ): string {
    this.addMailbox(email);
    const token =
      options.token ?? `eyJ0eXAiOiJKV1QiLCJub25jZSI6ImZha2Ui.${randomBytes(12).toString('base64url')}`;
    this.tokens.set(token, {
      email: email.toLowerCase(),
      expiresAt: this.now() + (options.expiresInMs ?? 3_600_000),
      scopes: (options.scopes ?? DEFAULT_GRAPH_SCOPES).map((scope) =>
        scope.replace(/^https:\/\/graph\.microsoft\.com\//i, ''),
      ),
    });
    return token;
  }

  /**
   * A shared mailbox (such as sales@) with the users an Exchange admin granted access to it.
   * Its messages are seeded with sendMessage(sharedAddress, ...) like any mailbox's.
   */
  addSharedMailbox(email: string, members: string[], displayName = 'Sales'): void {
    this.addMailbox(email, displayName);
    this.sharedAccess.set(email.toLowerCase(), new Set(members.map((m) => m.toLowerCase())));
  }

  revokeAccessToken(token: string): void {
    this.tokens.delete(token);
  }

  messages(email: string): FakeGraphMessage[] {
    return [...this.mailbox(email).messages.values()];
  }

  sendMessage(
    email: string,
    input: Partial<Omit<FakeGraphMessage, 'id' | 'changeSeq' | 'createdSeq'>> & { folder?: GraphFolder },
  ): FakeGraphMessage {
    const mailbox = this.mailbox(email);
    mailbox.seq++;
    const when = input.sentDateTime ?? new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const id = `AAMkAGI2${Buffer.from(`${email}:${this.nextId++}`).toString('base64url')}AAA=`;
    const message: FakeGraphMessage = {
      id,
      folder: input.folder ?? 'sentitems',
      internetMessageId:
        input.internetMessageId === undefined
          ? `<${randomBytes(10).toString('hex').toUpperCase()}@EXAMPLEPR01MB1234.namprd01.prod.outlook.example>`
          : input.internetMessageId,
      conversationId: input.conversationId ?? `AAQkAGI2${randomBytes(9).toString('base64url')}=`,
      subject: input.subject ?? '',
      bodyPreview: input.bodyPreview ?? '',
      from: input.from ?? { name: mailbox.displayName, address: mailbox.email },
      toRecipients: input.toRecipients ?? [],
      ccRecipients: input.ccRecipients ?? [],
      replyTo: input.replyTo ?? [],
      sentDateTime: when,
      receivedDateTime: input.receivedDateTime ?? when,
      hasAttachments: input.hasAttachments ?? false,
      isDraft: input.isDraft ?? false,
      internetMessageHeaders: input.internetMessageHeaders ?? [],
      changeSeq: mailbox.seq,
      createdSeq: mailbox.seq,
      isRead: input.isRead ?? true,
      ...(input.categories ? { categories: [...input.categories] } : {}),
      ...(input.sender ? { sender: { ...input.sender } } : {}),
    };
    mailbox.messages.set(id, message);
    return message;
  }

  /** Deletes (or moves away) a message: the folder's next delta reports it as @removed. */
  removeMessage(email: string, id: string): void {
    const mailbox = this.mailbox(email);
    const message = mailbox.messages.get(id);
    if (!message) return;
    mailbox.seq++;
    mailbox.messages.delete(id);
    mailbox.removals.push({ id, folder: message.folder, seq: mailbox.seq });
  }

  /**
   * An update (the read flag flips): the folder's next delta round returns an update row
   * with only the changed properties, unless the round asks for `changeType=created`.
   */
  touchMessage(email: string, id: string): void {
    const mailbox = this.mailbox(email);
    const message = mailbox.messages.get(id);
    if (!message) return;
    mailbox.seq++;
    message.changeSeq = mailbox.seq;
    message.isRead = !message.isRead;
  }

  seedSentItems(email: string, count: number, options: GraphSeedOptions = {}): FakeGraphMessage[] {
    return this.seed(email, count, 'sentitems', options);
  }

  seedInbox(email: string, count: number, options: GraphSeedOptions = {}): FakeGraphMessage[] {
    return this.seed(email, count, 'inbox', options);
  }

  /** Every delta and skip token issued for the mailbox so far is forgotten (410 SyncStateNotFound). */
  expireDeltaTokens(email: string): void {
    const key = email.toLowerCase();
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
  }

  enqueueFault(fault: GraphFault, method?: GraphMethod): void {
    this.faults.enqueue(fault, method);
  }

  setRandomFaults(config: RandomFaults<GraphFault, GraphMethod> | null): void {
    this.faults.setRandom(config);
  }

  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://graph.fake');
    const send = jsonSender(
      res,
      this.counters.byStatus,
      'application/json; odata.metadata=minimal; charset=utf-8',
    );
    this.counters.requests++;
    const path = decodeURIComponent(url.pathname);
    let method: GraphMethod;
    let folder: GraphFolder | null = null;
    let messageId: string | null = null;
    // `/users/{address}/...` reads another mailbox (a shared one): only folder listings and delta.
    const usersMatch = /^\/v1\.0\/users\/([^/]+)(\/mailFolders.*)$/i.exec(path);
    const owner = usersMatch ? `users/${usersMatch[1]}` : 'me';
    const folderPath = usersMatch ? `/v1.0/me${usersMatch[2]}` : path;
    const deltaMatch = /^\/v1\.0\/me\/mailFolders(?:\('([^']+)'\)|\/([^/]+))\/messages\/delta$/i.exec(
      folderPath,
    );
    const messageMatch = /^\/v1\.0\/me\/messages\/([^/]+)$/.exec(path);
    const listMatch = /^\/v1\.0\/me\/mailFolders(?:\('([^']+)'\)|\/([^/]+))\/messages$/i.exec(folderPath);
    const moveMatch = /^\/v1\.0\/me\/messages\/([^/]+)\/move$/.exec(path);
    if (path === '/v1.0/me') method = 'me';
    else if (messageMatch && req.method === 'PATCH') {
      method = 'updateMessage';
      messageId = messageMatch[1] ?? null;
    } else if (moveMatch && req.method === 'POST') {
      method = 'moveMessage';
      messageId = moveMatch[1] ?? null;
    } else if (path === '/v1.0/me/messages' && req.method === 'GET') method = 'listMessages';
    else if (path === '/v1.0/me/translateExchangeIds' && req.method === 'POST')
      method = 'translateExchangeIds';
    else if (listMatch) {
      method = 'listFolderMessages';
      folder = (listMatch[1] ?? listMatch[2] ?? '').toLowerCase() as GraphFolder;
    } else if (deltaMatch) {
      method = 'delta';
      folder = (deltaMatch[1] ?? deltaMatch[2] ?? '').toLowerCase() as GraphFolder;
    } else if (messageMatch) {
      method = 'getMessage';
      messageId = messageMatch[1] ?? null;
    } else {
      send(400, graphError('BadRequest', `Resource not found for the segment '${path.split('/').pop()}'.`));
      return;
    }
    this.counters.byMethod[method]++;

    const auth = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    const token = auth?.[1] ? this.tokens.get(auth[1]) : undefined;
    if (!auth?.[1] || !token || token.expiresAt <= this.now()) {
      send(
        401,
        graphError(
          'InvalidAuthenticationToken',
          token ? 'Lifetime validation failed, the token is expired.' : 'IDX14100: JWT is not well formed.',
        ),
        {
          'www-authenticate':
            'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
        },
      );
      return;
    }
    let mailbox = this.mailbox(token.email);
    if (usersMatch) {
      const target = (usersMatch[1] ?? '').toLowerCase();
      const shared = this.sharedAccess.get(target);
      const allowed =
        target === token.email ||
        (shared?.has(token.email) === true && token.scopes.some((s) => GRAPH_MAIL_SHARED_SCOPES.includes(s)));
      if (!allowed) {
        // Another user's mailbox needs Mail.Read.Shared and access granted to that mailbox
        // (https://learn.microsoft.com/en-us/graph/outlook-share-messages-folders). Without
        // either, Graph answers 403 ErrorAccessDenied, "Access is denied. Check credentials
        // and try again." (the error envelope of https://learn.microsoft.com/en-us/graph/errors;
        // code and message as quoted in microsoftgraph/msgraph-sdk-php#1094 and
        // microsoftgraph/aspnetcore-connect-sample#37). An unknown address answers the same.
        this.counters.scopeRejections++;
        send(403, graphError('ErrorAccessDenied', 'Access is denied. Check credentials and try again.'));
        return;
      }
      mailbox = this.mailbox(target);
    }
    if (
      (method === 'updateMessage' || method === 'moveMessage') &&
      !token.scopes.includes(GRAPH_MAIL_READWRITE)
    ) {
      // Changing mail needs Mail.ReadWrite (learn.microsoft.com/graph/api/message-update and
      // message-move, "Permissions"). Graph's answer to a token without it: 403 ErrorAccessDenied
      // "Access is denied. Check credentials and try again." (status and body as quoted in
      // microsoftgraph/msgraph-sdk-php#1094 and, for a missing Mail.Read,
      // microsoftgraph/aspnetcore-connect-sample#37; for a PATCH of a message, with the
      // innerError request-id and date, microsoftgraph/microsoft-graph-docs-contrib#6635).
      // microsoftgraph/microsoft-graph-docs-contrib#1143 reports a 200 that changed nothing
      // instead; the fake follows the 403 reports.
      this.counters.scopeRejections++;
      send(403, graphError('ErrorAccessDenied', 'Access is denied. Check credentials and try again.'));
      return;
    }

    if (this.overRequestLimit(mailbox, send)) return;
    if (mailbox.inFlight >= this.concurrencyLimit) {
      this.counters.throttled++;
      // Outlook's answer past 4 concurrent requests, code and message as quoted from real
      // responses in magodo/terraform-provider-outlook#21 (`429 : {"error":{"code":
      // "ApplicationThrottled","message":"Application is over its MailboxConcurrency limit."}}`)
      // and alcionai/corso#3695 (odataerror_code ApplicationThrottled, same message); the
      // innerError (date, request-id) is the envelope of learn.microsoft.com/graph/errors.
      // Retry-After: Mail is among the resources that "provide a retry-after header"
      // (learn.microsoft.com/graph/throttling), though OfficeDev/outlook-dev-docs#144 (2018)
      // saw such 429s without one; the value 1 s is NOT SOURCED (no public capture of this
      // limit's Retry-After value was found; searched issues, code and docs for
      // "MailboxConcurrency" / "ApplicationThrottled").
      send(429, graphError('ApplicationThrottled', 'Application is over its MailboxConcurrency limit.'), {
        'retry-after': '1',
      });
      return;
    }
    mailbox.inFlight++;
    this.counters.maxConcurrent = Math.max(this.counters.maxConcurrent, mailbox.inFlight);
    try {
      const fault = this.faults.pick(method);
      if (fault) {
        this.counters.faultsInjected++;
        switch (fault.kind) {
          case 'serverError': {
            const status = fault.status ?? 503;
            const headers: Record<string, string> =
              status === 503 ? { 'retry-after': String(fault.retryAfterSeconds ?? 1) } : {};
            const code =
              status === 504
                ? 'GatewayTimeout'
                : status === 503
                  ? 'ServiceUnavailable'
                  : 'InternalServerError';
            send(status, graphError(code, 'The service is temporarily unavailable.'), headers);
            return;
          }
          case 'rateLimit':
            // Graph's documented throttling answer (see throttlingSample).
            send(429, throttlingSample(this.now()), {
              'retry-after': String(fault.retryAfterSeconds ?? 1),
            });
            return;
          case 'delay':
            await new Promise((resolve) => setTimeout(resolve, fault.ms));
            break;
          case 'tokenExpiry':
            this.tokens.delete(auth[1]);
            send(
              401,
              graphError('InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.'),
            );
            return;
          case 'deltaExpiry':
            this.expireDeltaTokens(mailbox.email);
            break;
        }
      }
      switch (method) {
        case 'me':
          send(200, {
            '@odata.context': `${this.origin}/v1.0/$metadata#users/$entity`,
            id: mailbox.userId,
            displayName: mailbox.displayName,
            mail: mailbox.email,
            userPrincipalName: mailbox.email,
          });
          return;
        case 'getMessage': {
          const message = mailbox.messages.get(messageId ?? '');
          if (!message) {
            send(404, graphError('ErrorItemNotFound', 'The specified object was not found in the store.'));
            return;
          }
          send(200, {
            '@odata.context': `${this.origin}/v1.0/$metadata#users('${mailbox.userId}')/messages/$entity`,
            ...this.project(message, parseSelect(url.searchParams.get('$select'))),
          });
          return;
        }
        case 'delta':
          this.delta(mailbox, folder as GraphFolder, url, req, send, owner);
          return;
        case 'listMessages':
          this.listMessages(mailbox, url, send);
          return;
        case 'translateExchangeIds':
          await this.translateExchangeIds(mailbox, req, send);
          return;
        case 'listFolderMessages':
          this.list(mailbox, folder as GraphFolder, url, send);
          return;
        case 'updateMessage':
          await this.updateMessage(mailbox, messageId ?? '', req, send);
          return;
        case 'moveMessage':
          await this.moveMessage(mailbox, messageId ?? '', req, send);
          return;
      }
    } finally {
      mailbox.inFlight--;
    }
  };

  private async jsonBody(req: IncomingMessage, send: JsonSend): Promise<Record<string, unknown> | null> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      if (typeof body === 'object' && body !== null && !Array.isArray(body))
        return body as Record<string, unknown>;
    } catch {
      // answered below
    }
    send(400, graphError('BadRequest', 'Unable to read JSON request payload.'));
    return null;
  }

  /**
   * PATCH /me/messages/{id} (learn.microsoft.com/graph/api/message-update): `categories` and
   * `isRead` are modelled, other writable properties are accepted and not kept; 200 with the
   * message ("If successful, this method returns a 200 OK response code and an updated message
   * object"). Changing categories is a change the folder's delta reports again.
   */
  private async updateMessage(
    mailbox: FakeMailbox,
    id: string,
    req: IncomingMessage,
    send: JsonSend,
  ): Promise<void> {
    const body = await this.jsonBody(req, send);
    if (!body) return;
    const message = mailbox.messages.get(id);
    if (!message) {
      send(404, graphError('ErrorItemNotFound', 'The specified object was not found in the store.'));
      return;
    }
    const categories = body.categories;
    if (categories !== undefined) {
      if (!Array.isArray(categories) || !categories.every((c) => typeof c === 'string')) {
        // NOT SOURCED: Graph's exact answer to a categories value of the wrong type.
        send(400, graphError('BadRequest', 'Invalid value for property categories.'));
        return;
      }
      message.categories = [...categories];
    }
    if (typeof body.isRead === 'boolean') message.isRead = body.isRead;
    mailbox.seq++;
    message.changeSeq = mailbox.seq;
    this.counters.updatedMessages++;
    send(200, {
      '@odata.context': `${this.origin}/v1.0/$metadata#users('${mailbox.userId}')/messages/$entity`,
      ...this.project(message, null),
    });
  }

  /**
   * POST /me/messages/{id}/move {destinationId} (learn.microsoft.com/graph/api/message-move):
   * a folder id or a well-known folder name; 201 with the moved message, which has a new id
   * (Outlook ids change on a move unless immutable ids are asked for:
   * learn.microsoft.com/graph/outlook-immutable-id). The source folder's delta reports the old
   * id as removed. An unknown destination is answered as the fake's other unknown folders
   * (404 ErrorInvalidIdMalformed, NOT SOURCED for a move).
   */
  private async moveMessage(
    mailbox: FakeMailbox,
    id: string,
    req: IncomingMessage,
    send: JsonSend,
  ): Promise<void> {
    const body = await this.jsonBody(req, send);
    if (!body) return;
    const destination = typeof body.destinationId === 'string' ? body.destinationId.toLowerCase() : '';
    const folders: GraphFolder[] = ['sentitems', 'inbox', 'drafts', 'deleteditems', 'archive'];
    if (!folders.includes(destination as GraphFolder)) {
      send(404, graphError('ErrorInvalidIdMalformed', 'Id is malformed.'));
      return;
    }
    const message = mailbox.messages.get(id);
    if (!message) {
      send(404, graphError('ErrorItemNotFound', 'The specified object was not found in the store.'));
      return;
    }
    mailbox.seq++;
    mailbox.messages.delete(id);
    mailbox.removals.push({ id, folder: message.folder, seq: mailbox.seq });
    const newId = `AAMkAGI2${Buffer.from(`${mailbox.email}:${this.nextId++}`).toString('base64url')}AAA=`;
    const moved: FakeGraphMessage = {
      ...message,
      id: newId,
      folder: destination as GraphFolder,
      changeSeq: mailbox.seq,
      createdSeq: mailbox.seq,
    };
    mailbox.messages.set(newId, moved);
    this.counters.movedMessages++;
    send(201, {
      '@odata.context': `${this.origin}/v1.0/$metadata#users('${mailbox.userId}')/messages/$entity`,
      ...this.project(moved, null),
    });
  }

  /**
   * GET /me/messages?$filter=conversationId eq '<id>'&$select=&$top= — only the one filter the
   * extension sends is understood; any other $filter is refused as Graph refuses an
   * unsupported query (400). https://learn.microsoft.com/en-us/graph/api/user-list-messages
   */
  private listMessages(mailbox: FakeMailbox, url: URL, send: JsonSend): void {
    const filter = url.searchParams.get('$filter');
    const match = filter ? /^conversationId eq '((?:[^']|'')*)'$/.exec(filter.trim()) : null;
    if (!match) {
      send(400, graphError('BadRequest', `Invalid filter clause: ${filter ?? '(none)'}`));
      return;
    }
    const top = Number(url.searchParams.get('$top') ?? '10');
    if (!Number.isInteger(top) || top < 1 || top > 1000) {
      send(400, graphError('BadRequest', "Invalid value for '$top' query parameter."));
      return;
    }
    const conversationId = match[1]!.replace(/''/g, "'");
    const select = parseSelect(url.searchParams.get('$select'));
    const value = [...mailbox.messages.values()]
      .filter((m) => m.conversationId === conversationId && m.folder !== 'deleteditems')
      .sort((a, b) => b.receivedDateTime.localeCompare(a.receivedDateTime))
      .slice(0, top)
      .map((m) => this.project(m, select));
    send(200, {
      '@odata.context': `${this.origin}/v1.0/$metadata#users('${mailbox.userId}')/messages`,
      value,
    });
  }

  /**
   * POST /me/translateExchangeIds (https://learn.microsoft.com/en-us/graph/api/user-translateexchangeids):
   * inputIds (at most 1000), sourceIdType and targetIdType required; only ewsId <-> restId are
   * modelled. An EWS id is the stored REST id in the EWS alphabet (`_` as `+`, `-` as `/`,
   * tests/fixtures/outlook/SOURCES.md S9); an id of no item in the mailbox comes back with
   * errorDetails, as the document's convertIdResult allows. GUESS: the exact error codes.
   */
  private async translateExchangeIds(
    mailbox: FakeMailbox,
    req: IncomingMessage,
    send: JsonSend,
  ): Promise<void> {
    let body: unknown;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      send(400, graphError('BadRequest', 'Unable to read JSON request payload.'));
      return;
    }
    const b = body as { inputIds?: unknown; sourceIdType?: unknown; targetIdType?: unknown };
    const kinds = ['entryId', 'ewsId', 'immutableEntryId', 'restId', 'restImmutableEntryId'];
    if (
      !Array.isArray(b.inputIds) ||
      b.inputIds.length === 0 ||
      !b.inputIds.every((id) => typeof id === 'string') ||
      typeof b.sourceIdType !== 'string' ||
      typeof b.targetIdType !== 'string' ||
      !kinds.includes(b.sourceIdType) ||
      !kinds.includes(b.targetIdType)
    ) {
      send(400, graphError('ErrorInvalidParameter', 'inputIds, sourceIdType and targetIdType are required.'));
      return;
    }
    if (b.inputIds.length > 1000) {
      send(400, graphError('ErrorInvalidParameter', 'inputIds may hold at most 1000 identifiers.'));
      return;
    }
    const toEws = (rest: string) => rest.replace(/_/g, '+').replace(/-/g, '/');
    const toRest = (ews: string) => ews.replace(/\+/g, '_').replace(/\//g, '-');
    const value = (b.inputIds as string[]).map((sourceId) => {
      const rest = b.sourceIdType === 'ewsId' ? toRest(sourceId) : sourceId;
      if (!mailbox.messages.has(rest) || !['ewsId', 'restId'].includes(b.targetIdType as string)) {
        return { sourceId, errorDetails: { code: 'ErrorInvalidIdMalformed', message: 'Id is malformed.' } };
      }
      return { sourceId, targetId: b.targetIdType === 'ewsId' ? toEws(rest) : rest };
    });
    send(200, {
      '@odata.context': `${this.origin}/v1.0/$metadata#Collection(microsoft.graph.convertIdResult)`,
      value,
    });
  }

  private delta(
    mailbox: FakeMailbox,
    folder: GraphFolder,
    url: URL,
    req: IncomingMessage,
    send: JsonSend,
    owner = 'me',
  ): void {
    if (!['sentitems', 'inbox', 'drafts', 'deleteditems'].includes(folder)) {
      send(404, graphError('ErrorInvalidIdMalformed', 'Id is malformed.'));
      return;
    }
    const prefer = /odata\.maxpagesize=(\d+)/i.exec(String(req.headers.prefer ?? ''));
    const pageSize = prefer ? Math.max(1, Number(prefer[1])) : DEFAULT_PAGE_SIZE;
    if (prefer) this.counters.maxPageSizes.push(pageSize);
    const generation = this.generations.get(mailbox.email) ?? 0;
    const changeTypeParam = url.searchParams.get('changeType');
    if (changeTypeParam !== null && !['created', 'updated', 'deleted'].includes(changeTypeParam)) {
      send(400, graphError('BadRequest', `Invalid changeType '${changeTypeParam}'.`));
      return;
    }
    const skipToken = url.searchParams.get('$skiptoken');
    const deltaToken = url.searchParams.get('$deltatoken');
    let state: DeltaState;
    if (skipToken !== null || deltaToken !== null) {
      const known = this.deltaStates.get(skipToken ?? deltaToken ?? '');
      if (
        !known ||
        known.generation !== generation ||
        known.email !== mailbox.email ||
        known.folder !== folder
      ) {
        this.answerExpiredState(send, generation);
        return;
      }
      if (skipToken !== null) state = known;
      else {
        // A new round: everything in the folder that changed since the previous round began.
        const changed = [...mailbox.messages.values()]
          .filter((m) => m.folder === folder && m.changeSeq > known.seqAtStart && (known.filter?.(m) ?? true))
          .sort((a, b) => a.changeSeq - b.changeSeq);
        const removed = mailbox.removals.filter((r) => r.folder === folder && r.seq > known.seqAtStart);
        // Created since the last round: the whole message; created before and changed since:
        // an update row with only what changed. changeType keeps one kind.
        const created = changed.filter((m) => m.createdSeq > known.seqAtStart);
        const updated = changed.filter((m) => m.createdSeq <= known.seqAtStart);
        const want = (kind: 'created' | 'updated' | 'deleted') =>
          known.changeType === null || known.changeType === kind;
        state = {
          ...known,
          items: [
            ...(want('created') ? created.map((m) => ({ kind: 'message' as const, id: m.id })) : []),
            ...(want('updated') ? updated.map((m) => ({ kind: 'update' as const, id: m.id })) : []),
            ...(want('deleted') ? removed.map((r) => ({ kind: 'removed' as const, id: r.id })) : []),
          ],
          offset: 0,
          seqAtStart: mailbox.seq,
        };
      }
    } else {
      let filter: DeltaState['filter'] = null;
      const filterText = url.searchParams.get('$filter');
      if (filterText !== null) {
        const match = /^receivedDateTime (ge|gt) (\S+)$/.exec(filterText.trim());
        const at = match ? Date.parse(match[2] ?? '') : Number.NaN;
        if (!match || Number.isNaN(at)) {
          send(
            400,
            graphError('ErrorInvalidUrlQueryFilter', 'The query filter contains one or more invalid nodes.'),
          );
          return;
        }
        filter = (m) =>
          match[1] === 'ge' ? Date.parse(m.receivedDateTime) >= at : Date.parse(m.receivedDateTime) > at;
      }
      let items = [...mailbox.messages.values()]
        .filter((m) => m.folder === folder && (filter?.(m) ?? true))
        .sort((a, b) => a.changeSeq - b.changeSeq)
        .map((m) => ({ kind: 'message' as const, id: m.id }));
      if (filter !== null) {
        // "$filter ... returns up to 5,000 messages" and delta gives no order
        // (learn.microsoft.com/graph/api/message-delta, query parameters): shuffled, then cut.
        this.counters.filteredDeltaRounds.push({
          filter: filterText ?? '',
          messages: Math.min(items.length, FILTERED_DELTA_CAP),
          capped: items.length > FILTERED_DELTA_CAP,
        });
        items = shuffle(items, this.random).slice(0, FILTERED_DELTA_CAP);
      }
      state = {
        email: mailbox.email,
        folder,
        select: parseSelect(url.searchParams.get('$select')),
        filter,
        filterText,
        items,
        offset: 0,
        seqAtStart: mailbox.seq,
        generation,
        changeType: (changeTypeParam as DeltaState['changeType']) ?? null,
      };
    }
    const slice = state.items.slice(state.offset, state.offset + pageSize);
    const value = slice.map((item) => {
      const message = item.kind === 'removed' ? undefined : mailbox.messages.get(item.id);
      if (!message)
        return { '@odata.type': '#microsoft.graph.message', id: item.id, '@removed': { reason: 'deleted' } };
      if (item.kind === 'update') {
        // An update row: the id and the changed properties only (learn.microsoft.com/graph/delta-query-messages).
        return {
          '@odata.type': '#microsoft.graph.message',
          '@odata.etag': `W/"CQAAABYAAAA${message.changeSeq}"`,
          id: message.id,
          isRead: message.isRead,
          parentFolderId: `AQMkAGI2folder${message.folder}`,
        };
      }
      return { '@odata.type': '#microsoft.graph.message', ...this.project(message, state.select) };
    });
    const base = `${this.origin}/v1.0/${owner}/mailFolders('${folder}')/messages/delta`;
    const body: Record<string, unknown> = {
      '@odata.context': `${this.origin}/v1.0/$metadata#Collection(message)`,
      value,
    };
    const nextOffset = state.offset + slice.length;
    const token = randomBytes(24).toString('base64url');
    if (nextOffset < state.items.length) {
      this.deltaStates.set(token, { ...state, offset: nextOffset });
      body['@odata.nextLink'] = `${base}?$skiptoken=${token}`;
    } else {
      this.deltaStates.set(token, { ...state, items: [], offset: 0 });
      body['@odata.deltaLink'] = `${base}?$deltatoken=${token}`;
    }
    send(200, body, prefer ? { 'preference-applied': `odata.maxpagesize=${pageSize}` } : {});
  }

  /**
   * The 10,000-per-10-minutes limit over a sliding window of arrival times. Over it, Graph's
   * documented throttling answer: 429, a Retry-After in seconds, and the body of
   * learn.microsoft.com/graph/throttling ("Sample response", see throttlingSample). The
   * throttled request counts against the limit too, as the same page warns ("Avoid immediate
   * retries, because all requests accrue against your usage limits").
   * NO PUBLIC SOURCE shows the body Outlook actually sends for this limit (searched issues,
   * code and docs for "ApplicationThrottled", "Application is over its", 10,000 requests /
   * 10 minutes): Outlook's other limits answer `ApplicationThrottled` with "Application is
   * over its <name> limit." (MailboxConcurrency: magodo/terraform-provider-outlook#21;
   * IncomingBytes: O365/python-o365#500), so the real code may be of that form; clients must
   * act on the status, not the code. How Outlook computes the Retry-After for this limit is
   * NOT SOURCED either (the sample shows "Retry-After: 2.128" in older revisions and 10 in
   * the current one); here it is the time until the window has room again.
   */
  private overRequestLimit(mailbox: FakeMailbox, send: JsonSend): boolean {
    const now = this.now();
    const { requests, windowMs } = this.requestLimit;
    const times = mailbox.requestTimes;
    while (times.length > 0 && (times[0] as number) <= now - windowMs) times.shift();
    times.push(now);
    if (times.length <= requests) return false;
    this.counters.throttled++;
    this.counters.requestLimitRejections++;
    // The next request fits once every entry up to this one has left the window.
    const oldestCounted = times[times.length - requests] as number;
    const retryAfter = Math.max(1, Math.ceil((oldestCounted + windowMs - now) / 1000));
    send(429, throttlingSample(now), { 'retry-after': String(retryAfter) });
    return true;
  }

  /**
   * The answer to an expired delta state, in two forms, alternated so clients must read both.
   *
   * 1. What Outlook is seen to send: `410 Gone` with the top-level code `SyncStateNotFound`
   *    (this casing) and a message naming the generations, e.g. `{"error":{"code":
   *    "SyncStateNotFound","message":"The sync state generation is not found;
   *    generation=149;[highest=157][157][155][156].","innerError":{"request-id":...,
   *    "date":...}}}` (microsoftgraph/microsoft-graph-docs#2350, calendarView delta, status
   *    "410 Gone"; #2877, message/contact/event delta; #2162, a mail folder's messages
   *    delta: "The sync state generation is not found; generation=518;[highest=523]...").
   *    learn.microsoft.com/graph/delta-query-overview ("Token duration"): "In case of an
   *    expired token, the service should respond with a 40X-series error with error codes
   *    such as syncStateNotFound".
   * 2. The code nested in innerError: learn.microsoft.com/graph/errors says "The innererror
   *    object might recursively contain more innererror objects with additional, more
   *    specific error codes" and apps "must loop over the innererror objects", and lists
   *    resyncRequired ("Resync is required.") among the detailed innererror codes; the outer
   *    code here is that page's basic code invalidRequest ("The request is malformed or
   *    incorrect."), the status 400 as in "a BadRequest response with the error code
   *    syncStateNotFound" for expired directory delta links
   *    (devblogs.microsoft.com/microsoft365dev/duration-of-change-tracking-tokens-for-identity-and-education-resources).
   *    NO PUBLIC CAPTURE of a nested sync-state code from a mail delta was found (searched
   *    issues and code for SyncStateNotFound / resyncRequired under innerError): this form
   *    is the documented structure, not an observed Outlook body.
   */
  private answerExpiredState(send: JsonSend, generation: number): void {
    const nested = this.expiriesAnswered++ % 2 === 1;
    if (!nested) {
      const highest = generation + 8;
      send(
        410,
        graphError(
          'SyncStateNotFound',
          `The sync state generation is not found; generation=${generation + 1};[highest=${highest}][${highest}][${highest - 2}][${highest - 1}].`,
        ),
      );
      return;
    }
    const body = graphError('invalidRequest', 'The request is malformed or incorrect.') as {
      error: { innerError: Record<string, unknown> };
    };
    body.error.innerError = { code: 'resyncRequired', ...body.error.innerError };
    send(400, body);
  }

  /**
   * GET /me/mailFolders/{id}/messages with $select, $filter on receivedDateTime (ge, gt,
   * le, lt joined by "and"), $orderby, $top (1..1000) and $skip paging
   * (learn.microsoft.com/graph/api/user-list-messages). A $orderby property must also be
   * the first in $filter, or Graph answers 400 InefficientFilter ("Using filter and orderby
   * in the same query").
   */
  private list(mailbox: FakeMailbox, folder: GraphFolder, url: URL, send: JsonSend): void {
    if (!['sentitems', 'inbox', 'drafts', 'deleteditems'].includes(folder)) {
      send(404, graphError('ErrorInvalidIdMalformed', 'Id is malformed.'));
      return;
    }
    const p = url.searchParams;
    const top = p.get('$top') === null ? 10 : Number(p.get('$top'));
    const skip = Number(p.get('$skip') ?? 0);
    if (!Number.isInteger(top) || top < 1 || top > 1000 || !Number.isInteger(skip) || skip < 0) {
      send(400, graphError('ErrorInvalidParameter', 'Invalid $top or $skip.'));
      return;
    }
    const tests: ((m: FakeGraphMessage) => boolean)[] = [];
    const filterText = p.get('$filter');
    const filteredProperties: string[] = [];
    if (filterText !== null) {
      for (const clause of filterText.split(/\s+and\s+/i)) {
        const match = /^(\w+) (ge|gt|le|lt) (\S+)$/.exec(clause.trim());
        const at = match ? Date.parse(match[3] ?? '') : Number.NaN;
        if (match?.[1] !== 'receivedDateTime' || Number.isNaN(at)) {
          send(400, graphError('BadRequest', 'Invalid filter clause'));
          return;
        }
        filteredProperties.push(match[1]);
        const op = match[2];
        tests.push((m) => {
          const t = Date.parse(m.receivedDateTime);
          return op === 'ge' ? t >= at : op === 'gt' ? t > at : op === 'le' ? t <= at : t < at;
        });
      }
    }
    const orderby = p.get('$orderby');
    let direction = 1;
    if (orderby !== null) {
      const match = /^(\w+)(?: (asc|desc))?$/.exec(orderby.trim());
      if (!match) {
        send(400, graphError('BadRequest', 'Invalid $orderby'));
        return;
      }
      if (filterText !== null && filteredProperties[0] !== match[1]) {
        send(
          400,
          graphError('InefficientFilter', 'The restriction or sort order is too complex for this operation.'),
        );
        return;
      }
      direction = match[2] === 'desc' ? -1 : 1;
    }
    const matching = [...mailbox.messages.values()]
      .filter((m) => m.folder === folder && tests.every((t) => t(m)))
      .sort(
        (a, b) =>
          direction * (Date.parse(a.receivedDateTime) - Date.parse(b.receivedDateTime)) ||
          (a.id < b.id ? -1 : 1),
      );
    const page = matching.slice(skip, skip + top);
    if (filterText !== null && orderby !== null) {
      this.counters.orderedFilteredListPages++;
      this.counters.orderedFilteredListMessages += page.length;
    }
    const select = parseSelect(p.get('$select'));
    const body: Record<string, unknown> = {
      '@odata.context': `${this.origin}/v1.0/$metadata#users('${mailbox.userId}')/mailFolders('${folder}')/messages`,
      value: page.map((m) => this.project(m, select)),
    };
    if (skip + top < matching.length) {
      const next = new URL(url.href.replace(/^http:\/\/graph\.fake/, this.origin));
      next.searchParams.set('$skip', String(skip + top));
      body['@odata.nextLink'] = next.href;
    }
    send(200, body);
  }

  private project(message: FakeGraphMessage, select: string[] | null): Record<string, unknown> {
    const recipient = (r: { name: string; address: string }) => ({
      emailAddress: { name: r.name, address: r.address },
    });
    const full: Record<string, unknown> = {
      '@odata.etag': `W/"CQAAABYAAAA${message.changeSeq}"`,
      id: message.id,
      internetMessageId: message.internetMessageId,
      conversationId: message.conversationId,
      subject: message.subject,
      bodyPreview: message.bodyPreview,
      from: recipient(message.from),
      sender: recipient(message.sender ?? message.from),
      toRecipients: message.toRecipients.map(recipient),
      ccRecipients: message.ccRecipients.map(recipient),
      replyTo: message.replyTo.map(recipient),
      sentDateTime: message.sentDateTime,
      receivedDateTime: message.receivedDateTime,
      hasAttachments: message.hasAttachments,
      isDraft: message.isDraft,
      parentFolderId: `AQMkAGI2folder${message.folder}`,
      isRead: message.isRead,
      importance: 'normal',
      categories: message.categories ?? [],
    };
    // Graph returns internetMessageHeaders only when selected, and sent items have none.
    if (select?.includes('internetMessageHeaders') && message.folder !== 'sentitems') {
      full.internetMessageHeaders = message.internetMessageHeaders;
    }
    if (select === null) return full;
    const projected: Record<string, unknown> = { '@odata.etag': full['@odata.etag'], id: message.id };
    for (const field of select) if (field in full) projected[field] = full[field];
    return projected;
  }

  private mailbox(email: string): FakeMailbox {
    const mailbox = this.mailboxes.get(email.toLowerCase());
    if (!mailbox) throw new Error(`no fake mailbox ${email}`);
    return mailbox;
  }

  private pick<T>(items: readonly T[]): T {
    return pickWith(this.random, items);
  }

  private person() {
    return fakePerson(this.random, { first: FIRST, last: LAST, domains: DOMAINS });
  }

  private seed(
    email: string,
    count: number,
    folder: GraphFolder,
    options: GraphSeedOptions,
  ): FakeGraphMessage[] {
    this.addMailbox(email);
    const mailbox = this.mailbox(email);
    const owner = { name: mailbox.displayName, address: mailbox.email };
    const newest = options.newest ?? this.now();
    const spacing = options.spacingMs ?? 3_600_000;
    const created: FakeGraphMessage[] = [];
    for (let i = count - 1; i >= 0; i--) {
      const when = new Date(newest - i * spacing).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const other = this.person();
      const automated = this.random() < (options.automatedRatio ?? 0.05);
      const noMessageId = this.random() < (options.missingMessageIdRatio ?? 0.02);
      const subject = `${this.random() < 0.4 ? 'RE: ' : ''}${this.pick(SUBJECTS)}`;
      const internetMessageId = noMessageId
        ? null
        : `<${randomBytes(10).toString('hex').toUpperCase()}@EXAMPLEPR01MB1234.namprd01.prod.outlook.example>`;
      const headers =
        folder === 'sentitems'
          ? []
          : [
              { name: 'Received', value: 'from mail.example by EXAMPLEPR01MB1234 with SMTP' },
              ...(internetMessageId ? [{ name: 'Message-ID', value: internetMessageId }] : []),
              ...(automated
                ? [
                    { name: 'List-Unsubscribe', value: '<https://news.fabrikam.example/u>' },
                    { name: 'Precedence', value: 'bulk' },
                  ]
                : []),
              ...(subject.startsWith('RE: ')
                ? [{ name: 'In-Reply-To', value: `<parent-${i}@contoso.example>` }]
                : []),
            ];
      created.push(
        this.sendMessage(email, {
          folder,
          internetMessageId,
          subject: folder === 'sentitems' && automated ? `Automatic reply: ${subject}` : subject,
          bodyPreview: `Hello ${other.name.split(' ')[0]}, following up on ${subject.toLowerCase()}.`,
          from: folder === 'sentitems' ? owner : other,
          toRecipients: folder === 'sentitems' ? [other] : [owner],
          ccRecipients: this.random() < 0.3 ? [this.person()] : [],
          sentDateTime: when,
          receivedDateTime: when,
          hasAttachments: this.random() < (options.attachmentRatio ?? 0.2),
          internetMessageHeaders: headers,
        }),
      );
    }
    return created;
  }
}

function parseSelect(value: string | null): string[] | null {
  if (value === null || value.trim() === '') return null;
  return value.split(',').map((s) => s.trim());
}
