import type { z } from 'zod';
import { CrmError, type CrmErrorKind } from './CrmError';

/** How one CRM's HTTP calls are made and how its error answers become CrmErrors. */
export interface CrmHttp {
  fetch: typeof fetch;
  timeoutMs: number;
  /** The bearer token (or a way to get the current one); never appears in a message. */
  token: () => string | Promise<string>;
  errorFromResponse(what: string, response: Response, text: string): CrmError;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** `fetch` bound to its global receiver: a bare reference loses it ("Illegal invocation"). */
export function defaultFetch(): typeof fetch {
  return globalThis.fetch.bind(globalThis);
}

/**
 * One JSON call to a CRM: bearer token, timeout, the answer parsed with `schema`, every
 * failure a CrmError whose message names the call and never holds the token.
 */
export async function crmJsonRequest<S extends z.ZodType>(
  http: CrmHttp,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  schema: S,
  body?: unknown,
): Promise<z.output<S>> {
  const what = `${method} ${new URL(url).pathname}`;
  const token = await http.token();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), http.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await http.fetch(url, {
      method,
      headers: {
        Accept: 'application/json',
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
    text = await response.text();
  } catch (error) {
    const message = controller.signal.aborted
      ? `${what}: no answer within ${http.timeoutMs} ms`
      : `${what}: ${describeNetworkError(error)}`;
    throw new CrmError('network', redact(message, token));
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    const error = http.errorFromResponse(what, response, text);
    throw new CrmError(error.kind, redact(error.message, token), error.options);
  }
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new CrmError('invalid_response', `${what}: the answer is not JSON`, { status: response.status });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? ` at ${first.path.join('.') || '(root)'}: ${first.message}` : '';
    throw new CrmError('invalid_response', `${what}: the answer does not have the expected shape${where}`, {
      status: response.status,
      details: parsed.error.issues,
    });
  }
  return parsed.data;
}

export function kindForStatus(status: number): CrmErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  if (status >= 400) return 'invalid_request';
  return 'invalid_response';
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Proxies and gateways answer errors in HTML; the status alone is enough.
    return undefined;
  }
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return 'network error';
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

/** A server may echo headers in an error; the token must never reach a log or the UI. */
export function redact(message: string, token: string): string {
  return token ? message.split(token).join('[token]') : message;
}
