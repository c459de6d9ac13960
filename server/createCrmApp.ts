import type { Context } from 'hono';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { z } from 'zod';
import {
  AddContactEmailRequest,
  ChangeActivityRequest,
  CreateContactRequest,
  ExternalId,
  LogActivitiesRequest,
  LoggedMessagesRequest,
  LookupRequest,
  MAX_BATCH,
  PageQuery,
  PutOrgSettingsRequest,
  RecordId,
  TaskInput,
} from '../lib/crm/contract';
import type { AuthenticatedUser, CrmRepository } from './CrmRepository';
import { HttpError, limitBodies } from './HttpError';
import { clientAddress } from './http/clientAddress';
import { HostAllowList } from './http/HostAllowList';
import { readLimitedJson } from './http/readLimitedJson';
import { FixedWindowRateLimiter } from './oauth/FixedWindowRateLimiter';
import { type OAuthExchangeOptions, registerOAuthExchange } from './oauth/registerOAuthExchange';
import { buildOpenApiDocument } from './openapi/buildOpenApiDocument';

export interface CrmAppOptions {
  repository: CrmRepository;
  /** Receives one JSON line per request; omit to stay quiet. */
  log?: (line: string) => void;
  /**
   * Web origins (exact `scheme://host[:port]`) allowed to call from a browser besides the
   * extension origins; empty by default.
   */
  corsOrigins?: readonly string[];
  /** The token exchange (`/oauth/{provider}/token`); without providers it answers 404. */
  oauthExchange?: OAuthExchangeOptions;
  /**
   * Host names answered besides the loopback names and IP literals (HostAllowList);
   * any other `Host` gets 421, which is what defeats DNS rebinding.
   */
  allowedHosts?: readonly string[];
  /** Failed authentications answered per client address and minute before 429 (default 20). */
  failedAuthPerMinute?: number;
}

/** The extension's service worker and pages call from these schemes (Chrome/Edge, Firefox). */
const EXTENSION_ORIGIN = /^(chrome-extension|moz-extension):\/\/[a-z0-9-]+$/i;

type Env = { Variables: { user: AuthenticatedUser } };

/**
 * Every single activity the contract allows fits (100,000 characters of body and 1,000
 * recipients, all escaped, stay under 6 MB); a batch above it answers 413 and the
 * extension's outbox then sends its items one by one (lib/logging/Outbox.ts).
 */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

const FAILED_AUTH_WINDOW_MS = 60_000;

