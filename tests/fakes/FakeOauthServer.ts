import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OAuth 2.0 token endpoint (RFC 6749 + PKCE RFC 7636) standing in for Google's and
 * Microsoft's: `consent(authorizationUrl)` plays the user approving the consent page and
 * returns the redirect URL with `code` and `state` (what `launchWebAuthFlow` resolves to);
 * POST /token redeems codes (checking client_id, redirect_uri and the S256 verifier) and
 * refresh tokens. `revokeGrant` makes refreshes answer `invalid_grant`, as after the user
 * removes the app's access. `onAccessToken` lets API fakes accept the tokens it issues.
 *
 * `handle` serves both endpoints for a browser too (mount it on the e2e harness's HTTPS
 * host router under accounts.google.com / oauth2.googleapis.com or login.microsoftonline.com):
 * GET .../authorize (Microsoft) or .../auth (Google) and POST .../token. With
 * `autoConsentSubject` the authorization endpoint plays a user who has already consented:
 * it answers 302 to the redirect_uri with `code` and `state` in the query (RFC 6749
 * §4.1.2; errors per §4.1.2.1), so `identity.launchWebAuthFlow` completes without a human.
 * Without it, the endpoint shows a page that waits for a user, as the real ones do.
 */
export class FakeOauthServer {
  readonly counters = { codeGrants: 0, refreshGrants: 0, errors: 0 };
  private readonly codes = new Map<
    string,
    { clientId: string; redirectUri: string; challenge: string; scope: string; subject: string }
  >();
  private readonly refreshTokens = new Map<string, { clientId: string; scope: string; subject: string }>();
  private server: Server | null = null;
  baseUrl = '';

  constructor(
    private readonly options: {
      /** Seconds; default 3600. */
      accessTokenLifetime?: number;
      /** Microsoft rotates refresh tokens, Google does not. */
      rotateRefreshTokens?: boolean;
      onAccessToken?: (token: string, subject: string, scope: string, expiresInSeconds: number) => void;
      /** The account that "signs in" when a browser opens the authorization endpoint. */
      autoConsentSubject?: string;
    } = {},
  ) {}

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

  /** The user approves: returns the redirect URL for the authorization URL's parameters. */
  consent(authorizationUrl: string, subject = 'sam@seller.example'): string {
    const url = new URL(authorizationUrl);
    const p = url.searchParams;
    const redirectUri = p.get('redirect_uri') ?? '';
    if (
      p.get('response_type') !== 'code' ||
      p.get('code_challenge_method') !== 'S256' ||
      !p.get('code_challenge')
    ) {
      const error = new URL(redirectUri);
      error.searchParams.set('error', 'invalid_request');
      error.searchParams.set('state', p.get('state') ?? '');
      return error.href;
    }
    const code = `4/0A${randomBytes(16).toString('base64url')}`;
    this.codes.set(code, {
      clientId: p.get('client_id') ?? '',
      redirectUri,
      challenge: p.get('code_challenge') ?? '',
      scope: p.get('scope') ?? '',
      subject,
    });
    const redirect = new URL(redirectUri);
    redirect.searchParams.set('code', code);
    redirect.searchParams.set('state', p.get('state') ?? '');
    return redirect.href;
  }

  /** The user denies consent. */
  deny(authorizationUrl: string): string {
    const p = new URL(authorizationUrl).searchParams;
    const redirect = new URL(p.get('redirect_uri') ?? '');
    redirect.searchParams.set('error', 'access_denied');
    redirect.searchParams.set('state', p.get('state') ?? '');
    return redirect.href;
  }

  /** Every refresh token of `subject` stops working (consent revoked, password changed). */
  revokeGrant(subject: string): void {
    for (const [token, grant] of this.refreshTokens)
      if (grant.subject === subject) this.refreshTokens.delete(token);
  }

  /** Node request handler: for its own server, or mounted on another (the e2e host router). */
  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://oauth.fake').pathname;
    // Google: /o/oauth2/v2/auth; Microsoft: /{tenant}/oauth2/v2.0/authorize; standalone: /authorize.
    if (req.method === 'GET' && /\/(authorize|auth)$/.test(path)) {
      this.authorize(req, res);
      return;
    }
    if (req.method === 'POST' && /\/token$/.test(path)) {
      await this.token(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not_found' }));
  };

  private authorize(req: IncomingMessage, res: ServerResponse): void {
    const authorizationUrl = new URL(req.url ?? '/', 'https://oauth.fake').href;
    const subject = this.options.autoConsentSubject;
    const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri') ?? '';
    if (!/^https:\/\//.test(redirectUri) && !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(redirectUri)) {
      // An unusable redirect_uri is never redirected to (RFC 6749 §4.1.2.1): an error page instead.
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Error 400</title><p>invalid_request: redirect_uri');
      return;
    }
    if (subject === undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end('<!doctype html><title>Sign in</title><p>Choose an account to continue.');
      return;
    }
    res.writeHead(302, { location: this.consent(authorizationUrl, subject), 'cache-control': 'no-store' });
    res.end();
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        pragma: 'no-cache',
      });
      res.end(JSON.stringify(body));
    };
    const fail = (error: string, description: string) => {
      this.counters.errors++;
      send(400, { error, error_description: description });
    };
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const form = new URLSearchParams(raw);
    const clientId = form.get('client_id') ?? '';
    if (form.get('grant_type') === 'authorization_code') {
      const grant = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!grant) return fail('invalid_grant', 'Malformed auth code.');
      if (grant.clientId !== clientId) return fail('invalid_client', 'The OAuth client was not found.');
      if (grant.redirectUri !== form.get('redirect_uri')) return fail('redirect_uri_mismatch', 'Bad Request');
      if (grant.challenge !== challenge) return fail('invalid_grant', 'Invalid code verifier.');
      this.counters.codeGrants++;
      const refreshToken = `1//0g${randomBytes(18).toString('base64url')}`;
      this.refreshTokens.set(refreshToken, { clientId, scope: grant.scope, subject: grant.subject });
      send(200, { ...this.accessToken(grant.subject, grant.scope), refresh_token: refreshToken });
      return;
    }
    if (form.get('grant_type') === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const grant = this.refreshTokens.get(presented);
      if (!grant || grant.clientId !== clientId)
        return fail('invalid_grant', 'Token has been expired or revoked.');
      this.counters.refreshGrants++;
      const body: Record<string, unknown> = this.accessToken(grant.subject, grant.scope);
      if (this.options.rotateRefreshTokens) {
        this.refreshTokens.delete(presented);
        const next = `M.C5${randomBytes(18).toString('base64url')}`;
        this.refreshTokens.set(next, grant);
        body.refresh_token = next;
      }
      send(200, body);
      return;
    }
    fail('unsupported_grant_type', `Invalid grant_type: ${form.get('grant_type') ?? ''}`);
  }

  private accessToken(subject: string, scope: string) {
    const expiresIn = this.options.accessTokenLifetime ?? 3600;
    const token = `ya29.a0${randomBytes(24).toString('base64url')}`;
    this.options.onAccessToken?.(token, subject, scope, expiresIn);
    return { access_token: token, expires_in: expiresIn, scope, token_type: 'Bearer' };
  }
}
