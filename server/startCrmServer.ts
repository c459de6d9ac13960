import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { CrmRepository } from './CrmRepository';
import { createCrmApp } from './createCrmApp';
import { type Database, openDatabase, type Sql } from './db/openDatabase';
import { runMigrations } from './db/runMigrations';
import type { OAuthExchangeConfig } from './oauth/OAuthExchangeConfig';
import { SEED, seedDemoData, seedOrgAndUsers, settleColleagueToken } from './seed';
import { generateToken, hashToken } from './tokens';
import { DEMO_TOKEN_SETTING } from './users/TeamDirectory';

export interface CrmServerOptions {
  /** 0 picks a free port. Default 8787. */
  port?: number;
  /** Default 127.0.0.1: the seeded tokens are for development, not for a network. */
  host?: string;
  /** PGlite data folder; default `.data/crm` in the project. Ignored with `databaseUrl`. */
  dataDir?: string;
  /** Postgres connection string; when set, PGlite is not used. */
  databaseUrl?: string;
  /** Postgres connections at most (default 10). */
  databasePoolMax?: number;
  /** The demo user's token. Unset: one is generated on first start and kept in the database. */
  seedToken?: string;
  /**
   * Seed the demo dataset into an empty database (default true). The two users are created
   * either way; the colleague's published token (SEED.colleague.token) works only when this
   * is on and `seedToken` is unset.
   */
  seed?: boolean;
  /** No request logs. */
  quiet?: boolean;
  /** Where request logs go; default one JSON line per request on stdout. */
  log?: (line: string) => void;
  /** Base of the `url` deep links; default the server's own URL. */
  publicBaseUrl?: string;
  /** Web origins allowed by CORS besides extension origins (createCrmApp). */
  corsOrigins?: readonly string[];
  /**
   * Host names the server answers besides loopback names, IP literals, the `host` it
   * listens on and `publicBaseUrl`'s host; any other `Host` header gets 421 (DNS rebinding).
   */
  allowedHosts?: readonly string[];
  /** Failed authentications per client address and minute before 429 (default 20). */
  failedAuthPerMinute?: number;
  /** The token exchange's providers (`/oauth/{provider}/token`); off (404) without. */
  oauthExchange?: OAuthExchangeConfig | null;
  /** For tests: how the exchange calls the providers. */
  oauthFetch?: typeof fetch;
  /** Told when the server is asked to listen on every interface; default console.warn. */
  warn?: (message: string) => void;
}

export interface CrmServerHandle {
  url: string;
  port: number;
  /** The demo user's bearer token. */
  token: string;
  /** Whether this start seeded a fresh database. */
  seeded: boolean;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../.data/crm', import.meta.url));

/** Starts the reference CRM: migrations, first-start seed, then HTTP. */
export async function startCrmServer(options: CrmServerOptions = {}): Promise<CrmServerHandle> {
  const db = await openDatabase(
    options.databaseUrl
      ? { databaseUrl: options.databaseUrl, poolMax: options.databasePoolMax }
      : { dataDir: options.dataDir || DEFAULT_DATA_DIR },
  );
  try {
    const { token, seeded } = await db.exclusively(async (sql) => {
      await runMigrations(sql);
      return prepareData(db, sql, options);
    });
    const host = options.host ?? '127.0.0.1';
    if (listensOnEveryInterface(host)) {
      (options.warn ?? console.warn)(
        `warning: the CRM listens on every interface (${host}); anyone on the network can reach it. ` +
          'Use HOST=127.0.0.1 unless this is what you want, and set CRM_SEED_TOKEN.',
      );
    }
    let publicBaseUrl = options.publicBaseUrl ?? '';
    const repository = new CrmRepository(db, () => publicBaseUrl);
    const app = createCrmApp({
      repository,
      corsOrigins: options.corsOrigins,
      allowedHosts: [
        ...(options.allowedHosts ?? []),
        ...(listensOnEveryInterface(host) ? [] : [host]),
        ...(options.publicBaseUrl ? [new URL(options.publicBaseUrl).hostname] : []),
      ],
      failedAuthPerMinute: options.failedAuthPerMinute,
      oauthExchange: { config: options.oauthExchange ?? null, fetch: options.oauthFetch },
      log: options.quiet ? undefined : (options.log ?? ((line) => console.log(line))),
    });
    const { server, port } = await new Promise<{ server: Server; port: number }>((resolve, reject) => {
      const server = serve(
        { fetch: app.fetch, port: options.port ?? 8787, hostname: host },
        (info: AddressInfo) => resolve({ server, port: info.port }),
      ) as Server;
      server.once('error', reject);
      server.on('clientError', answerMalformedRequest);
      // Node closes an idle keep-alive connection after 5 s by default; a client that picks
      // that connection again just as it closes gets ECONNRESET (a busy event loop makes
      // this likely: tests/server/crmServerHardening failed so twice under load). Idle
      // connections are kept for a minute instead (https://nodejs.org/api/http.html#serverkeepalivetimeout);
      // close() still ends them all at once.
      server.keepAliveTimeout = 60_000;
    });
    const displayHost = listensOnEveryInterface(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
    const url = `http://${displayHost}:${port}`;
    publicBaseUrl = (options.publicBaseUrl ?? url).replace(/\/+$/, '');
    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      token,
      seeded,
      close: () => {
        closing ??= (async () => {
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          });
          await db.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}

/** Seeds an empty database and settles the demo user's token. Runs under the start lock. */
async function prepareData(
  db: Database,
  sql: Sql,
  options: CrmServerOptions,
): Promise<{ token: string; seeded: boolean }> {
  const { rows } = await sql.query<{ count: number | string }>('SELECT count(*) AS count FROM users');
  const empty = Number(rows[0]?.count ?? 0) === 0;
  if (empty) {
    await db.transaction(async (tx) => {
      await seedOrgAndUsers(tx);
      if (options.seed !== false) await seedDemoData(tx);
    });
  }
  let token = options.seedToken;
  if (!token) {
    const stored = await sql.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [
      DEMO_TOKEN_SETTING,
    ]);
    // Kept in clear so `npm run crm` can print it at every start; only a development server does this.
    token = stored.rows[0]?.value ?? generateToken();
    await sql.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
      DEMO_TOKEN_SETTING,
      token,
    ]);
  }
  await sql.query(
    'INSERT INTO api_tokens (token_hash, user_id) VALUES ($1, $2) ON CONFLICT (token_hash) DO NOTHING',
    [hashToken(token), SEED.demoUser.id],
  );
  await settleColleagueToken(sql, options.seed !== false && !options.seedToken);
  return { token, seeded: empty };
}

function listensOnEveryInterface(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/**
 * Requests Node's HTTP parser refuses (headers over 16 kB, broken request lines) get the
 * contract's error body too, instead of Node's bare status line.
 * https://nodejs.org/api/http.html#event-clienterror
 */
function answerMalformedRequest(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || (error.code === 'ECONNRESET' && socket.destroyed)) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const [status, reason, code, message] = tooLarge
    ? [
        431,
        'Request Header Fields Too Large',
        'headers_too_large',
        'request headers and URL are limited to 16 kB',
      ]
    : [400, 'Bad Request', 'bad_request', 'the request is not valid HTTP'];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
