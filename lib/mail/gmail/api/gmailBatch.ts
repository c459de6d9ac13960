import { getMultipartBoundary, parseMultipart } from '@remix-run/multipart-parser';

/**
 * The wire format of Gmail's batch endpoint (POST /batch/gmail/v1), as published in
 * https://developers.google.com/gmail/api/guides/batch ("Format of a batch request",
 * "Response to a batch request"):
 * - the request is `multipart/mixed`; each part has `Content-Type: application/http` and a
 *   `Content-ID`, and its body is a whole HTTP request with only the path of the URL;
 * - the response is `multipart/mixed` too; each part is a whole HTTP response (status line,
 *   headers, body) whose `Content-ID` is the request's with `response-` in front;
 * - the calls may run in any order, so the Content-ID is what pairs an answer with its call.
 * Google's own clients build and read it the same way (googleapis/google-api-python-client,
 * googleapiclient/http.py, BatchHttpRequest: `_id_to_header` / `_header_to_id`,
 * `_serialize_request`, `_deserialize_response`).
 */

/** Google's hard limit per batch; the guide recommends at most 50. */
export const GMAIL_BATCH_HARD_LIMIT = 100;
/** What we send at most ("Sending batches larger than 50 requests is not recommended"). */
export const GMAIL_BATCH_MAX_PARTS = 50;

export interface GmailBatchPart {
  /** Our id for the call, sent as `Content-ID: <id>`. */
  id: string;
  /** Path and query only, e.g. `/gmail/v1/users/me/messages/abc?format=metadata`. */
  path: string;
}

export interface GmailBatchAnswer {
  status: number;
  /** Header names lower-cased. */
  headers: Map<string, string>;
  body: string;
}

const CRLF = '\r\n';

/** A boundary no message id or path can contain (RFC 2046 allows up to 70 characters). */
export function newBatchBoundary(random: () => number = Math.random): string {
  let tail = '';
  for (let i = 0; i < 24; i++) tail += Math.floor(random() * 36).toString(36);
  return `batch_${tail}`;
}

/** The body of a batch of GET calls; the caller sends it with `multipart/mixed; boundary=…`. */
export function buildBatchBody(parts: readonly GmailBatchPart[], boundary: string): string {
  if (parts.length === 0) throw new RangeError('a batch needs at least one call');
  if (parts.length > GMAIL_BATCH_MAX_PARTS) {
    throw new RangeError(`a batch takes at most ${GMAIL_BATCH_MAX_PARTS} calls`);
  }
  let body = '';
  for (const part of parts) {
    if (!part.path.startsWith('/')) throw new RangeError('batch calls carry the path only, never a URL');
    if (/[\r\n<>]/.test(part.id))
      throw new RangeError('a Content-ID may not contain CR, LF or angle brackets');
    body += `--${boundary}${CRLF}`;
    body += `Content-Type: application/http${CRLF}`;
    body += `Content-ID: <${part.id}>${CRLF}${CRLF}`;
    body += `GET ${part.path} HTTP/1.1${CRLF}${CRLF}`;
  }
  return `${body}--${boundary}--${CRLF}`;
}

/** The error a batch response that cannot be read throws (the whole batch is retried). */
export class GmailBatchFormatError extends Error {
  override readonly name = 'GmailBatchFormatError';
}

/**
 * Reads a batch response into the answer of each call, keyed by our Content-ID (the
 * `response-` prefix removed). Parts without a Content-ID, or with one we did not send, are
 * an error: an answer we cannot pair must not be guessed at.
 */
export function parseBatchResponse(
  contentType: string | null,
  body: Uint8Array,
  sentIds: ReadonlySet<string>,
): Map<string, GmailBatchAnswer> {
  const boundary = contentType ? getMultipartBoundary(contentType) : null;
  if (!contentType?.toLowerCase().startsWith('multipart/mixed') || !boundary) {
    throw new GmailBatchFormatError(`batch response is not multipart/mixed (${contentType ?? 'no type'})`);
  }
  const answers = new Map<string, GmailBatchAnswer>();
  let parts: ReturnType<typeof parseMultipart>;
  try {
    parts = parseMultipart(body, {
      boundary,
      maxParts: GMAIL_BATCH_HARD_LIMIT,
      maxFileSize: 8 * 1024 * 1024,
    });
    for (const part of parts) {
      const contentId = part.headers['content-id'];
      const id = contentId ? idFromResponseContentId(contentId) : null;
      if (id === null || !sentIds.has(id)) {
        throw new GmailBatchFormatError(
          `batch response part with an unknown Content-ID (${contentId ?? 'none'})`,
        );
      }
      if (answers.has(id)) throw new GmailBatchFormatError(`batch response answers ${id} twice`);
      answers.set(id, parseHttpResponse(new TextDecoder().decode(part.bytes)));
    }
  } catch (error) {
    if (error instanceof GmailBatchFormatError) throw error;
    throw new GmailBatchFormatError(`batch response could not be read: ${(error as Error).message}`);
  }
  return answers;
}

/** `<response-abc>` -> `abc` (also accepts the id without the prefix, as some proxies echo it). */
function idFromResponseContentId(value: string): string | null {
  const match = /^<?(?:response-)?([^<>]+?)>?$/.exec(value.trim());
  return match?.[1] ?? null;
}

/** One embedded HTTP response: `HTTP/1.1 200 OK`, headers, blank line, body. */
export function parseHttpResponse(text: string): GmailBatchAnswer {
  const headerEnd = text.search(/\r?\n\r?\n/);
  const head = headerEnd === -1 ? text : text.slice(0, headerEnd);
  const rest = headerEnd === -1 ? '' : text.slice(headerEnd).replace(/^\r?\n\r?\n/, '');
  const [statusLine = '', ...headerLines] = head.split(/\r?\n/);
  const status = /^HTTP\/\d(?:\.\d)?\s+(\d{3})\b/.exec(statusLine.trim());
  if (!status) throw new GmailBatchFormatError(`not an HTTP response: ${statusLine.slice(0, 40)}`);
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(status[1]), headers, body: rest.replace(/\r?\n$/, '') };
}
