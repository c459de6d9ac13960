import type { ErrorCodeOf, ErrorKind } from '../errors/ErrorInfo';

/**
 * Typed failures of a CRM call (a subset of the extension's ErrorKind), so the UI can say what went wrong and the outbox can
 * decide whether to retry. Messages never contain the token.
 */
export type CrmErrorKind = Extract<
  ErrorKind,
  | 'auth' // 401/403: token missing, wrong or without rights
  | 'not_found' // 404
  | 'conflict' // 409
  | 'invalid_request' // 400/413: our request was rejected; retrying will not help
  | 'rate_limited' // 429
  | 'server' // 5xx
  | 'network' // no answer: offline, DNS, refused, timeout
  | 'invalid_response' // an answer that does not match the contract
  | 'not_configured' // no CRM base URL or token yet
  | 'unsupported' // the connected CRM lacks the capability (see CrmCapabilities)
>;

export class CrmError<K extends CrmErrorKind = CrmErrorKind> extends Error {
  override readonly name = 'CrmError';
  constructor(
    readonly kind: K,
    message: string,
    readonly options: {
      status?: number;
      retryAfterMs?: number;
      details?: unknown;
      code?: ErrorCodeOf<K>;
    } = {},
  ) {
    super(message);
  }

  /** The sub-case of the kind, worded in describeError. */
  get code(): ErrorCodeOf<K> | undefined {
    return this.options.code;
  }

  get status(): number | undefined {
    return this.options.status;
  }

  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }

  /** Whether the same request may succeed later without anyone changing anything. */
  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'server' || this.kind === 'network';
  }
}

export function isCrmError(e: unknown): e is CrmError {
  return e instanceof CrmError;
}
