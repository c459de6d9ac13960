import type { FakeHubSpotApi } from '../../fakes/FakeHubSpotApi';
import { type FakeHubSpotApp, FakeOauthServer } from '../../fakes/FakeOauthServer';
import type { RequestHandler } from './HostRoutedHttpsServer';
import type { ExtensionBrowser } from './launchExtensionBrowser';
import { extensionRedirectUri } from './mailboxSync';
import type { SettableClock } from './microsoftFakes';

/** HubSpot's authorization page (lib/crm/vendors/hubspot/hubspotOAuth.ts HUBSPOT_AUTHORIZATION_ENDPOINT). */
export const HUBSPOT_APP_HOST = 'app.hubspot.com';
/** Made up, in the shape of a HubSpot app's client id (a GUID). */
export const TEST_HUBSPOT_CLIENT_ID = '5d2c8f1e-7b3a-4e69-9d10-6a4f2e8c3b75';
/** Made up: the app's client secret, known only to the token exchange server. */
export const TEST_HUBSPOT_CLIENT_SECRET = 'e2e-hubspot-client-secret';

export interface HubSpotOAuthFakes {
  /** HubSpot's OAuth (tests/fakes/FakeOauthServer.ts, provider 'hubspot'; its sources are cited there). */
  idp: FakeOauthServer;
  /** The token endpoint the token exchange server posts to (the fake's own HTTP port). */
  tokenUrl: string;
  /** Every access token the IDP issued, oldest first, and when (real clock, ms). */
  issuedTokens: string[];
  issuedAt: number[];
  /** The Bearer token of every HubSpot API request, in order of arrival ('' without one). */
  apiTokens: string[];
  /** Wraps the API fake's handler to record `apiTokens`. */
  recordTokens(handler: RequestHandler): RequestHandler;
  /** For `startE2eEnvironment({ extraRoutes })`: the authorization page on its real host. */
  routes: Record<string, RequestHandler>;
  stop(): Promise<void>;
}

/**
 * HubSpot's OAuth app beside the API fake: the authorization page on app.hubspot.com for
 * the browser (consenting at once for `subject`, so launchWebAuthFlow finishes headless),
 * the token endpoint on a port of its own for the token exchange server (which holds the
 * secret), and every access token it issues accepted by the API fake for the grant's scopes
 * until it expires, on the same settable clock (as microsoftFakes.ts wires Graph).
 */
export async function startHubSpotOAuthFakes(
  api: FakeHubSpotApi,
  subject: string,
  options: { clock: SettableClock; accessTokenLifetime?: number; app?: Partial<FakeHubSpotApp> },
): Promise<HubSpotOAuthFakes> {
  const issuedTokens: string[] = [];
  const issuedAt: number[] = [];
  const apiTokens: string[] = [];
  const idp = new FakeOauthServer({
    provider: 'hubspot',
    apps: [
      {
        clientId: TEST_HUBSPOT_CLIENT_ID,
        clientSecret: TEST_HUBSPOT_CLIENT_SECRET,
        redirectUris: [],
        hubId: api.portalId,
        ...options.app,
      },
    ],
    autoConsentSubject: subject,
    now: options.clock.now,
    ...(options.accessTokenLifetime === undefined
      ? {}
      : { accessTokenLifetime: options.accessTokenLifetime }),
    onAccessToken: (token, sub, scope, expiresIn) => {
      issuedTokens.push(token);
      issuedAt.push(Date.now());
      api.acceptOAuthToken(token, sub, { expiresInMs: expiresIn * 1000, scopes: scope.split(' ') });
    },
  });
  const base = await idp.start();
  return {
    idp,
    tokenUrl: `${base}/oauth/v3/token`,
    issuedTokens,
    issuedAt,
    apiTokens,
    recordTokens: (handler) => (req, res) => {
      const header = req.headers.authorization ?? '';
      if (req.method !== 'OPTIONS') apiTokens.push(header.startsWith('Bearer ') ? header.slice(7) : '');
      return handler(req, res);
    },
    routes: { [HUBSPOT_APP_HOST]: idp.handle },
    stop: () => idp.stop(),
  };
}

/** What the HubSpot admin does: adds the extension's redirect URI to the app's Auth settings. */
export function registerHubSpotRedirectUri(browser: ExtensionBrowser, fakes: HubSpotOAuthFakes): void {
  fakes.idp.registerRedirectUri(TEST_HUBSPOT_CLIENT_ID, extensionRedirectUri(browser));
}
