import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeGraphApi } from '../../fakes/FakeGraphApi';
import { type FakeEntraApp, FakeOauthServer } from '../../fakes/FakeOauthServer';
import type { RequestHandler } from './HostRoutedHttpsServer';
import type { ExtensionBrowser } from './launchExtensionBrowser';
import { extensionRedirectUri, setOAuthClients } from './mailboxSync';

/** The production hosts the extension talks to for Outlook (lib/auth/OAuthProviders.ts, GraphClient). */
export const MICROSOFT_HOSTS = {
  api: 'graph.microsoft.com',
  login: 'login.microsoftonline.com',
} as const;

/** Made up, in the shape of an Entra "Application (client) ID" (a GUID). */
export const TEST_MICROSOFT_CLIENT_ID = '3f6b1c2e-8d4a-4b7e-9c21-5a0e7d9f1b42';
/** A second registration whose redirect URI sits under "Mobile and desktop applications". */
export const TEST_MICROSOFT_DESKTOP_CLIENT_ID = '9a8e7d6c-5b4a-4392-8817-26f5e4d3c2b1';
/** Made up, in the shape of a "Directory (tenant) ID": a single-tenant app's authority. */
export const TEST_MICROSOFT_TENANT = 'c0ffee00-1234-4abc-8def-0123456789ab';

/**
 * A clock that runs with real time plus an offset the test moves: the identity provider and
 * Graph see "24 hours later" while the extension keeps the real clock (as a browser left
 * open overnight sees a refused refresh and a 401, not its own clock jumping).
 */
