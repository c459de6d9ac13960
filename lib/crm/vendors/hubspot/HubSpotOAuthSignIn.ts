import { SingleFlight } from '../../../async/SingleFlight';
import {
  authorizeMailbox,
  OAuthGrantError,
  refreshTokens,
  type WebAuthFlow,
} from '../../../auth/OAuthClient';
import type { TokenStore } from '../../../auth/TokenManager';
import { ExtensionError } from '../../../errors/ErrorInfo';
import type { CrmConnection, Settings } from '../../../settings/Settings';
import { CrmError } from '../../CrmError';
import { hubspotOAuthConfig } from './hubspotOAuth';
import { HubSpotConnection } from './hubspotVendor';

/** Where the rep's HubSpot tokens are kept in the token store (beside the mailboxes'). */
export const HUBSPOT_TOKEN_KEY = 'crm:hubspot';
/** Refresh this long before the 30-minute access token runs out. */
const REFRESH_AHEAD_MS = 5 * 60_000;

export interface HubSpotOAuthSignInDeps {
  settings: {
    getSettings(): Promise<Settings>;
    updateSettings(patch: Partial<Settings>): Promise<Settings>;
  };
  webAuthFlow: WebAuthFlow;
  /** Background-only token storage (refresh token persistent, access token in memory). */
  tokens: TokenStore;
  fetch?: typeof fetch;
  /** Only for local fakes over plain HTTP. */
  allowInsecureRequests?: boolean;
  /** Tests: the authorization page of a fake. */
  authorizationEndpoint?: string;
  now?: () => number;
}

/**
 * Per-rep OAuth for the HubSpot CRM type: "Sign in with HubSpot" opens HubSpot's
 * consent page through `launchWebAuthFlow`, and the code (with its PKCE verifier) goes to the
 * team's token exchange server, which adds the app's client secret (HubSpot requires it at
 * the exchange and at every refresh). The access token is refreshed through the same server
 * before it expires; a refused refresh asks the rep to sign in again.
 */
export class HubSpotOAuthSignIn {
  private readonly refreshes = new SingleFlight<string>();

  constructor(private readonly deps: HubSpotOAuthSignInDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private async config(clientId: string) {
    const exchange = (await this.deps.settings.getSettings()).oauth.tokenExchangeUrl;
    if (exchange === '') {
      throw new ExtensionError(
        'not_configured',
        'Signing in with HubSpot needs the token exchange server: HubSpot hands out tokens only with the app’s client secret, which stays on that server.',
        { source: 'crm', code: 'token_exchange_missing' },
      );
    }
    const config = hubspotOAuthConfig({ clientId, tokenExchangeUrl: exchange });
    return this.deps.authorizationEndpoint
      ? { ...config, authorizationEndpoint: this.deps.authorizationEndpoint }
      : config;
  }

  private requestOptions() {
    return {
      fetch: this.deps.fetch,
      allowInsecureRequests: this.deps.allowInsecureRequests,
      now: this.deps.now,
    };
  }

  /** Signs in and saves the connection; the caller tests it (the connector needs this sign-in). */
  async signIn(request: { clientId: string; repEmail?: string }): Promise<CrmConnection> {
    const config = await this.config(request.clientId);
    const tokens = await authorizeMailbox(config, this.deps.webAuthFlow, this.requestOptions());
    await this.deps.tokens.set(HUBSPOT_TOKEN_KEY, tokens);
    const current = (await this.deps.settings.getSettings()).crm;
    // Signing in from another CRM type keeps none of its connection: its base URL (a
    // Salesforce instance, a REST server) would become HubSpot's API base, and the HubSpot
    // token would be sent there; its tokens and keys would stay in the settings.
    const base = current.type === 'hubspot' ? current : HubSpotConnection.parse({ type: 'hubspot' });
    const settings = await this.deps.settings.updateSettings({
      crm: {
        ...base,
        type: 'hubspot',
        // A private app token is not kept once the rep signs in (the options page saves none).
        token: '',
        hubspotAuth: 'oauth',
        hubspotClientId: request.clientId,
        hubspotSignedInAt: new Date(this.now()).toISOString(),
        repEmail: request.repEmail ? request.repEmail.trim().toLowerCase() : base.repEmail,
      },
    });
    return settings.crm;
  }

  /** Forgets the rep's HubSpot tokens (switching to a private app token, or signing out). */
  async signOut(): Promise<void> {
    await this.deps.tokens.delete(HUBSPOT_TOKEN_KEY);
    const current = (await this.deps.settings.getSettings()).crm;
    if (current.type === 'hubspot' && current.hubspotSignedInAt !== null)
      await this.deps.settings.updateSettings({ crm: { ...current, hubspotSignedInAt: null } });
  }

  /** The connector's token source: the stored one while it has time left, else a refreshed one. */
  async accessToken(): Promise<string> {
    const stored = await this.deps.tokens.get(HUBSPOT_TOKEN_KEY);
    if (!stored)
      throw new CrmError('auth', 'HubSpot has no sign-in stored for this rep.', {
        code: 'crm_sign_in_ended',
      });
    if (stored.accessToken !== '' && stored.expiresAt - REFRESH_AHEAD_MS > this.now())
      return stored.accessToken;
    return this.refreshes.run(HUBSPOT_TOKEN_KEY, () => this.refresh());
  }

  private async refresh(): Promise<string> {
    const stored = await this.deps.tokens.get(HUBSPOT_TOKEN_KEY);
    const crm = (await this.deps.settings.getSettings()).crm;
    if (!stored?.refreshToken || crm.type !== 'hubspot')
      throw new CrmError('auth', 'HubSpot has no refresh token stored for this rep.', {
        code: 'crm_sign_in_ended',
      });
    try {
      const fresh = await refreshTokens(
        await this.config(crm.hubspotClientId),
        stored.refreshToken,
        this.requestOptions(),
      );
      // HubSpot does not rotate refresh tokens; keep whichever is newest.
      await this.deps.tokens.set(HUBSPOT_TOKEN_KEY, {
        ...fresh,
        refreshToken: fresh.refreshToken ?? stored.refreshToken,
      });
      return fresh.accessToken;
    } catch (error) {
      if (error instanceof ExtensionError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof OAuthGrantError && error.error === 'invalid_grant') {
        // Uninstalled app or revoked token: only a new sign-in helps.
        await this.signOut();
        throw new CrmError('auth', `HubSpot no longer accepts this sign-in (${reason}).`, {
          code: 'crm_sign_in_ended',
        });
      }
      if (error instanceof OAuthGrantError)
        throw new CrmError('auth', `HubSpot refused to renew the sign-in (${reason}).`, {
          code: 'crm_sign_in_ended',
        });
      // No answer, or the server failed: the next call tries again.
      throw new CrmError('network', `HubSpot's token could not be renewed (${reason}).`);
    }
  }
}
