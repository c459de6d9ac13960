import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCertificate } from './testCertificate';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * One HTTPS server for every mapped webmail host: Chromium resolves each host to this
 * server's port, and the Host header picks the handler, so the real content-script
 * match patterns (https://outlook.office.com/*, ...) apply unchanged.
 */
export class HostRoutedHttpsServer {
  private readonly handlers = new Map<string, RequestHandler>();
  private server: Server | null = null;
  port = 0;

  constructor(private readonly certificate: TestCertificate) {}

  route(host: string, handler: RequestHandler): this {
    this.handlers.set(host, handler);
    return this;
  }

  async start(): Promise<void> {
    this.server = createServer({ key: this.certificate.key, cert: this.certificate.cert }, (req, res) => {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      const handler = this.handlers.get(host);
      if (!handler) {
        res.writeHead(421, { 'content-type': 'text/plain' }).end(`No fixture for host ${host}`);
        return;
      }
      Promise.resolve(handler(req, res)).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(e));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
