import { z } from 'zod';
import type { AccessTokenProvider } from '../../../auth/AccessTokenProvider';
import { MailboxAuthError } from '../../../auth/MailboxAuthError';
import {
  authorizedJsonRequest,
  type ProviderHttpSettings,
  providerHttpSettings,
} from '../../sync/authorizedJsonRequest';
import {
  ProviderRequestError,
  parseRetryAfter,
  type RetryEnvironment,
  type RetryPolicy,
} from '../../sync/ProviderRequestError';
import { GraphRequestBudget } from './GraphRequestBudget';

// ---- Payload schemas (Microsoft Graph v1.0; only the `$select`ed fields) ----

export const GraphRecipient = z.object({
  emailAddress: z.object({
    name: z.string().nullish(),
    address: z.string().nullish(),
  }),
});
export type GraphRecipient = z.infer<typeof GraphRecipient>;

/** The message resource, as far as `$select` asks for it. Every field may be absent. */
export const GraphMessage = z.object({
  id: z.string(),
  internetMessageId: z.string().nullish(),
  conversationId: z.string().nullish(),
  subject: z.string().nullish(),
  bodyPreview: z.string().nullish(),
  from: GraphRecipient.nullish(),
  sender: GraphRecipient.nullish(),
  toRecipients: z.array(GraphRecipient).nullish(),
  ccRecipients: z.array(GraphRecipient).nullish(),
  replyTo: z.array(GraphRecipient).nullish(),
  sentDateTime: z.string().nullish(),
  receivedDateTime: z.string().nullish(),
  hasAttachments: z.boolean().nullish(),
  isDraft: z.boolean().nullish(),
  parentFolderId: z.string().nullish(),
  internetMessageHeaders: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
});
export type GraphMessage = z.infer<typeof GraphMessage>;

/** A message's categories (`$select=id,categories`; a PATCH of categories answers the message). */
export const GraphMessageCategories = z.object({
  id: z.string(),
  categories: z.array(z.string()).nullish(),
});
export type GraphMessageCategories = z.infer<typeof GraphMessageCategories>;

/** A delta entry for an item that left the folder (deleted or moved). */
export const GraphRemovedItem = z.object({
  id: z.string(),
  '@removed': z.object({ reason: z.string() }),
});
export type GraphRemovedItem = z.infer<typeof GraphRemovedItem>;

/** A page of `GET /me/mailFolders/{id}/messages` (list, not delta). */
export const GraphMessagePage = z.object({
  value: z.array(GraphMessage),
  '@odata.nextLink': z.string().optional(),
});
export type GraphMessagePage = z.infer<typeof GraphMessagePage>;

export const GraphDeltaPage = z.object({
  value: z.array(z.union([GraphRemovedItem, GraphMessage])),
  '@odata.nextLink': z.string().optional(),
  '@odata.deltaLink': z.string().optional(),
});
export type GraphDeltaPage = z.infer<typeof GraphDeltaPage>;

export const GraphUser = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  mail: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
});
export type GraphUser = z.infer<typeof GraphUser>;

/** One entry of POST /me/translateExchangeIds (convertIdResult). */
export const GraphConvertIdResult = z.object({
  sourceId: z.string().nullish(),
  targetId: z.string().nullish(),
  errorDetails: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
});
export type GraphConvertIdResult = z.infer<typeof GraphConvertIdResult>;
const GraphConvertIdResults = z.object({ value: z.array(GraphConvertIdResult) });
const GraphMessageList = z.object({ value: z.array(GraphMessage) });

/** Id formats translateExchangeIds converts between. */
export type GraphExchangeIdFormat =
  | 'entryId'
  | 'ewsId'
  | 'immutableEntryId'
  | 'restId'
  | 'restImmutableEntryId';

interface GraphInnerError {
  code?: string | undefined;
  innerError?: GraphInnerError | undefined;
  innererror?: GraphInnerError | undefined;
}
const GraphInnerError: z.ZodType<GraphInnerError> = z.lazy(() =>
  z.object({
    code: z.string().optional(),
    innerError: GraphInnerError.optional(),
    innererror: GraphInnerError.optional(),
  }),
);
const GraphErrorBody = z.object({
  error: z.object({
    code: z.string().optional(),
    message: z.string().optional(),
    innerError: GraphInnerError.optional(),
    innererror: GraphInnerError.optional(),
  }),
});

/** The error's code and every nested innerError code, outermost first. */
function errorCodes(error: GraphInnerError): string[] {
  const codes: string[] = [];
  let current: GraphInnerError | undefined = error;
  for (let depth = 0; current && depth < 8; depth++) {
    if (current.code) codes.push(current.code);
    current = current.innerError ?? current.innererror;
  }
  return codes;
}

