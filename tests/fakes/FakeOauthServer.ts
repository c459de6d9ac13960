import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OAuth 2.0 authorization server (RFC 6749 + PKCE RFC 7636) that behaves like one of
 * two published token endpoints, each refusing what the real one refuses:
 *
 * Google (`provider: 'google'`), a "Web application" client:
 * - the token endpoint requires `client_secret` at the code exchange AND at every refresh,
 *   even with PKCE: `400 {"error":"invalid_request","error_description":"client_secret is missing."}`
 *   (developers.google.com/identity/protocols/oauth2/web-server#exchange-authorization-code;
 *   the exact body is quoted in googleapis/google-api-dotnet-client#1827 and
 *   openid/AppAuth-JS#91); a wrong secret is `401 {"error":"invalid_client","error_description":"Unauthorized"}`
 *   (developers.google.com/identity/protocols/oauth2/web-server#exchange-errors-invalid-client);
 * - the redirect URI must be one registered for the client, exactly
 *   (`Error 400: redirect_uri_mismatch` page at the authorization endpoint, the
 *   `redirect_uri_mismatch` error at the token endpoint; same page, "Authorization errors";
 *   the page's text as quoted in googleapis/google-api-php-client#2559, the token endpoint's
 *   error in googleapis/google-api-nodejs-client#3013; its description "Bad Request" is not
 *   sourced);
 * - an unknown client id: `401 {"error":"invalid_client","error_description":"The OAuth client
 *   was not found."}` at the token endpoint (Edujugon/laravel-google-ads#17), a wrong secret
 *   `401 ... "Unauthorized"` (SocialiteProviders/Providers#564); at the authorization endpoint
 *   an "Error 401: invalid_client" page (its text beyond the title is not sourced);
 * - refresh tokens are not rotated (the response has no refresh_token).
 *
 * Microsoft identity platform (`provider: 'microsoft'`), an app registration whose redirect
 * URI sits on one platform ("spa" or "mobileDesktop"):
 * - a token request carrying an `Origin` header (a browser's or an extension's fetch) for a
 *   non-SPA redirect URI: `400 invalid_request AADSTS9002326 Cross-origin token redemption
 *   is permitted only for the 'Single-Page Application' client-type.` (body as quoted in
 *   umijs/umi-request#299; MicrosoftDocs/azure-docs#62164, iorate/ublacklist#66);
 * - an SPA redemption without `Origin`: `400 invalid_request AADSTS9002327 Tokens issued
 *   for the 'Single-Page Application' client-type may only be redeemed via cross-origin
 *   requests.` (clocked0ne/passport-outlook#16);
 * - SPA refresh tokens expire 24 h after the sign-in, and rotated ones carry that expiry
 *   over (learn.microsoft.com/entra/identity-platform/refresh-tokens, "Token lifetime");
 *   past it: `400 invalid_grant AADSTS700084 The refresh token was issued to a single page
 *   app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00 ...` (body as quoted
 *   in AzureAD/microsoft-authentication-library-for-js#6765);
 * - refresh tokens rotate on every use;
 * - an unknown client id: the authorization endpoint shows "AADSTS700016: Application with
 *   identifier '<client id>' was not found in the directory '<tenant>'. This can happen if the
 *   application has not been installed by the administrator of the tenant or consented to by
 *   any user in the tenant. You may have sent your authentication request to the wrong
 *   tenant." (MicrosoftDocs/azure-docs#21690, AzureADQuickStarts/AppModelv2-WebApp-OpenIDConnect-DotNet#50);
 *   the token endpoint answers it as `unauthorized_client` with error_codes [700016]
 *   (vippsas/vipps-developers#244; its status 400 is not sourced);
 * - an unregistered redirect URI: the authorization endpoint shows "AADSTS50011: The redirect
 *   URI '<uri>' specified in the request does not match the redirect URIs configured for the
 *   application '<client id>'. Make sure the redirect URI sent in the request matches one
 *   added to your application in the Azure portal. Navigate to
 *   https://aka.ms/redirectUriMismatchError to learn more about how to fix this."
 *   (unoplatform/uno.todo#180, microsoft/CSS-Exchange#1550), never a redirect;
 * - consent withdrawn (`withdrawConsent`, an administrator removing the tenant's consent):
 *   refreshes answer `400 invalid_grant AADSTS65001: The user or administrator has not
 *   consented to use the application with ID '<client id>' named '<name>'. Send an
 *   interactive authorization request for this user and resource.` with error_codes [65001]
 *   and `suberror: consent_required` (body as quoted in MicrosoftDocs/azure-docs#39189; at a
 *   refresh as in KelvinTegelaar/CIPP#1716 "invalid_grant:AADSTS65001"), and `prompt=none`
 *   redirects with consent_required until the user consents again interactively;
 * - `prompt=none` without a signed-in session redirects with `error=login_required`
 *   (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow, "Error codes for
 *   authorization endpoint errors"), with a session it redirects with a code at once;
 * - error bodies carry `error_codes`, `timestamp`, `trace_id`, `correlation_id` as in the
 *   "Error response" example of v2-oauth2-auth-code-flow.
 * - a "Web" platform registration is a confidential client: its token requests must carry
 *   the client secret (`401 invalid_client AADSTS7000218 The request body must contain the
 *   following parameter: 'client_assertion' or 'client_secret'.`, body as quoted in
 *   haystackeditor/haystack-editor#41, status 401 as in
 *   Azure-Samples/active-directory-dotnet-native-aspnetcore#22); a wrong one is
 *   `401 invalid_client AADSTS7000215: Invalid client secret provided. Ensure the secret
 *   being sent in the request is the client secret value, not the client secret ID, for a
 *   secret added to app '<client id>'.` with error_codes [7000215] (status and body as
 *   quoted from the v2.0 token endpoint in keycloak/keycloak#31294 "status=401,
 *   response={"error":"invalid_client","error_description":"AADSTS7000215: ..."}",
 *   OfficeDev/microsoft-365-agents-toolkit#8621 "http error: 401", BookStackApp/BookStack#4089
 *   "resulted in a `401 Unauthorized` response"); cross-origin
 *   requests are refused as for any non-SPA client (AADSTS9002326 above). Its refresh tokens
 *   have no fixed lifetime ("90 days for all other scenarios", refresh-tokens "Token
 *   lifetime"; the 90-day inactivity window is not modelled).
 *
 * HubSpot (`provider: 'hubspot'`), a public or legacy public app, token endpoint
 * `POST /oauth/v3/token` (HubSpot/HubSpot-public-api-spec-collection
 * PublicApiSpecs/Auth/Oauth/Rollouts/279897/v3/oauth.json; developers.hubspot.com/docs/api-reference/auth-oauth-v3/guide):
 * - form fields client_id, client_secret, grant_type (authorization_code | refresh_token),
 *   code, code_verifier, redirect_uri, refresh_token (the spec's request body); the secret
 *   is required for both grants (the guide's examples; there is no public-client mode);
 * - success: `token_type`, `refresh_token`, `access_token`, `expires_in` 1800 (the guide:
 *   access tokens expire after 30 minutes), `hub_id`, `user_id`, `scopes`, `token_use`
 *   (developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/refresh-oauth-token);
 *   refresh tokens are not rotated and do not expire (NangoHQ/nango#7664 "refresh token
 *   unchanged");
 * - errors are 400 with HubSpot's `status` / `message` and, since HubSpot's RFC 6749 change,
 *   `error` / `error_description` (developers.hubspot.com/changelog/new-oauth-v3-api-endpoints-and-standardized-error-responses;
 *   the BAD_REFRESH_TOKEN body "refresh token is invalid, expired or revoked" as quoted from
 *   HubSpot's "manage OAuth tokens" page, the older "missing or invalid refresh token" in
 *   nango.dev/blog/hubspot-oauth-bad-refresh-token), plus the spec's required
 *   `correlationId` and `category`. The statuses BAD_CLIENT_ID, BAD_CLIENT_SECRET,
 *   BAD_AUTH_CODE, BAD_REDIRECT_URI, BAD_CODE_VERIFIER and BAD_GRANT_TYPE are community
 *   reports only (PostHog/posthog and usertour/usertour HubSpot tests; HubSpot documents no
 *   list), and their message texts are ours;
 * - PKCE is optional at HubSpot (the spec lists code_verifier without requiring it): a code
 *   issued with a code_challenge needs the matching verifier, one without needs none;
 * - the authorization page (app.hubspot.com/oauth/authorize: client_id, scope, redirect_uri,
 *   state; the v3 guide) shows an error page for an unknown client or redirect URI; the
 *   page's text is not sourced.
 *
 * The clock (`now`) is injectable, so a test moves past the 24 h without waiting. `handle`
 * serves both endpoints for a browser too (mounted on the e2e harness's host router under
 * accounts.google.com / oauth2.googleapis.com or login.microsoftonline.com); while a
 * session is signed in (`signIn(subject)`), the authorization endpoint consents at once
 * (302 to the redirect URI, RFC 6749 §4.1.2), so `identity.launchWebAuthFlow` finishes
 * without a human; without one it shows a page that waits for a user, as the real ones do.
 */

export interface FakeGoogleClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface FakeEntraApp {
  clientId: string;
  /** The platform the redirect URIs are registered under in the app registration. */
  platform: 'spa' | 'mobileDesktop' | 'web';
  redirectUris: string[];
  /** "Web" (confidential) registrations: the client secret from "Certificates & secrets". */
  clientSecret?: string;
  /** The registration's display name, which AADSTS65001 names (default "CRM sidebar", made up). */
  displayName?: string;
}

export interface FakeHubSpotApp {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** The portal the test user installs the app into. */
  hubId?: number;
}

export type FakeOauthServerOptions = {
  /** Seconds; default 3600. */
  accessTokenLifetime?: number;
  onAccessToken?: (token: string, subject: string, scope: string, expiresInSeconds: number) => void;
  /** Signed in at the authorization endpoint from the start (`signIn` later otherwise). */
  autoConsentSubject?: string;
  now?: () => number;
} & (
  | { provider: 'google'; clients: FakeGoogleClient[] }
  | { provider: 'microsoft'; apps: FakeEntraApp[] }
  | { provider: 'hubspot'; apps: FakeHubSpotApp[] }
);

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  /** Empty when the authorization request had no code_challenge (allowed at HubSpot only). */
  challenge: string;
  scope: string;
  subject: string;
  expiresAt: number;
}

interface RefreshGrant {
  clientId: string;
  scope: string;
  subject: string;
  /** SPA refresh tokens only: fixed at sign-in, carried over by rotation. */
  expiresAt: number | null;
}

const SPA_REFRESH_LIFETIME_MS = 24 * 60 * 60 * 1000;

export class FakeOauthServer {
  readonly counters = { codeGrants: 0, refreshGrants: 0, errors: 0, silentAuthorizations: 0 };
  /** Error codes answered by the token endpoint, in order (`invalid_request`, ...). */
  readonly tokenErrors: string[] = [];
  private readonly codes = new Map<string, CodeGrant>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  /** Form bodies the token endpoint received, with whether they came with an Origin header. */
  readonly tokenRequests: { form: URLSearchParams; origin: string | undefined }[] = [];
  private session: string | undefined;
  /** Subjects who removed the app's access: no silent sign-in until they consent again. */
  private readonly consentRevoked = new Set<string>();
  /** Subjects whose consent an administrator withdrew: refreshes answer AADSTS65001. */
  private readonly consentWithdrawn = new Set<string>();
  /** Scopes the user will not grant on the consent page (`declineScopes`). */
  private readonly declined = new Set<string>();
  /** What each subject granted each client so far (`include_granted_scopes`). */
  private readonly grantedScopes = new Map<string, Set<string>>();
  private server: Server | null = null;
  baseUrl = '';

  constructor(private readonly options: FakeOauthServerOptions) {
    this.session = options.autoConsentSubject;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get authorizationEndpoint(): string {
    return `${this.baseUrl}/authorize`;
  }

  get tokenEndpoint(): string {
    return `${this.baseUrl}/token`;
  }

  /**
   * Registers one more redirect URI for a client (the e2e harness learns the extension's
   * `https://<id>.chromiumapp.org/` only once the browser is up).
   */
  registerRedirectUri(clientId: string, redirectUri: string): void {
    const client = this.client(clientId);
    if (!client) throw new Error(`no client ${clientId}`);
    if (!client.redirectUris.includes(redirectUri)) client.redirectUris.push(redirectUri);
  }

  /** The browser has a signed-in session for `subject` (the authorization endpoint consents at once). */
  signIn(subject: string): void {
    this.session = subject;
  }

  /** The browser's session ends (cookies cleared): `prompt=none` answers login_required. */
  signOut(): void {
    this.session = undefined;
  }

  /**
   * The user approves on the consent page: returns the redirect URL (code and state, or the
   * error the real endpoint redirects with). Throws when the real endpoint would show an
   * error page instead of redirecting (unknown client, unregistered redirect URI).
   */
  consent(authorizationUrl: string, subject = 'sam@seller.example'): string {
    const outcome = this.authorizationOutcome(new URL(authorizationUrl), subject);
    if (outcome.kind === 'page') throw new Error(`authorization endpoint error page: ${outcome.body}`);
    return outcome.location;
  }

  /**
   * `browser.identity` played against this server: the redirect URL, and a launch that does
   * what launchWebAuthFlow does with the authorization URL. Interactive, a user without a
   * session signs in as `user`; not interactive, a page that needs the user fails with
   * Chrome's "User interaction required." instead of showing.
   */
  webAuthFlow(
    redirectUri: string,
    user?: string,
  ): {
    getRedirectUrl: () => string;
    launch: (url: string, options?: { interactive: boolean }) => Promise<string>;
    launches: { url: string; interactive: boolean }[];
  } {
    const launches: { url: string; interactive: boolean }[] = [];
    return {
      launches,
      getRedirectUrl: () => redirectUri,
      launch: async (url, options) => {
        const interactive = options?.interactive ?? true;
        launches.push({ url, interactive });
        if (interactive && user !== undefined && this.session === undefined) this.session = user;
        const outcome = this.authorizationOutcome(new URL(url), this.session);
        if (outcome.kind === 'redirect') return outcome.location;
        throw new Error(
          interactive ? `The sign-in page showed an error: ${outcome.body}` : 'User interaction required.',
        );
      },
    };
  }

  /**
   * On the consent page the user will not grant these scopes. Google shows each scope as its
   * own checkbox and issues tokens for the ticked ones only; the token response's `scope`
   * then lists what was granted (developers.google.com/identity/protocols/oauth2/resources/granular-permissions).
   * Entra's consent is all or nothing: declining redirects with `error=access_denied` and
   * "AADSTS65004: User declined to consent to access the app."
   * (learn.microsoft.com/entra/identity-platform/reference-error-codes, AADSTS65004
   * UserDeclinedConsent). `acceptScopes` undoes it.
   */
  declineScopes(...scopes: string[]): void {
    for (const scope of scopes) this.declined.add(scope);
  }

  acceptScopes(...scopes: string[]): void {
    for (const scope of scopes) this.declined.delete(scope);
  }

  /** The user denies consent. */
  deny(authorizationUrl: string): string {
    const p = new URL(authorizationUrl).searchParams;
    const redirect = new URL(p.get('redirect_uri') ?? '');
    redirect.searchParams.set('error', 'access_denied');
    redirect.searchParams.set('state', p.get('state') ?? '');
    return redirect.href;
  }

  /**
   * The user removed the app's access: every refresh token of `subject` stops working, and a
   * silent sign-in answers consent_required until the user consents again interactively.
   */
  revokeGrant(subject: string): void {
    this.consentRevoked.add(subject.toLowerCase());
    for (const [token, grant] of this.refreshTokens)
      if (grant.subject === subject) this.refreshTokens.delete(token);
  }

  /**
   * An administrator removed the consent to the app (Entra): the subject's refresh tokens
   * stay but are refused with AADSTS65001, and a silent sign-in answers consent_required,
   * until the user consents again interactively.
   */
  withdrawConsent(subject: string): void {
    this.consentRevoked.add(subject.toLowerCase());
    this.consentWithdrawn.add(subject.toLowerCase());
  }

  /** Node request handler: for its own server, or mounted on another (the e2e host router). */
  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://oauth.fake').pathname;
    // Google: /o/oauth2/v2/auth; Microsoft: /{tenant}/oauth2/v2.0/authorize; standalone: /authorize.
    if (req.method === 'GET' && /\/(authorize|auth)$/.test(path)) {
      const outcome = this.authorizationOutcome(new URL(req.url ?? '/', 'https://oauth.fake'), this.session);
      if (outcome.kind === 'page') {
        res.writeHead(outcome.status, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
        });
        res.end(outcome.body);
      } else {
        res.writeHead(302, { location: outcome.location, 'cache-control': 'no-store' });
        res.end();
      }
      return;
    }
    if (req.method === 'POST' && /\/token$/.test(path)) {
      await this.token(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not_found' }));
  };

  private client(clientId: string): { redirectUris: string[] } | undefined {
    const options = this.options;
    if (options.provider === 'google') return options.clients.find((c) => c.clientId === clientId);
    if (options.provider === 'microsoft') return options.apps.find((a) => a.clientId === clientId);
    return options.apps.find((a) => a.clientId === clientId);
  }

  private registeredRedirectUris(clientId: string): string[] | null {
    return this.client(clientId)?.redirectUris ?? null;
  }

  private authorizationOutcome(
    url: URL,
    subject: string | undefined,
  ): { kind: 'page'; status: number; body: string } | { kind: 'redirect'; location: string } {
    const p = url.searchParams;
    const clientId = p.get('client_id') ?? '';
    const redirectUri = p.get('redirect_uri') ?? '';
    const google = this.options.provider === 'google';
    const hubspot = this.options.provider === 'hubspot';
    const registered = this.registeredRedirectUris(clientId);
    if (hubspot && (registered === null || !registered.includes(redirectUri))) {
      // HubSpot's error page text is not sourced; only that it is a page, not a redirect.
      return {
        kind: 'page',
        status: 400,
        body: `<title>HubSpot</title><p>${registered === null ? 'The app was not found.' : `The redirect URI ${redirectUri} does not match the app's.`}`,
      };
    }
    // Unknown clients and unregistered redirect URIs get an error page, never a redirect
    // (RFC 6749 §4.1.2.1): Google "Error 401: invalid_client" / "Error 400:
    // redirect_uri_mismatch"; Entra AADSTS700016 / AADSTS50011.
    if (registered === null) {
      return google
        ? {
            kind: 'page',
            status: 401,
            body: '<title>Error 401: invalid_client</title><p>The OAuth client was not found.',
          }
        : {
            kind: 'page',
            status: 400,
            body: `<title>Sign in</title><p>${entraUnknownApp(clientId, tenantOf(url.pathname))}`,
          };
    }
    if (!registered.includes(redirectUri)) {
      return google
        ? {
            kind: 'page',
            status: 400,
            body: `<title>Error 400: redirect_uri_mismatch</title><p>You can’t sign in to this app because it doesn’t comply with Google’s OAuth 2.0 policy.</p><p>If you’re the app developer, register the redirect URI in the Google Cloud Console.</p><p>Request details: redirect_uri=${redirectUri}`,
          }
        : {
            kind: 'page',
            status: 400,
            body: `<title>Sign in</title><p>AADSTS50011: The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
          };
    }
    const redirectWith = (params: Record<string, string>) => {
      const redirect = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) redirect.searchParams.set(k, v);
      redirect.searchParams.set('state', p.get('state') ?? '');
      return { kind: 'redirect' as const, location: redirect.href };
    };
    const pkce = p.get('code_challenge_method') === 'S256' && !!p.get('code_challenge');
    // HubSpot's authorize URL takes no response_type and PKCE is optional there.
    if (!hubspot && (p.get('response_type') !== 'code' || !pkce)) {
      return redirectWith({
        error: 'invalid_request',
        error_description: 'PKCE S256 code_challenge required',
      });
    }
    const hinted = p.get('login_hint');
    if (subject === undefined || (hinted !== null && hinted.toLowerCase() !== subject.toLowerCase())) {
      if (p.get('prompt') === 'none') {
        return redirectWith({
          error: 'login_required',
          error_description: 'AADSTS50058: A silent sign-in request was sent but no user is signed in.',
        });
      }
      return {
        kind: 'page',
        status: 200,
        body: '<!doctype html><title>Sign in</title><p>Choose an account to continue.',
      };
    }
    if (p.get('prompt') === 'none') {
      if (this.consentRevoked.has(subject.toLowerCase())) {
        return redirectWith({
          error: 'consent_required',
          error_description:
            'AADSTS65001: The user or administrator has not consented to use the application.',
        });
      }
      this.counters.silentAuthorizations++;
    } else {
      // An interactive sign-in shows the consent page, and the user approves again.
      this.consentRevoked.delete(subject.toLowerCase());
      this.consentWithdrawn.delete(subject.toLowerCase());
    }
    const requested = (p.get('scope') ?? '').split(' ').filter(Boolean);
    const refused = requested.filter((scope) => this.declined.has(scope));
    if (refused.length > 0 && !google && p.get('prompt') !== 'none') {
      return redirectWith({
        error: 'access_denied',
        error_description: 'AADSTS65004: User declined to consent to access the app.',
      });
    }
    // Google: unticked scopes are left out; include_granted_scopes adds the earlier grants
    // (developers.google.com/identity/protocols/oauth2/web-server#incrementalAuth).
    const grantKey = `${clientId} ${subject.toLowerCase()}`;
    const granted = new Set(requested.filter((scope) => !this.declined.has(scope)));
    if (google && p.get('include_granted_scopes') === 'true')
      for (const scope of this.grantedScopes.get(grantKey) ?? []) granted.add(scope);
    this.grantedScopes.set(grantKey, new Set([...(this.grantedScopes.get(grantKey) ?? []), ...granted]));
    const code = `${google ? '4/0A' : hubspot ? 'na1-' : '1.AQ'}${randomBytes(16).toString('base64url')}`;
    this.codes.set(code, {
      clientId,
      redirectUri,
      challenge: pkce ? (p.get('code_challenge') ?? '') : '',
      scope: google ? [...granted].join(' ') : (p.get('scope') ?? ''),
      subject,
      // Authorization codes are short-lived (Entra: about 10 minutes).
      expiresAt: this.now() + 10 * 60_000,
    });
    return redirectWith({ code });
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        pragma: 'no-cache',
      });
      res.end(JSON.stringify(body));
    };
    const fail = (
      status: number,
      error: string,
      description: string,
      aadsts?: number | number[],
      extra: Record<string, string> = {},
    ) => {
      this.counters.errors++;
      this.tokenErrors.push(error);
      if (this.options.provider === 'google') {
        send(status, { error, error_description: description });
        return;
      }
      const traceId = randomUUID();
      const timestamp = new Date(this.now()).toISOString().replace('T', ' ').slice(0, 19);
      send(status, {
        error,
        error_description: `${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${timestamp}Z`,
        error_codes: aadsts === undefined ? [] : ([] as number[]).concat(aadsts),
        timestamp: `${timestamp}Z`,
        trace_id: traceId,
        correlation_id: randomUUID(),
        ...(aadsts !== undefined
          ? { error_uri: `https://login.microsoftonline.com/error?code=${aadsts}` }
          : {}),
        ...extra,
      });
    };
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const form = new URLSearchParams(raw);
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    this.tokenRequests.push({ form, origin });
    if (this.options.provider === 'hubspot') {
      this.hubspotToken(form, send);
      return;
    }
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    const basicCredentials = basic?.[1] ? Buffer.from(basic[1], 'base64').toString('utf8').split(':') : null;
    const clientId =
      form.get('client_id') ?? (basicCredentials ? decodeURIComponent(basicCredentials[0] ?? '') : '');
    const clientSecret =
      form.get('client_secret') ?? (basicCredentials ? decodeURIComponent(basicCredentials[1] ?? '') : null);
    const grantType = form.get('grant_type');

    if (this.options.provider === 'google') {
      const client = this.options.clients.find((c) => c.clientId === clientId);
      if (!client) return fail(401, 'invalid_client', 'The OAuth client was not found.');
      if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
        return fail(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
      }
      // Web application clients: the secret is required at the exchange and every refresh.
      if (clientSecret === null || clientSecret === '')
        return fail(400, 'invalid_request', 'client_secret is missing.');
      if (clientSecret !== client.clientSecret) return fail(401, 'invalid_client', 'Unauthorized');
    } else {
      const app = this.options.apps.find((a) => a.clientId === clientId);
      if (!app) {
        return fail(
          400,
          'unauthorized_client',
          entraUnknownApp(clientId, tenantOf(new URL(req.url ?? '/', 'http://oauth.fake').pathname)),
          700016,
        );
      }
      const crossOrigin = typeof req.headers.origin === 'string' && req.headers.origin !== '';
      if (crossOrigin && app.platform !== 'spa') {
        return fail(
          400,
          'invalid_request',
          "AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.",
          9002326,
        );
      }
      if (app.platform === 'web') {
        if (!clientSecret) {
          return fail(
            401,
            'invalid_client',
            "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            7000218,
          );
        }
        if (clientSecret !== app.clientSecret) {
          return fail(
            401,
            'invalid_client',
            `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
            7000215,
          );
        }
      } else if (!crossOrigin && app.platform === 'spa') {
        return fail(
          400,
          'invalid_request',
          "AADSTS9002327: Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
          9002327,
        );
      }
      if (clientSecret && app.platform !== 'web') {
        return fail(
          401,
          'invalid_client',
          'AADSTS700025: Client is public so neither client_assertion nor client_secret should be presented.',
          700025,
        );
      }
    }

    if (grantType === 'authorization_code') {
      const code = form.get('code') ?? '';
      const grant = this.codes.get(code);
      this.codes.delete(code);
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!grant || grant.expiresAt <= this.now()) {
        return this.options.provider === 'google'
          ? fail(400, 'invalid_grant', 'Malformed auth code.')
          : fail(
              400,
              'invalid_grant',
              'AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.',
              70008,
            );
      }
      if (grant.clientId !== clientId) return fail(400, 'invalid_grant', 'Bad Request');
      if (grant.redirectUri !== form.get('redirect_uri')) {
        return this.options.provider === 'google'
          ? fail(400, 'redirect_uri_mismatch', 'Bad Request')
          : // The text and the pair of codes as Entra answered a redemption whose redirect_uri
            // differed from the authorize request's: PartnerCenterSamples/Reseller-Web-Application#73.
            fail(
              400,
              'invalid_grant',
              `AADSTS70002: Error validating credentials. AADSTS50011: The reply address '${form.get('redirect_uri') ?? ''}' does not match the reply address '${grant.redirectUri}' provided when requesting Authorization code.`,
              [70002, 50011],
            );
      }
      if (grant.challenge !== challenge) {
        return this.options.provider === 'google'
          ? fail(400, 'invalid_grant', 'Invalid code verifier.')
          : fail(
              400,
              'invalid_grant',
              'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.',
              501481,
            );
      }
      this.counters.codeGrants++;
      const spa =
        this.options.provider === 'microsoft' &&
        this.options.apps.find((a) => a.clientId === clientId)?.platform === 'spa';
      const refreshToken = this.newRefreshToken({
        clientId,
        scope: grant.scope,
        subject: grant.subject,
        expiresAt: spa ? this.now() + SPA_REFRESH_LIFETIME_MS : null,
      });
      send(200, { ...this.accessToken(grant.subject, grant.scope), refresh_token: refreshToken });
      return;
    }
    if (grantType === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const grant = this.refreshTokens.get(presented);
      if (!grant || grant.clientId !== clientId) {
        return this.options.provider === 'google'
          ? fail(400, 'invalid_grant', 'Token has been expired or revoked.')
          : // Body as Entra answered a revoked refresh token: microsoft/azuredatastudio#13953.
            fail(
              400,
              'invalid_grant',
              'AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.',
              50173,
            );
      }
      if (this.options.provider === 'microsoft' && this.consentWithdrawn.has(grant.subject.toLowerCase())) {
        const app = this.options.apps.find((a) => a.clientId === clientId);
        return fail(
          400,
          'invalid_grant',
          `AADSTS65001: The user or administrator has not consented to use the application with ID '${clientId}' named '${app?.displayName ?? 'CRM sidebar'}'. Send an interactive authorization request for this user and resource.`,
          65001,
          { suberror: 'consent_required' },
        );
      }
      if (grant.expiresAt !== null && grant.expiresAt <= this.now()) {
        return fail(
          400,
          'invalid_grant',
          `AADSTS700084: The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on ${new Date(grant.expiresAt - SPA_REFRESH_LIFETIME_MS).toISOString()}.`,
          700084,
        );
      }
      this.counters.refreshGrants++;
      const body: Record<string, unknown> = this.accessToken(grant.subject, grant.scope);
      if (this.options.provider === 'microsoft') {
        // Rotation: the new refresh token keeps the original expiry (SPA).
        this.refreshTokens.delete(presented);
        body.refresh_token = this.newRefreshToken({ ...grant });
      }
      send(200, body);
      return;
    }
    fail(
      400,
      'unsupported_grant_type',
      `AADSTS70003: The app requested an unsupported grant type '${grantType ?? ''}'.`,
      70003,
    );
  }

  /** HubSpot's token endpoint (see the class comment for the sources of each answer). */
  private hubspotToken(form: URLSearchParams, send: (status: number, body: unknown) => void) {
    if (this.options.provider !== 'hubspot') throw new Error('not a HubSpot fake');
    const fail = (status: string, error: string, message: string) => {
      this.counters.errors++;
      this.tokenErrors.push(error);
      send(400, {
        status,
        message,
        error,
        error_description: message,
        correlationId: randomUUID(),
        category: 'VALIDATION_ERROR',
      });
    };
    const clientId = form.get('client_id') ?? '';
    const app = this.options.apps.find((a) => a.clientId === clientId);
    if (!app) return fail('BAD_CLIENT_ID', 'invalid_client', 'missing or invalid client id');
    const secret = form.get('client_secret');
    if (!secret || secret !== app.clientSecret)
      return fail('BAD_CLIENT_SECRET', 'invalid_client', 'missing or invalid client secret');
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = form.get('code') ?? '';
      const grant = this.codes.get(code);
      this.codes.delete(code);
      if (!grant || grant.clientId !== clientId || grant.expiresAt <= this.now())
        return fail('BAD_AUTH_CODE', 'invalid_grant', 'missing or invalid auth code');
      if (grant.redirectUri !== form.get('redirect_uri'))
        return fail(
          'BAD_REDIRECT_URI',
          'invalid_grant',
          'redirect_uri does not match the one used at authorization',
        );
      if (grant.challenge !== '') {
        const verifier = form.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge)
          return fail(
            'BAD_CODE_VERIFIER',
            'invalid_grant',
            'code_verifier does not match the code_challenge',
          );
      }
      this.counters.codeGrants++;
      const refreshToken = this.newRefreshToken({
        clientId,
        scope: grant.scope,
        subject: grant.subject,
        expiresAt: null,
      });
      send(200, this.hubspotTokens(app, grant.subject, grant.scope, refreshToken));
      return;
    }
    if (grantType === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const grant = this.refreshTokens.get(presented);
      if (!grant || grant.clientId !== clientId)
        return fail('BAD_REFRESH_TOKEN', 'invalid_grant', 'refresh token is invalid, expired or revoked');
      this.counters.refreshGrants++;
      // Not rotated: the same refresh token comes back.
      send(200, this.hubspotTokens(app, grant.subject, grant.scope, presented));
      return;
    }
    fail('BAD_GRANT_TYPE', 'unsupported_grant_type', `unsupported grant_type: ${grantType ?? ''}`);
  }

  private hubspotTokens(app: FakeHubSpotApp, subject: string, scope: string, refreshToken: string) {
    const expiresIn = this.options.accessTokenLifetime ?? 1800;
    const token = `CNb${randomBytes(24).toString('base64url')}`;
    this.options.onAccessToken?.(token, subject, scope, expiresIn);
    return {
      token_type: 'bearer',
      refresh_token: refreshToken,
      access_token: token,
      expires_in: expiresIn,
      hub_id: app.hubId ?? 4_242_424,
      user_id: 1_000_001,
      scopes: scope.split(' ').filter(Boolean),
      token_use: 'access_token',
    };
  }

  private newRefreshToken(grant: RefreshGrant): string {
    const prefix = { google: '1//0g', microsoft: '0.AQ', hubspot: 'na1-' }[this.options.provider];
    const token = `${prefix}${randomBytes(18).toString('base64url')}`;
    this.refreshTokens.set(token, grant);
    return token;
  }

  private accessToken(subject: string, scope: string) {
    const expiresIn = this.options.accessTokenLifetime ?? 3600;
    const token = `${this.options.provider === 'google' ? 'ya29.a0' : 'eyJ0eXAiOiJKV1Qi.'}${randomBytes(24).toString('base64url')}`;
    this.options.onAccessToken?.(token, subject, scope, expiresIn);
    return { access_token: token, expires_in: expiresIn, scope, token_type: 'Bearer' };
  }
}

/** The tenant segment of an Entra path (`/{tenant}/oauth2/v2.0/...`); the standalone fake has none. */
function tenantOf(pathname: string): string {
  return /^\/([^/]+)\/oauth2\//.exec(pathname)?.[1] ?? 'common';
}

/** AADSTS700016's text (sources in the class comment). */
function entraUnknownApp(clientId: string, tenant: string): string {
  return `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`;
}
