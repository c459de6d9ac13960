import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../fakes/FakeGmailApi';

export type CrmFault =
  /** The gateway answers 500/502/503 with the contract's error body; the CRM never sees it. */
  | 'serverError'
  /** 429 with Retry-After (seconds); the CRM never sees it. */
  | 'rateLimit'
  /** The CRM handles (and commits) the request, then the connection is cut before the answer. */
  | 'dropAfterCommit'
  /** The CRM commits, and the answer is held past the client's timeout, then the socket is cut. */
  | 'timeoutAfterCommit'
  /**
   * The gateway refuses the request as too large, as nginx does past client_max_body_size
   * ("the 413 (Request Entity Too Large) error is returned to the client",
   * https://nginx.org/en/docs/http/ngx_http_core_module.html#client_max_body_size), with its
   * HTML error page; the CRM never sees it. A refusal, not a hiccup: nobody retries it blindly.
   * Only ever scripted (weight 0 unless given).
   */
  | 'refused';

export interface FaultyCrmProxyOptions {
  /** Where the real CRM is (read per request, so a restarted CRM is followed). */
  target: () => string;
  /** Share of requests (other than CORS preflights) that get a fault. */
  probability: number;
  /** Relative weights of the fault kinds. */
  weights?: Partial<Record<CrmFault, number>>;
  retryAfterSeconds?: number;
  /** How long a "timeout" holds the answer; must exceed the connector's 10 s. */
  holdMs?: number;
  seed?: number;
}

export interface FaultyCrmProxyCounters {
  requests: number;
  forwarded: number;
  faults: number;
  byFault: Record<CrmFault, number>;
  byPath: Record<string, number>;
}

export interface FaultyCrmProxy {
  url: string;
  counters: FaultyCrmProxyCounters;
  setProbability(p: number): void;
  /** The next request whose "METHOD /path" starts with `match` gets `fault` (scripted, before the random ones). */
  enqueueFault(fault: CrmFault, match?: string): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

/**
 * A fault-injecting HTTP gateway in front of the reference CRM, as a flaky load balancer
 * would be: errors the CRM never saw (5xx, 429 + Retry-After), and, worse for exactly-once,
 * answers lost after the CRM committed (connection cut, or held past the client's timeout).
 * CORS headers are those of the CRM (forwarded) or, on injected errors, the same ones.
 */
export async function startFaultyCrmProxy(options: FaultyCrmProxyOptions): Promise<FaultyCrmProxy> {
  const random = seededRandom(options.seed ?? 42);
  const weights: Record<CrmFault, number> = {
    serverError: 5,
    rateLimit: 2,
    dropAfterCommit: 2.5,
    timeoutAfterCommit: 0.5,
    refused: 0,
    ...options.weights,
  };
  let probability = options.probability;
  const counters: FaultyCrmProxyCounters = {
    requests: 0,
    forwarded: 0,
    faults: 0,
    byFault: { serverError: 0, rateLimit: 0, dropAfterCommit: 0, timeoutAfterCommit: 0, refused: 0 },
    byPath: {},
  };
  const sockets = new Set<import('node:net').Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const scripted: { fault: CrmFault; match: string }[] = [];
  const pick = (path: string): CrmFault | null => {
    const index = scripted.findIndex((s) => path.startsWith(s.match));
    if (index !== -1) return scripted.splice(index, 1)[0]!.fault;
    if (random() >= probability) return null;
    const entries = Object.entries(weights) as [CrmFault, number][];
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = random() * total;
    for (const [kind, w] of entries) {
      r -= w;
      if (r < 0) return kind;
    }
    return entries[0]![0];
  };

  const cors = (_req: IncomingMessage) => ({
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'Retry-After',
  });

  const forward = async (req: IncomingMessage, body: Buffer) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const upstream = await fetch(`${options.target()}${req.url ?? '/'}`, {
      method: req.method,
      headers,
      body:
        req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS'
          ? undefined
          : new Uint8Array(body),
    });
    counters.forwarded++;
    const responseHeaders: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') responseHeaders[name] = value;
    });
    return {
      status: upstream.status,
      headers: responseHeaders,
      body: Buffer.from(await upstream.arrayBuffer()),
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    counters.requests++;
    const path = `${req.method} ${(req.url ?? '/').split('?')[0]}`;
    // Preflights pass untouched: a failed preflight is just a network error, already covered.
    const fault = req.method === 'OPTIONS' ? null : pick(path);
    if (fault) {
      counters.faults++;
      counters.byFault[fault]++;
      counters.byPath[path] = (counters.byPath[path] ?? 0) + 1;
    }
    if (fault === 'serverError') {
      const status = [500, 502, 503][Math.floor(random() * 3)]!;
      res.writeHead(status, { 'content-type': 'application/json', ...cors(req) });
      res.end(JSON.stringify({ error: { code: 'unavailable', message: 'Injected gateway error' } }));
      return;
    }
    if (fault === 'rateLimit') {
      res.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': String(options.retryAfterSeconds ?? 1),
        ...cors(req),
      });
      res.end(JSON.stringify({ error: { code: 'rate_limited', message: 'Injected rate limit' } }));
      return;
    }
    if (fault === 'refused') {
      res.writeHead(413, { 'content-type': 'text/html', ...cors(req) });
      res.end(
        '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
      );
      return;
    }
    let answer: Awaited<ReturnType<typeof forward>>;
    try {
      answer = await forward(req, body);
    } catch (error) {
      res.writeHead(502, { 'content-type': 'application/json', ...cors(req) });
      res.end(JSON.stringify({ error: { code: 'bad_gateway', message: String(error) } }));
      return;
    }
    if (fault === 'dropAfterCommit') {
      res.socket?.destroy();
      return;
    }
    if (fault === 'timeoutAfterCommit') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.socket?.destroy();
      }, options.holdMs ?? 11_000);
      timers.add(timer);
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.socket?.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counters,
    setProbability(p) {
      probability = p;
    },
    enqueueFault(fault, match = '') {
      scripted.push({ fault, match });
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