/** The fields a sync reads; `internetMessageHeaders` only for received mail (sent items have none). */
export const GRAPH_MESSAGE_SELECT = [
  'id',
  'internetMessageId',
  'conversationId',
  'subject',
  'bodyPreview',
  'from',
  'sender',
  'toRecipients',
  'ccRecipients',
  'replyTo',
  'sentDateTime',
  'receivedDateTime',
  'hasAttachments',
  'isDraft',
  'parentFolderId',
] as const;

export type GraphWellKnownFolder = 'sentitems' | 'inbox';

export function isGraphRemovedItem(item: GraphRemovedItem | GraphMessage): item is GraphRemovedItem {
  return '@removed' in item;
}

// ---- Errors ----

/** The delta token is no longer known (410 Gone / SyncStateNotFound): start a new delta round. */
export class GraphSyncStateExpiredError extends Error {
  override readonly name = 'GraphSyncStateExpiredError';
  constructor(readonly code: string) {
    super(`Graph delta state expired (${code})`);
  }
}

const SYNC_STATE_CODES = new Set(['syncstatenotfound', 'syncstateinvalid', 'resyncrequired']);
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

// ---- Client ----

export interface GraphClientOptions {
  mailboxId: string;
  getAccessToken: AccessTokenProvider;
  /** Default https://graph.microsoft.com. */
  baseUrl?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  retryPolicy?: RetryPolicy;
  retryEnvironment?: RetryEnvironment;
  /** Clock of the request budget (simulated in tests). */
  now?: () => number;
  /** Outlook's requests per mailbox per window; default 10,000 per 10 minutes. */
  requestBudget?: { requests: number; windowMs: number };
  /**
   * A shared mailbox the signed-in user has access to: the folder listing and delta read
   * `/users/{address}/mailFolders/...` instead of `/me/...`, which Graph allows with the
   * delegated `Mail.Read.Shared` permission
   * (https://learn.microsoft.com/en-us/graph/outlook-share-messages-folders). The other calls
   * (marks, lookups) stay on the rep's own mailbox.
   */
  sharedMailbox?: string;
}

export interface StartDeltaParams {
  folder: GraphWellKnownFolder;
  select: readonly string[];
  /** Only messages received at or after this time (delta supports `receivedDateTime ge`). */
  receivedSince?: Date;
  /**
   * Only this kind of change (a custom query option of message delta:
   * microsoftgraph/msgraph-metadata#500, "Supported values are created, updated or deleted").
   */
  changeType?: 'created' | 'updated' | 'deleted';
  /** Sent as `Prefer: odata.maxpagesize`. */
  maxPageSize?: number;
}

export interface ListMessagesParams {
  folder: GraphWellKnownFolder;
  select: readonly string[];
  /** receivedDateTime >= from. */
  receivedFrom: Date;
  /** receivedDateTime <= through (inclusive: the keyset pager re-reads that instant). */
  receivedThrough: Date;
  /** `$top`, at most 1000 for messages. */
  top: number;
}

/**
 * Microsoft Graph v1.0 over fetch for the signed-in user (`/me`). Responses are parsed with
 * the schemas above; 429/5xx are retried honouring Retry-After; a 401 is retried once with a
 * refreshed token, then surfaces as `MailboxAuthError`; 410 / SyncStateNotFound on a delta
 * link surfaces as `GraphSyncStateExpiredError`.
 */
export class GraphClient {
  private readonly baseUrl: string;
  private readonly origin: string;
  private readonly http: ProviderHttpSettings;
  /** One per client, and the extension keeps one client per mailbox. */
  readonly budget: GraphRequestBudget;
  private readonly now: () => number;

  /** `me`, or `users/{address}` for a shared mailbox (see GraphClientOptions.sharedMailbox). */
  private readonly folderOwner: string;

  constructor(private readonly options: GraphClientOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://graph.microsoft.com').replace(/\/+$/, '');
    this.folderOwner = options.sharedMailbox
      ? `users/${encodeURIComponent(options.sharedMailbox.trim().toLowerCase())}`
      : 'me';
    this.origin = new URL(this.baseUrl).origin;
    this.http = providerHttpSettings(options);
    this.now = options.now ?? Date.now;
    this.budget = new GraphRequestBudget({
      ...options.requestBudget,
      now: this.now,
      sleep: this.http.retryEnvironment.sleep,
      maxWaitMs: this.http.retryPolicy.maxDelayMs,
    });
  }

