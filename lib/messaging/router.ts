import type { z } from 'zod';
import { type ErrorInfo, issuesOf } from '../errors/ErrorInfo';
import { Envelope, type MessageSpec, type Reply, type SenderContext, type Webmail } from './protocol';

export type Handlers<T extends Record<string, MessageSpec>> = {
  [K in keyof T]: (
    payload: z.output<T[K]['request']>,
    sender: SenderInfo,
  ) => Promise<z.input<T[K]['response']>>;
};

/** Who sent a message, as the background tells from `runtime.MessageSender` (classifySender). */
export interface SenderInfo {
  context: SenderContext | 'unknown';
  tabId?: number;
  url?: string;
  /** A content script's webmail, from its URL's host (classifySender); absent on any other host. */
  webmail?: Webmail;
}

/** A message refused for its sender, for the event log: a forged write is recorded, not only answered. */
export interface RefusedMessage {
  type: string;
  sender: SenderInfo;
  error: ErrorInfo;
}

const WEBMAILS: readonly Webmail[] = ['gmail', 'outlook'];

function hostOf(url: string | undefined): string | null {
  try {
    return url ? new URL(url).host : null;
  } catch {
    return null;
  }
}

const SENDER_NAMES: Record<SenderInfo['context'], string> = {
  extension: 'an extension page',
  content: 'a content script',
  unknown: 'an unknown sender',
};

/**
 * One handler per message type; unknown types and bad payloads are answered with an
 * error reply instead of throwing, so a sender always gets an answer. A handler's failure
 * is mapped by `mapError` (the background passes its mapper, lib/errors/toErrorInfo, which
 * stays out of this shared module), so every reply carries one of the closed kinds.
 */
export function createRouter<T extends Record<string, MessageSpec>>(
  specs: T,
  handlers: Handlers<T>,
  mapError: (error: unknown) => ErrorInfo,
  onRefused: (refused: RefusedMessage) => void = () => undefined,
): (raw: unknown, sender: SenderInfo) => Promise<Reply> {
  const refuse = (type: string, sender: SenderInfo, message: string): Reply => {
    const error: ErrorInfo = { kind: 'invalid_message', message };
    onRefused({ type, sender, error });
    return { ok: false, error };
  };
  return async (raw, sender) => {
    const envelope = Envelope.safeParse(raw);
    if (!envelope.success) {
      return { ok: false, error: { kind: 'invalid_message', message: 'Message is not {type, payload}' } };
    }
    const { type, payload } = envelope.data;
    const spec = Object.hasOwn(specs, type) ? specs[type as keyof T] : undefined;
    if (!spec)
      return { ok: false, error: { kind: 'invalid_message', message: `Unknown message type: ${type}` } };
    // Checked before the payload is even parsed: a content script cannot probe the shapes
    // of extension-only messages either.
    if (sender.context === 'unknown' || !spec.senders.includes(sender.context))
      return refuse(type, sender, `${type} is not accepted from ${SENDER_NAMES[sender.context]}`);
    // A content script's webmail comes from its URL (classifySender): an Outlook tab cannot
    // speak for Gmail, nor a script on a host we do not serve for either.
    if (
      sender.context === 'content' &&
      !(sender.webmail && (spec.webmail ?? WEBMAILS).includes(sender.webmail))
    )
      return refuse(
        type,
        sender,
        `${type} is not accepted from a content script on ${hostOf(sender.url) ?? 'this page'}`,
      );
    const parsed = spec.request.safeParse(payload);
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          kind: 'invalid_message',
          message: `Invalid ${type} payload: ${parsed.error.message}`,
          issues: issuesOf(parsed.error),
        },
      };
    }
    try {
      const handler = handlers[type as keyof T];
      const result = await handler(parsed.data as never, sender);
      return { ok: true, data: spec.response.parse(result) };
    } catch (e) {
      return { ok: false, error: mapError(e) };
    }
  };
}
