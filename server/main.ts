import { z } from 'zod';
import { OAuthExchangeEnv, oauthExchangeConfigFromEnv } from './oauth/OAuthExchangeConfig';
import { DEFAULT_DATA_DIR, startCrmServer } from './startCrmServer';
import { runUserCommand } from './users/runUserCommand';

/**
 * `npm run crm`: the reference CRM, configured from the environment;
 * `npm run crm -- user ...` manages its users and tokens (server/users/runUserCommand.ts).
 */
const Env = OAuthExchangeEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  CRM_DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  DATABASE_URL: z.url().optional(),
  /** Postgres connections the server keeps at most (default 10). */
  CRM_DB_POOL_MAX: z.coerce.number().int().min(1).max(1_000).default(10),
  CRM_SEED_TOKEN: z.string().min(16, 'CRM_SEED_TOKEN must be at least 16 characters').optional(),
  CRM_PUBLIC_URL: z.url().optional(),
  CRM_QUIET: z.stringbool().default(false),
  /** Comma-separated web origins allowed by CORS besides chrome-extension:// and moz-extension://. */
  CRM_CORS_ORIGINS: z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url()))
    .default([]),
  /**
   * Comma-separated host names the server answers besides localhost, IP literals and
   * CRM_PUBLIC_URL's host (the names a reverse proxy or the team's DNS gives it).
   */
  CRM_ALLOWED_HOSTS: z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.string().regex(/^[a-z0-9.-]+$/i, 'CRM_ALLOWED_HOSTS holds host names, without scheme or port'),
      ),
    )
    .default([]),
});

const parsed = Env.safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')));
if (!parsed.success) {
  console.error(`invalid environment:\n${z.prettifyError(parsed.error)}`);
  process.exit(2);
}
const env = parsed.data;

if (process.argv[2] === 'user') {
  const code = await runUserCommand(
    process.argv.slice(3),
    env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.CRM_DATA_DIR },
    { out: (line) => console.log(line), err: (line) => console.error(line) },
  );
  process.exit(code);
}
let oauthExchange: ReturnType<typeof oauthExchangeConfigFromEnv>;
try {
  oauthExchange = oauthExchangeConfigFromEnv(env);
} catch (error) {
  console.error(`invalid environment: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}

const crm = await startCrmServer({
  port: env.PORT,
  host: env.HOST,
  dataDir: env.CRM_DATA_DIR,
  databaseUrl: env.DATABASE_URL,
  databasePoolMax: env.CRM_DB_POOL_MAX,
  seedToken: env.CRM_SEED_TOKEN,
  publicBaseUrl: env.CRM_PUBLIC_URL,
  quiet: env.CRM_QUIET,
  corsOrigins: env.CRM_CORS_ORIGINS,
  allowedHosts: env.CRM_ALLOWED_HOSTS,
  oauthExchange,
});

const storage = env.DATABASE_URL ? 'Postgres (DATABASE_URL)' : `PGlite in ${env.CRM_DATA_DIR}`;
console.error(
  [
    `CRM API listening on ${crm.url}/api/v1 (${storage})${crm.seeded ? ', demo data seeded' : ''}`,
    env.CRM_SEED_TOKEN ? 'demo user token: the value of CRM_SEED_TOKEN' : `demo user token: ${crm.token}`,
    `OpenAPI: ${crm.url}/api/v1/openapi.json`,
    oauthExchange
      ? `OAuth token exchange: ${Object.keys(oauthExchange.clients)
          .map((provider) => `${crm.url}/oauth/${provider}/token`)
          .join(', ')}`
      : 'OAuth token exchange: off (no GOOGLE_/MICROSOFT_/HUBSPOT_CLIENT_SECRET set)',
  ].join('\n'),
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.error(`${signal}: closing`);
    crm.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
