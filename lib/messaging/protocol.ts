import { z } from 'zod';
import { ErrorInfo } from '../errors/ErrorInfo';

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

/**
 * The runtime contexts that send messages to the background: `content` is a content script
 * in a webmail tab (the Gmail compose logger, the panel frame's host), a context that runs
 * beside page code and so may be driven by it; `extension` is one of the extension's own
 * pages (options, popup, and the panel page the content scripts frame, entrypoints/panel),
 * which page script can neither read nor drive. Writes to the CRM are `extension` only. Each
 * message names the contexts that may send it, so the router can refuse the rest (the
 * runtime-context split of bitwarden/clients apps/browser).
 */
export const SenderContext = z.enum(['content', 'extension']);
export type SenderContext = z.infer<typeof SenderContext>;

/**
 * The webmail a content script runs in, told by the background from the sender's URL
 * (classifySender), never from anything the content script says.
 */
export const Webmail = z.enum(['gmail', 'outlook']);
export type Webmail = z.infer<typeof Webmail>;

export interface MessageSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  request: Req;
  response: Res;
  /** Who may send it; the router refuses a message from any other context. */
  senders: readonly SenderContext[];
  /**
   * For a message content scripts may send: the webmail pages it may come from (`gmail.*`
   * only from Gmail tabs). Absent: a content script on any of our webmail hosts.
   */
  webmail?: readonly Webmail[];
}

/** `const` keeps each message's `senders` as a literal tuple, so the table can be filtered by type. */
export function defineMessages<const T extends Record<string, MessageSpec>>(specs: T): T {
  return specs;
}

/** The messages of `T` that context `C` may send. */
export type MessagesSentBy<T extends Record<string, MessageSpec>, C extends SenderContext> = {
  [K in keyof T as C extends T[K]['senders'][number] ? K : never]: T[K];
};

export function messagesSentBy<T extends Record<string, MessageSpec>, C extends SenderContext>(
  specs: T,
  context: C,
): MessagesSentBy<T, C> {
  return Object.fromEntries(
    Object.entries(specs).filter(([, spec]) => spec.senders.includes(context)),
  ) as MessagesSentBy<T, C>;
}

// Defined beside ErrorInfo so the shared error mapping (lib/errors/errorInfoOf) needs no messaging code.
export { RemoteError } from '../errors/ErrorInfo';