/** The HTTP surface of CRM-CONTRACT.md; storage lives in CrmRepository. */
export function createCrmApp({
  repository,
  log,
  corsOrigins = [],
  oauthExchange = { config: null },
  allowedHosts = [],
  failedAuthPerMinute = 20,
}: CrmAppOptions): Hono<Env> {
  const app = new Hono<Env>();
  let openApiDocument: unknown;
  const hosts = new HostAllowList(allowedHosts);
  const failedAuth = new FixedWindowRateLimiter(failedAuthPerMinute, FAILED_AUTH_WINDOW_MS);

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    // Path only: query strings and headers (the token) never reach the log.
    log?.(
      JSON.stringify({
        time: new Date().toISOString(),
        level: c.res.status >= 500 ? 'error' : 'info',
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      }),
    );
  });

  app.use('*', async (c, next) => {
    // In-process requests (`app.request`, tests) carry no Host header: their URL's host stands in.
    if (!hosts.allows(c.req.header('host') ?? new URL(c.req.url).host)) {
      throw new HttpError(
        421,
        'host_not_allowed',
        'this server does not answer for that host name; add it to CRM_ALLOWED_HOSTS if it is yours',
      );
    }
    await next();
  });

  // A known path asked with a method it does not have: 405 and the methods it has
  // (RFC 9110 §15.5.6), before authentication, like a 404 would be.
  let allowedMethods: ((path: string) => string[] | null) | undefined;
  app.use('*', async (c, next) => {
    allowedMethods ??= methodsByPath(app.routes);
    const methods = c.req.method === 'OPTIONS' ? null : allowedMethods(c.req.path);
    if (methods && !methods.includes(c.req.method)) {
      c.header('Allow', methods.join(', '));
      throw new HttpError(
        405,
        'method_not_allowed',
        `${c.req.method} is not allowed here; use ${methods.join(' or ')}`,
        {
          allow: methods,
        },
      );
    }
    await next();
  });

  // Tokens, not cookies, carry identity, but a web page that got hold of a token (or a
  // development server's well-known one) must still not read the CRM from a browser: only
  // extension origins and the configured ones get CORS headers. Non-browser clients are
  // unaffected (CORS is a browser rule).
  const allowed = new Set(corsOrigins.map((o) => o.replace(/\/+$/, '')));
  app.use(
    '*',
    cors({
      origin: (origin) => (EXTENSION_ORIGIN.test(origin) || allowed.has(origin) ? origin : null),
      allowHeaders: ['Authorization', 'Content-Type'],
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      exposeHeaders: ['Retry-After'],
      maxAge: 600,
    }),
  );

  // 100 activities with full bodies fit comfortably; anything larger is not a client of ours.
  app.use('/api/v1/*', limitBodies(MAX_BODY_BYTES, 'request bodies'));

  registerOAuthExchange(app, oauthExchange);

  app.get('/api/v1/openapi.json', (c) => {
    openApiDocument ??= buildOpenApiDocument();
    return c.json(openApiDocument);
  });

  app.use('/api/v1/*', async (c, next) => {
    // A client that failed too often is not heard until its window ends, not even with a
    // right token: otherwise the 429 itself would tell a guesser which token was right.
    const client = clientAddress(c);
    const blockedFor = failedAuth.wouldBlock(client);
    if (blockedFor !== null) {
      c.header('Retry-After', String(Math.max(1, Math.ceil(blockedFor / 1000))));
      throw new HttpError(
        429,
        'too_many_failed_attempts',
        'too many failed sign-ins from this address; try again later',
      );
    }
    const header = c.req.header('Authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const user = match?.[1] ? await repository.authenticate(match[1]) : null;
    if (!user) {
      failedAuth.take(client);
      c.header('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'unauthorized', 'missing or invalid bearer token');
    }
    c.set('user', user);
    await next();
  });

  app.get('/api/v1/me', async (c) => c.json(await repository.me(c.get('user'))));

  app.get('/api/v1/org/settings', async (c) => c.json(await repository.orgSettings()));

  app.put('/api/v1/org/settings', async (c) => {
    const user = c.get('user');
    if (user.role !== 'admin') {
      throw new HttpError(
        403,
        'forbidden',
        `only an admin of this CRM can change the organisation's settings; ${user.email} is a rep (an admin runs \`npm run crm -- user role ${user.email} admin\`)`,
      );
    }
    const body = parseWith(PutOrgSettingsRequest, await readLimitedJson(c));
    // Each list once, in the order given: the extension adds them to the rep's own.
    const settings = {
      ...body.settings,
      excludedDomains: [...new Set(body.settings.excludedDomains)],
      neverLogAddresses: [...new Set(body.settings.neverLogAddresses)],
      neverLogDomains: [...new Set(body.settings.neverLogDomains)],
    };
    return c.json(await repository.replaceOrgSettings(user, settings));
  });

  app.post('/api/v1/lookup', async (c) => {
    const raw = await readLimitedJson(c);
    rejectLargeBatch(raw, 'emails');
    rejectLargeBatch(raw, 'domains');
    const body = parseWith(LookupRequest, raw);
    const emails = [...new Set(body.emails)];
    const domains = [...new Set(body.domains)];
    return c.json(await repository.lookup(emails, domains));
  });

  app.get('/api/v1/contacts/:id', async (c) => {
    const detail = await repository.getContactDetail(recordIdParam(c));
    if (!detail) throw new HttpError(404, 'not_found', 'contact not found');
    return c.json(detail);
  });

  app.post('/api/v1/contacts', async (c) => {
    const body = parseWith(CreateContactRequest, await readLimitedJson(c));
    const result = await repository.createContact(c.get('user'), body);
    if ('existing' in result) {
      throw new HttpError(409, 'conflict', 'a contact already has one of these email addresses', {
        contact: result.existing,
      });
    }
    return c.json(result.created, 201);
  });

  // Alternate addresses: one identity across a person's addresses (docs/CRM-CONTRACT.md).
  app.post('/api/v1/contacts/:id/emails', async (c) => {
    const contactId = recordIdParam(c);
    const body = parseWith(AddContactEmailRequest, await readLimitedJson(c));
    const result = await repository.addContactEmail(contactId, body.email);
    if (!result) throw new HttpError(404, 'not_found', 'contact not found');
    if ('conflict' in result) {
      throw new HttpError(409, 'conflict', 'another contact already has this email address', {
        contact: result.conflict,
      });
    }
    return c.json({ contact: result.contact });
  });

  app.delete('/api/v1/contacts/:id/emails/:email', async (c) => {
    const contactId = recordIdParam(c);
    const email = parseWith(AddContactEmailRequest, { email: c.req.param('email') }).email;
    const result = await repository.removeContactEmail(contactId, email);
    if (!result) throw new HttpError(404, 'not_found', 'contact not found');
    if ('primary' in result) {
      throw new HttpError(400, 'invalid_request', "a contact's main email address cannot be removed", [
        { path: ['email'], message: 'the main address' },
      ]);
    }
    return c.json({ contact: result.contact });
  });

  app.get('/api/v1/contacts/:id/activities', async (c) => {
    const contactId = recordIdParam(c);
    const page = parseWith(PageQuery, c.req.query());
    if (!(await repository.contactExists(contactId))) {
      throw new HttpError(404, 'not_found', 'contact not found');
    }
    return c.json(await repository.listContactActivities(contactId, page.limit, page.cursor));
  });

  app.post('/api/v1/activities', async (c) => {
    const raw = await readLimitedJson(c);
    rejectLargeBatch(raw, 'activities');
    const body = parseWith(LogActivitiesRequest, raw);
    const results = await repository.logActivities(c.get('user'), body.activities);
    return c.json({ results }, results.some((r) => r.status === 'created') ? 201 : 200);
  });

  app.get('/api/v1/activities', async (c) => {
    const raw = c.req.query('externalId');
    // Accept the raw header form too: the registry key is the normalised Message-ID.
    const externalId = parseWith(ExternalId, raw?.trim().replace(/^<|>$/g, '').toLowerCase(), 'externalId');
    return c.json({ activities: await repository.activitiesByExternalId(externalId) });
  });

  app.post('/api/v1/activities/logged', async (c) => {
    const raw = await readLimitedJson(c);
    rejectLargeBatch(raw, 'externalIds');
    const body = parseWith(LoggedMessagesRequest, raw);
    return c.json({ messages: await repository.loggedMessages([...new Set(body.externalIds)]) });
  });

  // Changing a logged email: the rep who logged it or an admin (CrmRepository checks), idempotent.
  app.delete('/api/v1/activities/:id', async (c) =>
    c.json({ status: 'removed', activity: await repository.removeActivity(c.get('user'), recordIdParam(c)) }),
  );

  app.patch('/api/v1/activities/:id', async (c) => {
    const id = recordIdParam(c);
    const change = parseWith(ChangeActivityRequest, await readLimitedJson(c));
    const result = await repository.changeActivity(c.get('user'), id, change);
    return c.json({ status: result.changed ? 'changed' : 'unchanged', activity: result.activity });
  });

  app.post('/api/v1/tasks', async (c) => {
    const body = parseWith(TaskInput, await readLimitedJson(c));
    const result = await repository.createTask(c.get('user'), body);
    return c.json(result, result.status === 'created' ? 201 : 200);
  });

  app.notFound(() => {
    throw new HttpError(404, 'not_found', 'no such route');
  });

  app.onError((error, c) => {
    if (error instanceof HttpError) {
      return c.json(
        {
          error: {
            code: error.code,
            message: error.message,
            ...(error.details === undefined ? {} : { details: error.details }),
          },
        },
        error.status,
      );
    }
    log?.(
      JSON.stringify({
        time: new Date().toISOString(),
        level: 'error',
        method: c.req.method,
        path: c.req.path,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
    );
    return c.json({ error: { code: 'internal', message: 'internal server error' } }, 500);
  });

  return app;
}

/** For each registered path, the methods it answers (HEAD with GET), as a path matcher. */
function methodsByPath(
  routes: readonly { method: string; path: string }[],
): (path: string) => string[] | null {
  const byPattern = new Map<string, Set<string>>();
  for (const route of routes) {
    if (route.method === 'ALL' || route.path.includes('*')) continue;
    const methods = byPattern.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
    byPattern.set(route.path, methods);
  }
  const matchers = [...byPattern].map(([pattern, methods]) => ({
    regex: new RegExp(
      `^${pattern
        .split('/')
        .map((part) => (part.startsWith(':') ? '[^/]+' : escapeRegExp(part)))
        .join('/')}/?$`,
    ),
    methods: [...methods].sort(),
  }));
  return (path) => matchers.find((m) => m.regex.test(path))?.methods ?? null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, pathPrefix?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    code: issue.code,
    path: pathPrefix ? [pathPrefix, ...issue.path.map(String)] : issue.path.map(String),
    message: issue.message,
  }));
  throw new HttpError(400, 'invalid_request', 'the request does not match the contract', issues);
}

/** The `:id` of the path, parsed like every other id of the contract. */
function recordIdParam(c: Context): string {
  return parseWith(RecordId, c.req.param('id'), 'id');
}

function rejectLargeBatch(raw: unknown, field: string): void {
  if (typeof raw !== 'object' || raw === null) return;
  const list = (raw as Record<string, unknown>)[field];
  if (Array.isArray(list) && list.length > MAX_BATCH) {
    throw new HttpError(413, 'batch_too_large', `${field} holds ${list.length} items; at most ${MAX_BATCH}`, {
      field,
      max: MAX_BATCH,
      received: list.length,
    });
  }
}
