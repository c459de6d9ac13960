import type { z } from 'zod';
import { type MessageSpec, RemoteError, Reply } from './protocol';

export type Transport = (envelope: { type: string; payload: unknown }) => Promise<unknown>;

/**
 * A typed sender over any transport (runtime.sendMessage in the extension, a direct
 * router call in tests). Replies are parsed, so a broken background is an error here,
 * not a silent `undefined`.
 */
export function createClient<T extends Record<string, MessageSpec>>(specs: T, transport: Transport) {
  return async function send<K extends keyof T & string>(
    type: K,
    payload: z.input<T[K]['request']>,
  ): Promise<z.output<T[K]['response']>> {
    const raw = await transport({ type, payload });
    const reply = Reply.safeParse(raw);
    if (!reply.success) {
      throw new RemoteError({ kind: 'invalid_reply', message: 'The extension background did not answer.' });
    }
    if (!reply.data.ok) throw new RemoteError(reply.data.error);
    return specs[type]!.response.parse(reply.data.data) as z.output<T[K]['response']>;
  };
}
