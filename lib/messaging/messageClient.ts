import type { z } from 'zod';
import type { MessageSpec } from './protocol';

type Group<K> = K extends `${infer G}.${string}` ? G : never;
type ActionOf<K, G extends string> = K extends `${G}.${infer A}` ? A : never;
type SpecAt<T, K> = K extends keyof T ? T[K] : never;

/** One client method: the message's request in, its parsed response out. */
export type MessageMethod<S> = S extends MessageSpec
  ? (payload: z.input<S['request']>) => Promise<z.output<S['response']>>
  : never;

/**
 * A client derived from a message table: `thread.open` becomes `client.thread.open(payload)`.
 * Nobody writes a pass-through method per message, so a new message needs no client code.
 */
export type MessageClient<T extends Record<string, MessageSpec>> = {
  [G in Group<keyof T & string>]: {
    [A in ActionOf<keyof T & string, G>]: MessageMethod<SpecAt<T, `${G}.${A}`>>;
  };
};

/** What sends one message and answers its parsed response (lib/messaging/client's `send`). */
export type SendMessage = (type: string, payload: unknown) => Promise<unknown>;

export function groupAndAction(type: string): [group: string, action: string] {
  const dot = type.indexOf('.');
  if (dot <= 0 || dot === type.length - 1) throw new Error(`Message type "${type}" is not group.action`);
  return [type.slice(0, dot), type.slice(dot + 1)];
}

export function deriveMessageClient<T extends Record<string, MessageSpec>>(
  specs: T,
  send: SendMessage,
): MessageClient<T> {
  const client: Record<string, Record<string, (payload: unknown) => Promise<unknown>>> = {};
  for (const type of Object.keys(specs)) {
    const [group, action] = groupAndAction(type);
    client[group] ??= {};
    client[group][action] = (payload) => send(type, payload);
  }
  return client as MessageClient<T>;
}
