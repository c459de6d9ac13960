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
import { GMAIL_QUOTA_UNITS, GmailQuotaLimiter } from './GmailQuotaLimiter';

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
function isRateLimited(error: ProviderRequestError): boolean {
  return error.status === 429 || (error.status === 403 && RATE_LIMIT_REASONS.has(error.code));
}

const SCOPE_REASONS = new Set(['insufficientPermissions', 'ACCESS_TOKEN_SCOPE_INSUFFICIENT']);

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
  private readonly http: ProviderHttpSettings;

  constructor(private readonly options: GmailApiClientOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://gmail.googleapis.com').replace(/\/+$/, '');
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

  /**
   * messages.get with format=metadata and only `metadataHeaders` (headers + snippet privacy).
   * Resolves null when the message no longer exists (deleted after it was listed).
   */
  async getMessageMetadata(id: string, metadataHeaders: readonly string[]): Promise<GmailMessage | null> {
    const query = new URLSearchParams({ format: 'metadata' });
    for (const header of metadataHeaders) query.append('metadataHeaders', header);
    try {
      return await this.get(
        `messages/${encodeURIComponent(id)}`,
        query,
        GMAIL_QUOTA_UNITS.messagesGet,
        GmailMessage,
      );
    } catch (error) {
      if (error instanceof ProviderRequestError && error.status === 404) return null;
      throw error;
    }
  }

  private get<T>(path: string, query: URLSearchParams, units: number, schema: z.ZodType<T>): Promise<T> {
    const qs = query.toString();
    return authorizedJsonRequest({
      provider: 'gmail',
      url: `${this.baseUrl}/gmail/v1/users/me/${path}${qs ? `?${qs}` : ''}`,
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
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
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
    // Gmail rarely sends Retry-After on 429; without one the backoff policy decides.
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
