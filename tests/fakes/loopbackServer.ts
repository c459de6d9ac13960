import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** How a fake API listens: a port (random unless given) and, for HTTPS, a key and cert. */
export interface LoopbackServerOptions {
  port?: number;
  tls?: { key: string; cert: string };
}

/** An HTTP server, or HTTPS when a key and cert are passed, that hands requests to `handle`. */
export function createFakeServer(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  tls?: LoopbackServerOptions['tls'],
): Server {
  const listener = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
  return tls ? createHttpsServer(tls, listener) : createHttpServer(listener);
}

/** Listens on 127.0.0.1 and resolves with the server's origin. */
export async function listenOnLoopback(server: Server, options: LoopbackServerOptions = {}): Promise<string> {
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
}

/** Drops open connections and resolves when the server has closed. */
export async function closeServerNow(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export type JsonSend = (status: number, body: unknown, headers?: Record<string, string>) => void;

/** Answers with a JSON body, counting the status in `byStatus`; a no-op once the client has gone. */
export function jsonSender(
  res: ServerResponse,
  byStatus: Record<number, number>,
  contentType: string,
): JsonSend {
  return (status, body, headers = {}) => {
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': contentType, ...headers });
    res.end(JSON.stringify(body));
  };
}
