import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** An error that becomes `{error: {code, message, details}}` with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
