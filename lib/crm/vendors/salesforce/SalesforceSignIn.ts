import type { WebAuthFlow } from '../../../auth/OAuthClient';
import type { SessionArea } from '../../../auth/sessionAccessTokenStore';
import type { SettingsAccess } from '../../../background/SettingsService';
import type { CrmConnection } from '../../../settings/Settings';
import { CrmError } from '../../CrmError';
import {
  exchangeSalesforceCode,
  refreshSalesforceToken,
  type SalesforceOAuthConfig,
  salesforceSignInUrl,
} from './salesforceOAuth';
import { SalesforceConnection, type SalesforceSignInRequest } from './salesforceVendor';

export type { SalesforceSignInRequest };

/** Where the access token of a Salesforce connection is held (one connection at a time). */
const SESSION_KEY = 'crmAccessToken:salesforce';

/**
 * The rep signs in to Salesforce through the browser's identity window (web-server flow
 * with PKCE); the org's instance URL and the refresh token become the CRM connection (in the
 * extension's database, where CRM tokens are kept), the access token is held in
 * `storage.session` like the mailboxes' (memory only, not readable by content scripts;
 * docs/SECURITY.md). After a browser restart, or when the session expires, the refresh token
 * gets a new one.
 */
export class SalesforceSignIn {
  constructor(
    private readonly deps: {
      settings: SettingsAccess;
      webAuthFlow: WebAuthFlow;
      /** `browser.storage.session` in the extension. */
      session: SessionArea;
      fetch?: typeof fetch;
      allowInsecureRequests?: boolean;
    },
  ) {}

  private async held(crm: SalesforceConnection): Promise<string | null> {
    const value = (await this.deps.session.get(SESSION_KEY))[SESSION_KEY] as
      | { accessToken?: unknown; instanceUrl?: unknown }
      | undefined;
    return typeof value?.accessToken === 'string' && value.instanceUrl === crm.baseUrl
      ? value.accessToken
      : null;
  }

  private hold(instanceUrl: string, accessToken: string): Promise<void> {
    return this.deps.session.set({ [SESSION_KEY]: { accessToken, instanceUrl } });
  }

  /**
   * The connection's current access token: the one held in memory, else (a connection
   * saved before tokens moved to memory) the stored one, moved to memory when a refresh token
   * can replace it, else a refresh.
   */
  async accessToken(crm: SalesforceConnection): Promise<string> {
    const held = await this.held(crm);
    if (held) return held;
    if (crm.token !== '') {
      await this.hold(crm.baseUrl, crm.token);
      const current = (await this.deps.settings.getSettings()).crm;
      // Only with a refresh token to get a new one after a restart: a connection saved with an
      // access token alone (entered by hand, no refresh token) keeps it, or it would be lost.
      if (current.type === 'salesforce' && current.token === crm.token && current.refreshToken !== '')
        await this.deps.settings.updateSettings({ crm: { ...current, token: '' } });
      return crm.token;
    }
    return this.refresh(crm);
  }

  private config(loginUrl: string, consumerKey: string): SalesforceOAuthConfig {
    return {
      loginUrl,
      consumerKey,
      fetch: this.deps.fetch,
      allowInsecureRequests: this.deps.allowInsecureRequests,
    };
  }

  /** Signs in and saves the connection; the caller tests it (the connector needs this sign-in). */
  async signIn(request: SalesforceSignInRequest): Promise<CrmConnection> {
    const config = this.config(request.loginUrl, request.consumerKey);
    const pending = await salesforceSignInUrl(config, this.deps.webAuthFlow.getRedirectUrl());
    const callback = await this.deps.webAuthFlow.launch(pending.url);
    const tokens = await exchangeSalesforceCode(config, pending, callback);
    await this.hold(tokens.instanceUrl, tokens.accessToken);
    const current = (await this.deps.settings.getSettings()).crm;
    // Signing in from another CRM type keeps none of its connection.
    const base = current.type === 'salesforce' ? current : SalesforceConnection.parse({ type: 'salesforce' });
    const crm: SalesforceConnection = {
      ...base,
      baseUrl: tokens.instanceUrl,
      token: '',
      refreshToken: tokens.refreshToken ?? '',
      loginUrl: request.loginUrl,
      consumerKey: request.consumerKey,
      ...(request.accountDomainField ? { accountDomainField: request.accountDomainField } : {}),
    };
    const settings = await this.deps.settings.updateSettings({ crm });
    return settings.crm;
  }

  /** Refreshes in flight per refresh token: callers at the same moment share one (a second would void the first's token). */
  private readonly refreshing = new Map<string, Promise<string>>();

  refresh(crm: SalesforceConnection): Promise<string> {
    const running = this.refreshing.get(crm.refreshToken);
    if (running) return running;
    const started = this.refreshOnce(crm).finally(() => this.refreshing.delete(crm.refreshToken));
    this.refreshing.set(crm.refreshToken, started);
    return started;
  }

  private async refreshOnce(crm: SalesforceConnection): Promise<string> {
    try {
      const tokens = await refreshSalesforceToken(
        this.config(crm.loginUrl, crm.consumerKey),
        crm.refreshToken,
      );
      const current = (await this.deps.settings.getSettings()).crm;
      // Kept only if the connection is still the one that was refreshed.
      if (current.type === 'salesforce' && current.refreshToken === crm.refreshToken) {
        await this.hold(current.baseUrl, tokens.accessToken);
        if (tokens.refreshToken && tokens.refreshToken !== current.refreshToken)
          await this.deps.settings.updateSettings({
            crm: { ...current, refreshToken: tokens.refreshToken },
          });
      }
      return tokens.accessToken;
    } catch (error) {
      throw new CrmError(
        'auth',
        `Salesforce did not renew the session (${error instanceof Error ? error.message : String(error)}).`,
        { code: 'crm_sign_in_ended' },
      );
    }
  }
}
