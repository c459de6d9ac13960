import { bodyLimit } from 'hono/body-limit';
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

/** Hono's body limit answering 413 in the error shape; `what` names the bodies ("request bodies"). */
export function limitBodies(maxSize: number, what: string) {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new HttpError(413, 'payload_too_large', `${what} are limited to ${maxSize} bytes`);
    },
  });
}
