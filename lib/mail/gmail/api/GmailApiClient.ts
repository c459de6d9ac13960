import { z } from 'zod';
import type { AccessTokenProvider } from '../../../auth/AccessTokenProvider';
import { MailboxAuthError } from '../../../auth/MailboxAuthError';
import {
  authorizedJsonRequest,
  type ProviderHttpSettings,
  providerHttpSettings,
} from '../../sync/authorizedJsonRequest';
import {
  fetchWithTimeout,
  ProviderRequestError,
  parseRetryAfter,
  type RetryEnvironment,
  type RetryPolicy,
} from '../../sync/ProviderRequestError';
import { GMAIL_QUOTA_UNITS, GmailQuotaLimiter } from './GmailQuotaLimiter';
import {
  buildBatchBody,
  GMAIL_BATCH_MAX_PARTS,
  type GmailBatchAnswer,
  GmailBatchFormatError,
  newBatchBoundary,
  parseBatchResponse,
} from './gmailBatch';

// ---- Payload schemas (Gmail API v1, only the fields we read; unknown fields pass through) ----

/** users.getProfile */
export const GmailProfile = z.object({
  emailAddress: z.string(),
  messagesTotal: z.number().int().optional(),
  threadsTotal: z.number().int().optional(),
  /** uint64 as a decimal string. */
  historyId: z.string(),
});
export type GmailProfile = z.infer<typeof GmailProfile>;

const GmailMessageRef = z.object({
  id: z.string(),
  threadId: z.string(),
  labelIds: z.array(z.string()).optional(),
});
export type GmailMessageRef = z.infer<typeof GmailMessageRef>;

/** users.messages.list */
export const GmailMessageList = z.object({
  messages: z.array(GmailMessageRef).optional(),
  nextPageToken: z.string().optional(),
  resultSizeEstimate: z.number().int().optional(),
});
export type GmailMessageList = z.infer<typeof GmailMessageList>;

/** users.history.list */
export const GmailHistoryList = z.object({
  history: z
    .array(
      z.object({
        id: z.string(),
        messages: z.array(GmailMessageRef).optional(),
        messagesAdded: z.array(z.object({ message: GmailMessageRef })).optional(),
      }),
    )
    .optional(),
  nextPageToken: z.string().optional(),
  historyId: z.string(),
});
export type GmailHistoryList = z.infer<typeof GmailHistoryList>;

export const GmailHeader = z.object({ name: z.string(), value: z.string() });

export interface GmailMessagePart {
  partId?: string | undefined;
  mimeType?: string | undefined;
  filename?: string | undefined;
  headers?: { name: string; value: string }[] | undefined;
  body?: { size?: number | undefined; attachmentId?: string | undefined } | undefined;
  parts?: GmailMessagePart[] | undefined;
}
export const GmailMessagePart: z.ZodType<GmailMessagePart> = z.lazy(() =>
  z.object({
    partId: z.string().optional(),
    mimeType: z.string().optional(),
    filename: z.string().optional(),
    headers: z.array(GmailHeader).optional(),
    body: z.object({ size: z.number().optional(), attachmentId: z.string().optional() }).optional(),
    parts: z.array(GmailMessagePart).optional(),
  }),
);

/** users.messages.get (format=metadata; `full` parses too, its parts are optional here). */
export const GmailMessage = z.object({
  id: z.string(),
  threadId: z.string(),
  labelIds: z.array(z.string()).optional(),
  snippet: z.string().optional(),
  historyId: z.string().optional(),
  /** Epoch milliseconds as a decimal string. */
  internalDate: z.string().regex(/^\d+$/),
  sizeEstimate: z.number().int().optional(),
  payload: GmailMessagePart.optional(),
});
export type GmailMessage = z.infer<typeof GmailMessage>;

/**
 * users.threads.get: the conversation's messages, each as messages.get gives it in the same
 * format (Thread resource, developers.google.com/gmail/api/reference/rest/v1/users.threads).
 */
export const GmailThread = z.object({
  id: z.string(),
  historyId: z.string().optional(),
  messages: z.array(GmailMessage).optional(),
});
export type GmailThread = z.infer<typeof GmailThread>;