  /** GET /me: the mailbox's address is `mail`, falling back to the sign-in name. */
  getMe(): Promise<GraphUser> {
    return this.request(
      `${this.baseUrl}/v1.0/me?$select=id,displayName,mail,userPrincipalName`,
      {},
      GraphUser,
    );
  }

  /** GET /me/messages/{id}?$select=...; null when the item does not exist (any more). */
  async getMessage(
    id: string,
    select: readonly string[] = GRAPH_MESSAGE_SELECT,
  ): Promise<GraphMessage | null> {
    const url = `${this.baseUrl}/v1.0/me/messages/${encodeURIComponent(id)}?$select=${select.join(',')}`;
    try {
      return await this.request(url, {}, GraphMessage);
    } catch (error) {
      if (error instanceof ProviderRequestError && error.status === 404) return null;
      throw error;
    }
  }

  /**
   * Adds a category to a message, keeping the ones it has: GET its categories, then PATCH the
   * list with `name` added (https://learn.microsoft.com/en-us/graph/api/message-update; the
   * category needs no entry in the master list, Outlook then shows it without a colour).
   * Resolves false when the message no longer exists. Needs Mail.ReadWrite: with Mail.Read
   * Graph answers 403 ErrorAccessDenied, surfaced as MailboxAuthError `insufficient_scope`.
   */
  async addMessageCategory(id: string, name: string): Promise<boolean> {
    const url = `${this.baseUrl}/v1.0/me/messages/${encodeURIComponent(id)}`;
    try {
      const current = await this.request(`${url}?$select=id,categories`, {}, GraphMessageCategories);
      const categories = current.categories ?? [];
      if (categories.some((c) => c.toLowerCase() === name.toLowerCase())) return true;
      await this.request(url, {}, GraphMessageCategories, { categories: [...categories, name] }, 'PATCH');
      return true;
    } catch (error) {
      if (error instanceof ProviderRequestError && error.status === 404) return false;
      throw error;
    }
  }

  /**
   * POST /me/messages/{id}/move to a folder id or well-known name ("archive":
   * https://learn.microsoft.com/en-us/graph/api/message-move, mailFolder "Well-known folder
   * names"). Resolves false when the message no longer exists.
   */
  async moveMessage(id: string, destinationId: string): Promise<boolean> {
    const url = `${this.baseUrl}/v1.0/me/messages/${encodeURIComponent(id)}/move`;
    try {
      await this.request(url, {}, z.object({ id: z.string() }), { destinationId });
      return true;
    } catch (error) {
      if (error instanceof ProviderRequestError && error.status === 404) return false;
      throw error;
    }
  }

  /**
   * POST /me/translateExchangeIds: ids of one mailbox from one format to another, at most
   * 1000 per call (https://learn.microsoft.com/en-us/graph/api/user-translateexchangeids).
   */
  async translateExchangeIds(
    inputIds: readonly string[],
    sourceIdType: GraphExchangeIdFormat,
    targetIdType: GraphExchangeIdFormat,
  ): Promise<GraphConvertIdResult[]> {
    if (inputIds.length === 0) return [];
    if (inputIds.length > 1000) throw new RangeError('translateExchangeIds takes at most 1000 ids per call');
    const result = await this.request(
      `${this.baseUrl}/v1.0/me/translateExchangeIds`,
      {},
      GraphConvertIdResults,
      {
        inputIds,
        sourceIdType,
        targetIdType,
      },
    );
    return result.value;
  }

  /**
   * The messages of one conversation, newest first: GET /me/messages with
   * `$filter=conversationId eq '<id>'` (https://learn.microsoft.com/en-us/graph/api/user-list-messages).
   */
  async listConversationMessages(
    conversationId: string,
    select: readonly string[] = GRAPH_MESSAGE_SELECT,
    top = 50,
  ): Promise<GraphMessage[]> {
    const filter = encodeURIComponent(`conversationId eq '${conversationId.replace(/'/g, "''")}'`);
    const url = `${this.baseUrl}/v1.0/me/messages?$filter=${filter}&$select=${select.join(',')}&$top=${top}`;
    return (await this.request(url, {}, GraphMessageList)).value;
  }

  /**
   * Newest first, one page of a folder's messages received in [from, through]. `$orderby` on
   * the property `$filter` restricts, in that order, as Graph requires of message lists
   * (learn.microsoft.com/graph/api/user-list-messages, "Using filter and orderby in the same
   * query"; InefficientFilter otherwise). Unlike a filtered delta it has no 5,000 cap.
   */
  listMessages(params: ListMessagesParams): Promise<GraphMessagePage> {
    const filter = `receivedDateTime ge ${params.receivedFrom.toISOString()} and receivedDateTime le ${params.receivedThrough.toISOString()}`;
    const query = [
      `$select=${params.select.join(',')}`,
      `$filter=${encodeURIComponent(filter)}`,
      `$orderby=${encodeURIComponent('receivedDateTime desc')}`,
      `$top=${Math.min(1000, Math.max(1, params.top))}`,
    ];
    const url = `${this.baseUrl}/v1.0/${this.folderOwner}/mailFolders('${params.folder}')/messages?${query.join('&')}`;
    return this.request(url, {}, GraphMessagePage);
  }