export class SettableClock {
  private offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** One authorization request as the IDP received it (what the extension's web auth flow loaded). */
export interface AuthorizationRequest {
  clientId: string;
  prompt: string | null;
  loginHint: string | null;
  codeChallengeMethod: string | null;
}

/** One answer of the token endpoint as the extension received it. */
export interface TokenResponse {
  status: number;
  /** The OAuth `error` of a refusal, null on success. */
  error: string | null;
  /** Entra's `error_codes` (AADSTS numbers) of a refusal. */
  errorCodes: number[];
}

export interface MicrosoftFakes {
  graph: FakeGraphApi;
  idp: FakeOauthServer;
  clock: SettableClock;
  /** The app registrations the IDP knows (platform and redirect URIs), by client id. */
  apps: FakeEntraApp[];
  /** Every access token the IDP issued, oldest first. */
  issuedTokens: string[];
  /** Every request to the authorization endpoint, in order. */
  authorizations: AuthorizationRequest[];
  /** Every answer of the token endpoint, in order. */
  tokenResponses: TokenResponse[];
  /** Every Graph request's URL (https://graph.microsoft.com/v1.0/...), in order of arrival. */
  graphRequests: string[];
  /** For `startE2eEnvironment({ extraRoutes })`. */
  routes: Record<string, RequestHandler>;
}

export interface MicrosoftFakesOptions {
  /** Graph's display name for the signed-in user. */
  displayName?: string;
  /** Default: one SPA registration, TEST_MICROSOFT_CLIENT_ID. */
  apps?: Pick<FakeEntraApp, 'clientId' | 'platform' | 'clientSecret'>[];
  /** Passed to FakeGraphApi (its `now` is always the shared clock). */
  graph?: Omit<NonNullable<ConstructorParameters<typeof FakeGraphApi>[0]>, 'now'>;
  /** Seconds; default the IDP's 3600. */
  accessTokenLifetime?: number;
  /** Start without a signed-in browser session at the IDP (default: signed in as `subject`). */
  signedOut?: boolean;
}

/**
 * Microsoft Graph and the Microsoft identity platform, mounted at their real hosts on the
 * harness's HTTPS server, so the built extension reaches them through --host-resolver-rules
 * with its production URLs. Both share one settable clock: the IDP's 24 h SPA refresh-token
 * expiry and Graph's access-token expiry move together. While the browser has a session at
 * the IDP (`signIn`, default `subject`), the authorization endpoint consents at once, which is
 * what lets identity.launchWebAuthFlow finish headless (interactive or with prompt=none).
 */
export function createMicrosoftFakes(subject: string, options: MicrosoftFakesOptions = {}): MicrosoftFakes {
  const clock = new SettableClock();
  const graph = new FakeGraphApi({ ...options.graph, now: clock.now });
  graph.setPublicOrigin(`https://${MICROSOFT_HOSTS.api}`);
  graph.addMailbox(subject, options.displayName);
  const issuedTokens: string[] = [];
  // The redirect URI is registered once the extension's id is known (configureMicrosoftApp).
  const apps: FakeEntraApp[] = (
    options.apps ?? [{ clientId: TEST_MICROSOFT_CLIENT_ID, platform: 'spa' }]
  ).map((app) => ({ ...app, redirectUris: [] }));
  const idp = new FakeOauthServer({
    provider: 'microsoft',
    apps,
    now: clock.now,
    ...(options.signedOut ? {} : { autoConsentSubject: subject }),
    ...(options.accessTokenLifetime === undefined
      ? {}
      : { accessTokenLifetime: options.accessTokenLifetime }),
    onAccessToken: (token, sub, scope, expiresIn) => {
      issuedTokens.push(token);
      // The token carries what was granted, so the fake refuses writes to a read-only grant.
      graph.issueAccessToken(sub, {
        token,
        expiresInMs: expiresIn * 1000,
        scopes: scope.split(' ').filter(Boolean),
      });
    },
  });
  const authorizations: AuthorizationRequest[] = [];
  const tokenResponses: TokenResponse[] = [];
  const graphRequests: string[] = [];
  const login = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `https://${MICROSOFT_HOSTS.login}`);
    if (req.method === 'GET' && url.pathname.endsWith('/authorize')) {
      const p = url.searchParams;
      authorizations.push({
        clientId: p.get('client_id') ?? '',
        prompt: p.get('prompt'),
        loginHint: p.get('login_hint'),
        codeChallengeMethod: p.get('code_challenge_method'),
      });
    } else if (req.method === 'POST' && url.pathname.endsWith('/token')) {
      // The fake writes its JSON answer in one end(): read it there, as the extension does.
      const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
      res.end = ((chunk?: unknown) => {
        const body = typeof chunk === 'string' ? (JSON.parse(chunk) as Record<string, unknown>) : {};
        tokenResponses.push({
          status: res.statusCode,
          error: typeof body.error === 'string' ? body.error : null,
          errorCodes: Array.isArray(body.error_codes) ? (body.error_codes as number[]) : [],
        });
        return end(chunk);
      }) as typeof res.end;
    }
    return idp.handle(req, res);
  };
  return {
    graph,
    idp,
    clock,
    apps,
    issuedTokens,
    authorizations,
    tokenResponses,
    graphRequests,
    routes: {
      [MICROSOFT_HOSTS.api]: (req, res) => {
        graphRequests.push(`https://${MICROSOFT_HOSTS.api}${req.url ?? '/'}`);
        return graph.handle(req, res);
      },
      [MICROSOFT_HOSTS.login]: login,
    },
  };
}

/**
 * What the admin does for Microsoft: adds the extension's redirect URI to the app
 * registration (under the app's platform), and enters the client id and tenant in the options.
 */
export async function configureMicrosoftApp(
  browser: ExtensionBrowser,
  fakes: MicrosoftFakes,
  options: { clientId?: string; tenant?: string } = {},
): Promise<void> {
  const clientId = options.clientId ?? fakes.apps[0]?.clientId ?? TEST_MICROSOFT_CLIENT_ID;
  fakes.idp.registerRedirectUri(clientId, extensionRedirectUri(browser));
  await setOAuthClients(browser, {
    microsoftClientId: clientId,
    microsoftTenant: options.tenant ?? TEST_MICROSOFT_TENANT,
  });
}
