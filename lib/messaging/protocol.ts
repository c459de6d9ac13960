import { z } from 'zod';
import { ErrorInfo, type ErrorKind } from '../errors/ErrorInfo';

export { ErrorInfo };

/**
 * The runtime-message protocol between content scripts / pages and the background.
 * Each message type has a request and a response schema; both ends parse with them,
 * so a content script and the background cannot disagree about a shape.
 * Message types are added to `MESSAGES` by the features that need them.
 */
export const Envelope = z.object({ type: z.string(), payload: z.unknown() });

export const Reply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorInfo }),
]);
export type Reply = z.infer<typeof Reply>;

export interface MessageSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  request: Req;
  response: Res;
}

export function defineMessages<T extends Record<string, MessageSpec>>(specs: T): T {
  return specs;
}

/** Raised on the sending side when the background answers with an error. */
export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
  get kind(): ErrorKind {
    return this.info.kind;
  }
}