  /** First request of a delta round on a well-known folder. */
  startDelta(params: StartDeltaParams): Promise<GraphDeltaPage> {
    const query = [`$select=${params.select.join(',')}`];
    if (params.receivedSince) {
      // The only $filter message delta accepts is on receivedDateTime (ge/gt).
      query.push(
        `$filter=${encodeURIComponent(`receivedDateTime ge ${params.receivedSince.toISOString()}`)}`,
      );
    }
    if (params.changeType) query.push(`changeType=${params.changeType}`);
    const url = `${this.baseUrl}/v1.0/${this.folderOwner}/mailFolders('${params.folder}')/messages/delta?${query.join('&')}`;
    return this.deltaRequest(url, params.maxPageSize);
  }

  /**
   * Follows an `@odata.nextLink` or `@odata.deltaLink` as given (its tokens are opaque). Links
   * must point at the configured Graph origin: the bearer token is never sent anywhere else.
   */
  followDeltaLink(link: string, maxPageSize?: number): Promise<GraphDeltaPage> {
    if (new URL(link).origin !== this.origin) {
      return Promise.reject(new GraphSyncStateExpiredError('foreignLink'));
    }
    return this.deltaRequest(link, maxPageSize);
  }

  private deltaRequest(url: string, maxPageSize: number | undefined): Promise<GraphDeltaPage> {
    const headers: Record<string, string> = maxPageSize ? { prefer: `odata.maxpagesize=${maxPageSize}` } : {};
    return this.request(url, headers, GraphDeltaPage);
  }

  private request<T>(
    url: string,
    headers: Record<string, string>,
    schema: z.ZodType<T>,
    jsonBody?: unknown,
    method?: 'POST' | 'PATCH',
  ): Promise<T> {
    return authorizedJsonRequest({
      provider: 'outlook',
      url,
      headers,
      jsonBody,
      ...(method ? { method } : {}),
      schema,
      getAccessToken: this.options.getAccessToken,
      http: this.http,
      toError: (response) => this.toError(response),
      rejectedToken: { code: 'InvalidAuthenticationToken', message: 'Graph rejected the token' },
      // Every request is counted against the mailbox's 10,000 per 10 minutes before it is sent.
      around: async (send) => {
        await this.budget.take();
        return send();
      },
      onFailure: (error) => {
        // Throttled for longer than a pass waits (withRetries waits out the shorter ones):
        // nothing more is sent to this mailbox before Retry-After, from any pass.
        const retryAfter =
          error instanceof ProviderRequestError && error.status === 429 ? error.retryAfterMs : null;
        if (retryAfter !== null && retryAfter > this.http.retryPolicy.maxDelayMs) {
          this.budget.blockUntil(this.now() + retryAfter);
        }
      },
    });
  }

  private async toError(response: Response): Promise<Error> {
    const text = await response.text().catch(() => '');
    let code = String(response.status);
    let codes: string[] = [];
    let message = `Microsoft Graph ${response.status}`;
    try {
      const body = GraphErrorBody.parse(JSON.parse(text));
      codes = errorCodes(body.error);
      code = body.error.code ?? code;
      message = body.error.message ?? message;
    } catch {
      // Not Graph's envelope (gateway page): the status says enough.
    }
    const status = response.status;
    // syncStateNotFound / resyncRequired may be the top-level code or a nested innerError's
    // (learn.microsoft.com/graph/delta-query-overview, "Synchronization reset").
    const syncState = codes.find((c) => SYNC_STATE_CODES.has(c.toLowerCase()));
    if (status === 410 || syncState !== undefined) return new GraphSyncStateExpiredError(syncState ?? code);
    if (status === 401) return new MailboxAuthError('outlook', this.options.mailboxId, 'unauthorized');
    if (status === 403 && code === 'ErrorAccessDenied') {
      return new MailboxAuthError('outlook', this.options.mailboxId, 'insufficient_scope');
    }
    return new ProviderRequestError(
      'outlook',
      status,
      code,
      message,
      RETRYABLE_STATUSES.has(status),
      parseRetryAfter(response.headers.get('retry-after')),
    );
  }
}