/** A label of users.labels.list / users.labels.create (id, name and type are what we read). */
export const GmailLabel = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(['system', 'user']).optional(),
});
export type GmailLabel = z.infer<typeof GmailLabel>;
const GmailLabelList = z.object({ labels: z.array(GmailLabel).optional() });

/** users.messages.batchModify takes at most 1,000 ids per call. */
export const GMAIL_BATCH_MODIFY_MAX_IDS = 1000;

/** Google's JSON error envelope. */
const GoogleErrorBody = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    errors: z.array(z.object({ reason: z.string().optional(), message: z.string().optional() })).optional(),
  }),
});

// ---- Errors ----

/** history.list 404: the startHistoryId is older than Gmail keeps; a full re-scan is needed. */
export class GmailHistoryExpiredError extends Error {
  override readonly name = 'GmailHistoryExpiredError';
  constructor(readonly startHistoryId: string) {
    super(`Gmail history ${startHistoryId} has expired`);
  }
}

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded']);

/**
 * The wait Gmail names in its per-user limit's message, "User-rate limit exceeded.  Retry
 * after 2018-04-27T17:20:36.724Z" (as quoted from real answers in bettergov/foiamail#36 and
 * taers232c/GAMADV-XTD3#337); null when the message names no time.
 */
function retryAfterInMessage(message: string, now: number = Date.now()): number | null {
  const match = /Retry after (\d{4}-\d{2}-\d{2}T[\d:.]+Z)/.exec(message);
  const at = match ? Date.parse(match[1] ?? '') : Number.NaN;
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function isRateLimited(error: ProviderRequestError): boolean {
  return error.status === 429 || (error.status === 403 && RATE_LIMIT_REASONS.has(error.code));
}

/** One getMessagesMetadata call's token state across its batches. */
interface BatchSession {
  forceRefresh: boolean;
  /** The token Gmail answered 401 to first, once it has. */
  refusedToken: string | null;
}

/** `format=metadata` with only `metadataHeaders` (headers + snippet privacy). */
function metadataQuery(metadataHeaders: readonly string[]): URLSearchParams {
  const query = new URLSearchParams({ format: 'metadata' });
  for (const header of metadataHeaders) query.append('metadataHeaders', header);
  return query;
}

function noAnswerError(id: string): ProviderRequestError {
  return new ProviderRequestError(
    'gmail',
    0,
    'batchNoAnswer',
    `the batch response had no answer for ${id}`,
    true,
  );
}

const SCOPE_REASONS = new Set(['insufficientPermissions', 'ACCESS_TOKEN_SCOPE_INSUFFICIENT']);

/** What one messages.get of a batch came to. */
export type GmailMetadataResult =
  | { kind: 'message'; message: GmailMessage }
  /** 404: deleted after it was listed. */
  | { kind: 'missing' }
  /** 200 with a payload our schema refuses: counted, never retried. */
  | { kind: 'unreadable'; error: z.ZodError };

export interface BatchOptions {
  /** Calls per batch request, at most 50 (the guide's recommendation). */
  maxParts?: number;
  /** Batch requests in flight; the quota limiter decides how many calls each carries. */
  inFlight?: number;
}

// ---- Client ----

export interface GmailApiClientOptions {
  /** Used in errors so the caller knows which mailbox needs re-authentication. */
  mailboxId: string;
  getAccessToken: AccessTokenProvider;
  baseUrl?: string;
  /** Shared by every request of this user; one per mailbox. */
  limiter?: GmailQuotaLimiter;
  fetch?: typeof fetch;
  timeoutMs?: number;
  retryPolicy?: RetryPolicy;
  retryEnvironment?: RetryEnvironment;
}

export interface ListMessagesParams {
  labelIds?: string[];
  /** Gmail search syntax. Refused by Gmail for tokens with only the gmail.metadata scope. */
  q?: string;
  pageToken?: string;
  maxResults?: number;
  includeSpamTrash?: boolean;
}

export interface ListHistoryParams {
  startHistoryId: string;
  labelId?: string;
  historyTypes?: ('messageAdded' | 'messageDeleted' | 'labelAdded' | 'labelRemoved')[];
  pageToken?: string;
  maxResults?: number;
}

/**
 * Gmail API v1 over fetch for one user (`me`). Every response is parsed with the schemas
 * above; every request first takes its quota units from the limiter; throttling, 5xx and
 * timeouts are retried (Retry-After first); a 401 is retried once with a refreshed token and
 * then surfaces as `MailboxAuthError`.
 */
export class GmailApiClient {
  readonly limiter: GmailQuotaLimiter;
  private readonly baseUrl: string;
  /** The base URL's path (empty for Google's host), which batch calls carry in front. */
  private readonly basePath: string;
  private readonly http: ProviderHttpSettings;

  constructor(private readonly options: GmailApiClientOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://gmail.googleapis.com').replace(/\/+$/, '');
    this.basePath = new URL(this.baseUrl).pathname.replace(/\/+$/, '');
    this.limiter = options.limiter ?? new GmailQuotaLimiter();
    this.http = providerHttpSettings(options);
  }

  getProfile(): Promise<GmailProfile> {
    return this.get('profile', new URLSearchParams(), GMAIL_QUOTA_UNITS.getProfile, GmailProfile);
  }

  listMessages(params: ListMessagesParams): Promise<GmailMessageList> {
    const query = new URLSearchParams();
    for (const label of params.labelIds ?? []) query.append('labelIds', label);
    if (params.q !== undefined) query.set('q', params.q);
    if (params.pageToken !== undefined) query.set('pageToken', params.pageToken);
    if (params.maxResults !== undefined) query.set('maxResults', String(params.maxResults));
    if (params.includeSpamTrash !== undefined) query.set('includeSpamTrash', String(params.includeSpamTrash));
    return this.get('messages', query, GMAIL_QUOTA_UNITS.messagesList, GmailMessageList);
  }

  /** @throws GmailHistoryExpiredError when Gmail answers 404 for the start id. */
  async listHistory(params: ListHistoryParams): Promise<GmailHistoryList> {
    const query = new URLSearchParams({ startHistoryId: params.startHistoryId });
    if (params.labelId !== undefined) query.set('labelId', params.labelId);
    for (const type of params.historyTypes ?? []) query.append('historyTypes', type);
    if (params.pageToken !== undefined) query.set('pageToken', params.pageToken);
    if (params.maxResults !== undefined) query.set('maxResults', String(params.maxResults));
    try {
      return await this.get('history', query, GMAIL_QUOTA_UNITS.historyList, GmailHistoryList);
    } catch (error) {
      if (error instanceof ProviderRequestError && error.status === 404) {
        throw new GmailHistoryExpiredError(params.startHistoryId);
      }
      throw error;
    }
  }

  /** users.labels.list: every label of the mailbox, system and user ones. */
  async listLabels(): Promise<GmailLabel[]> {
    const list = await this.get(
      'labels',
      new URLSearchParams(),
      GMAIL_QUOTA_UNITS.labelsList,
      GmailLabelList,
    );
    return list.labels ?? [];
  }

  /**
   * users.labels.create, shown in the label list and on messages. Gmail refuses a name that
   * exists already (409), which the caller resolves by listing again.
   */
  createLabel(name: string): Promise<GmailLabel> {
    return this.send('labels', GMAIL_QUOTA_UNITS.labelsCreate, GmailLabel, {
      name,
      labelListVisibility: 'labelShow',
      messageListVisibility: 'show',
    });
  }

  /**
   * users.messages.batchModify: adds and removes labels on up to 1,000 messages in one call
   * (50 quota units whatever the count; an empty answer). Needs gmail.modify: with a read-only
   * grant Gmail answers 403 insufficientPermissions, surfaced as MailboxAuthError `insufficient_scope`.
   */
  async batchModifyMessages(
    ids: readonly string[],
    change: { addLabelIds?: readonly string[]; removeLabelIds?: readonly string[] },
  ): Promise<void> {
    for (let start = 0; start < ids.length; start += GMAIL_BATCH_MODIFY_MAX_IDS) {
      await this.send('messages/batchModify', GMAIL_QUOTA_UNITS.messagesBatchModify, z.unknown(), {
        ids: ids.slice(start, start + GMAIL_BATCH_MODIFY_MAX_IDS),
        ...(change.addLabelIds?.length ? { addLabelIds: change.addLabelIds } : {}),
        ...(change.removeLabelIds?.length ? { removeLabelIds: change.removeLabelIds } : {}),
      });
    }
  }

  /**
   * messages.get with format=metadata and only `metadataHeaders` (headers + snippet privacy).
   * Resolves null when the message no longer exists (deleted after it was listed).
   */
  getMessageMetadata(id: string, metadataHeaders: readonly string[]): Promise<GmailMessage | null> {
    return this.getMetadata(
      `messages/${encodeURIComponent(id)}`,
      metadataHeaders,
      GMAIL_QUOTA_UNITS.messagesGet,
      GmailMessage,
    );
  }

  /**
   * threads.get with format=metadata and only `metadataHeaders`: every message of the thread in
   * one call (10 quota units against messages.get's 5 per message). Resolves null when Gmail
   * knows no thread under that id.
   */
  getThreadMetadata(id: string, metadataHeaders: readonly string[]): Promise<GmailThread | null> {
    return this.getMetadata(
      `threads/${encodeURIComponent(id)}`,
      metadataHeaders,
      GMAIL_QUOTA_UNITS.threadsGet,
      GmailThread,
    );
  }

  /**
   * messages.get (format=metadata, `metadataHeaders`) for many ids through Gmail's batch
   * endpoint (developers.google.com/gmail/api/guides/batch): at most 50 calls per HTTP
   * request, each call taking its own quota units from the limiter ("a set of n requests
   * batched together counts toward your usage limit as n requests"), so a batch carries as
   * many calls as the window has room for. Every id ends in exactly one result: a call that
   * fails retryably inside its part (429, 403 rate limits, 5xx), or with the whole batch
   * (5xx, timeout, an unreadable response), goes into the next round after Retry-After or a
   * backoff, and only that call; after the policy's attempts the error is thrown and nothing
   * of this call is kept, so the caller's cursor stays where it was.
   */
  async getMessagesMetadata(
    ids: readonly string[],
    metadataHeaders: readonly string[],
    options: BatchOptions = {},
  ): Promise<Map<string, GmailMetadataResult>> {
    const maxParts = Math.min(GMAIL_BATCH_MAX_PARTS, Math.max(1, options.maxParts ?? GMAIL_BATCH_MAX_PARTS));
    const inFlight = Math.max(1, options.inFlight ?? 4);
    const unit = GMAIL_QUOTA_UNITS.messagesGet;
    const query = metadataQuery(metadataHeaders);
    const results = new Map<string, GmailMetadataResult>();
    const attempts = new Map<string, number>();
    const session: BatchSession = { forceRefresh: false, refusedToken: null };
    let wholeBatchFailures = 0;
    let queue = [...new Set(ids)];
    const { retryPolicy: policy, retryEnvironment: env } = this.http;
    while (queue.length > 0) {
      const pending = queue;
      const failed: { id: string; error: ProviderRequestError; whole?: boolean }[] = [];
      let fatal: { error: unknown } | null = null;
      const worker = async () => {
        while (fatal === null && pending.length > 0) {
          // A batch waits until half a batch fits (or all that is left): taking every few
          // units that come free would split the window into ever smaller batches.
          const fits = Math.max(1, Math.floor(this.limiter.capacity / unit));
          const least = Math.min(pending.length, Math.ceil(maxParts / 2), fits);
          const lease = await this.limiter.acquireUpTo(
            unit * least,
            unit * Math.min(maxParts, pending.length),
            unit,
          );
          const take = Math.min(Math.floor(lease.units / unit), pending.length, maxParts);
          lease.shrink(take * unit);
          const chunk = pending.splice(0, take);
          try {
            if (chunk.length === 0 || fatal !== null) continue;
            const answered = await this.sendBatch(chunk, query, session);
            for (const id of chunk) {
              const outcome = answered.get(id);
              if (outcome === undefined || outcome instanceof ProviderRequestError) {
                failed.push({ id, error: outcome ?? noAnswerError(id) });
              } else results.set(id, outcome);
            }
          } catch (error) {
            if (error instanceof ProviderRequestError && error.retryable) {
              // The batch failed as a whole: no call inside it ran, so it costs the calls
              // no attempt of their own (the rounds are capped below).
              wholeBatchFailures++;
              for (const id of chunk) failed.push({ id, error, whole: true });
            } else fatal ??= { error };
          } finally {
            lease.release();
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(inFlight, pending.length) }, worker));
      if (fatal !== null) throw (fatal as { error: unknown }).error;
      if (failed.length === 0) break;
      let wait = 0;
      for (const { id, error, whole } of failed) {
        // A refreshed token after a first 401 is a retry that costs no attempt.
        if (error.code === 'tokenRefreshed') continue;
        const n = (attempts.get(id) ?? 0) + (whole ? 0 : 1);
        attempts.set(id, n);
        if (n >= policy.maxAttempts || wholeBatchFailures >= policy.maxAttempts * 4) throw error;
        const backoff =
          env.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, n - 1));
        wait = Math.max(
          wait,
          error.retryAfterMs !== null ? Math.min(policy.maxDelayMs, error.retryAfterMs) : backoff,
        );
      }
      // The next round keeps the ids' order; nothing answered is asked again.
      const again = new Set(failed.map((f) => f.id));
      queue = [...new Set(ids)].filter((id) => again.has(id));
      if (wait > 0) await env.sleep(wait);
    }
    return results;
  }

  /**
   * One batch request. Resolves each call's result, or its retryable error; throws when the
   * batch as a whole failed (retryable or not) or a call failed in a way no retry can mend.
   */
  private async sendBatch(
    chunk: readonly string[],
    query: URLSearchParams,
    session: BatchSession,
  ): Promise<Map<string, GmailMetadataResult | ProviderRequestError>> {
    const forceRefresh = session.forceRefresh;
    session.forceRefresh = false;
    const token = await this.options.getAccessToken({ forceRefresh });
    const boundary = newBatchBoundary();
    const contentIds = chunk.map((_, i) => `item${i}`);
    const body = buildBatchBody(
      chunk.map((id, i) => ({
        id: contentIds[i] as string,
        path: `${this.basePath}/gmail/v1/users/me/messages/${encodeURIComponent(id)}?${query}`,
      })),
      boundary,
    );
    const response = await fetchWithTimeout(
      'gmail',
      this.http.fetchImpl,
      `${this.baseUrl}/batch/gmail/v1`,
      {
        method: 'POST',
        body,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/mixed; boundary=${boundary}`,
        },
      },
      this.http.timeoutMs,
    );
    if (!response.ok) throw this.batchFailure(await this.toError(response), session, token);
    let answers: Map<string, GmailBatchAnswer>;
    try {
      answers = parseBatchResponse(
        response.headers.get('content-type'),
        new Uint8Array(await response.arrayBuffer()),
        new Set(contentIds),
      );
    } catch (error) {
      if (!(error instanceof GmailBatchFormatError)) throw error;
      throw new ProviderRequestError('gmail', response.status, 'batchFormat', error.message, true);
    }
    const outcomes = new Map<string, GmailMetadataResult | ProviderRequestError>();
    for (const [i, id] of chunk.entries()) {
      const answer = answers.get(contentIds[i] as string);
      if (answer === undefined) continue;
      outcomes.set(id, await this.readAnswer(answer, session, token));
    }
    return outcomes;
  }

  private async readAnswer(
    answer: GmailBatchAnswer,
    session: BatchSession,
    token: string,
  ): Promise<GmailMetadataResult | ProviderRequestError> {
    if (answer.status === 404) return { kind: 'missing' };
    if (answer.status >= 200 && answer.status < 300) {
      let json: unknown;
      try {
        json = JSON.parse(answer.body);
      } catch {
        return new ProviderRequestError('gmail', answer.status, 'batchFormat', 'unreadable batch part', true);
      }
      const parsed = GmailMessage.safeParse(json);
      return parsed.success
        ? { kind: 'message', message: parsed.data }
        : { kind: 'unreadable', error: parsed.error };
    }
    const error = await this.toError(
      new Response(answer.body, { status: answer.status, headers: [...answer.headers.entries()] }),
    );
    const failure = this.batchFailure(error, session, token);
    if (failure instanceof ProviderRequestError && failure.retryable) return failure;
    throw failure;
  }

  /**
   * What a failed batch or call means for the rounds: a first 401 becomes a retry with a
   * refreshed token; a rate limit pauses every request of the user, as single requests do.
   */
  private batchFailure(error: Error, session: BatchSession, token: string): Error {
    // Every call sent with the token that was first refused is retried with a refreshed
    // one; a refreshed token refused again means the mailbox needs the user.
    if (
      error instanceof MailboxAuthError &&
      error.reason === 'unauthorized' &&
      (session.refusedToken === null || session.refusedToken === token)
    ) {
      if (session.refusedToken === null) session.forceRefresh = true;
      session.refusedToken = token;
      return new ProviderRequestError(
        'gmail',
        401,
        'tokenRefreshed',
        'Gmail rejected the access token',
        true,
        0,
      );
    }
    if (error instanceof ProviderRequestError && isRateLimited(error)) {
      this.limiter.pauseUntil(Date.now() + (error.retryAfterMs ?? 1000));
    }
    return error;
  }

  private get<T>(path: string, query: URLSearchParams, units: number, schema: z.ZodType<T>): Promise<T> {
    return this.request(path, query, units, schema);
  }

  /** A format=metadata read of one resource; null when Gmail answers 404 (no such id). */
  private async getMetadata<T>(
    path: string,
    metadataHeaders: readonly string[],
    units: number,
    schema: z.ZodType<T>,
  ): Promise<T | null> {
    try {
      return await this.get(path, metadataQuery(metadataHeaders), units, schema);
    } catch (error) {
      if (error instanceof ProviderRequestError && error.status === 404) return null;
      throw error;
    }
  }

  /** A POST of a JSON body (writes). */
  private send<T>(path: string, units: number, schema: z.ZodType<T>, body: unknown): Promise<T> {
    return this.request(path, new URLSearchParams(), units, schema, body);
  }

  private request<T>(
    path: string,
    query: URLSearchParams,
    units: number,
    schema: z.ZodType<T>,
    jsonBody?: unknown,
  ): Promise<T> {
    const qs = query.toString();
    return authorizedJsonRequest({
      provider: 'gmail',
      url: `${this.baseUrl}/gmail/v1/users/me/${path}${qs ? `?${qs}` : ''}`,
      jsonBody,
      schema,
      getAccessToken: this.options.getAccessToken,
      http: this.http,
      toError: (response) => this.toError(response),
      rejectedToken: { code: 'authError', message: 'Gmail rejected the access token' },
      // Every request takes its quota units first and gives them back when the response is in.
      around: async (send) => {
        const release = await this.limiter.acquire(units);
        try {
          return await send();
        } finally {
          release();
        }
      },
      onFailure: (error) => {
        // Gmail's per-user limit answers 429 or 403 userRateLimitExceeded / rateLimitExceeded
        // (developers.google.com/gmail/api/guides/handle-errors): every request of the user
        // waits, for Retry-After when given, else for one quota window.
        if (error instanceof ProviderRequestError && isRateLimited(error)) {
          this.limiter.pauseUntil(Date.now() + (error.retryAfterMs ?? 1000));
        }
      },
    });
  }

  private async toError(response: Response): Promise<Error> {
    const headerRetryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    const text = await response.text().catch(() => '');
    let message = `Gmail API ${response.status}`;
    let reason = '';
    try {
      const body = GoogleErrorBody.parse(JSON.parse(text));
      message = body.error.message ?? message;
      reason = body.error.errors?.[0]?.reason ?? body.error.status ?? '';
    } catch {
      // Not Google's JSON envelope (a proxy's HTML page): keep the status only.
    }
    const status = response.status;
    if (status === 401) return new MailboxAuthError('gmail', this.options.mailboxId, 'unauthorized');
    if (status === 403 && SCOPE_REASONS.has(reason)) {
      return new MailboxAuthError('gmail', this.options.mailboxId, 'insufficient_scope');
    }
    const rateLimited = status === 429 || (status === 403 && RATE_LIMIT_REASONS.has(reason));
    const retryable = rateLimited || status >= 500;
    // Gmail names the time to come back in the message of its per-user limit rather than in a
    // Retry-After header; without either the backoff policy decides.
    const retryAfterMs = headerRetryAfterMs ?? (rateLimited ? retryAfterInMessage(message) : null);
    return new ProviderRequestError(
      'gmail',
      status,
      reason || String(status),
      message,
      retryable,
      retryAfterMs,
    );
  }
}
