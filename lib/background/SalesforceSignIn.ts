import type { WebAuthFlow } from '../auth/OAuthClient';
import { CrmError } from '../crm/CrmError';
import {
  exchangeSalesforceCode,
  refreshSalesforceToken,
  type SalesforceOAuthConfig,
  salesforceSignInUrl,
} from '../crm/salesforce/salesforceOAuth';
import type { TestConnectionResult } from '../messaging/messages';
import type { CrmConnection } from '../settings/Settings';
import type { CrmSidebarBackground } from './CrmSidebarBackground';

export interface SalesforceSignInRequest {
  loginUrl: string;
  consumerKey: string;
  accountDomainField?: string;
}

/**
 * The rep signs in to Salesforce through the browser's identity window (web-server flow
 * with PKCE); the tokens and the org's instance URL become the CRM connection. An expired
 * session is renewed with the refresh token and the new access token kept.
 */
export class SalesforceSignIn {
  constructor(
    private readonly deps: {
      background: CrmSidebarBackground;
      webAuthFlow: WebAuthFlow;
      fetch?: typeof fetch;
      allowInsecureRequests?: boolean;
    },
  ) {}

  private config(loginUrl: string, consumerKey: string): SalesforceOAuthConfig {
    return {
      loginUrl,
      consumerKey,
      fetch: this.deps.fetch,
      allowInsecureRequests: this.deps.allowInsecureRequests,
    };
  }

  async signIn(request: SalesforceSignInRequest): Promise<TestConnectionResult> {
    const config = this.config(request.loginUrl, request.consumerKey);
    const pending = await salesforceSignInUrl(config, this.deps.webAuthFlow.getRedirectUrl());
    const callback = await this.deps.webAuthFlow.launch(pending.url);
    const tokens = await exchangeSalesforceCode(config, pending, callback);
    const crm: Partial<CrmConnection> = {
      type: 'salesforce',
      baseUrl: tokens.instanceUrl,
      token: tokens.accessToken,
      refreshToken: tokens.refreshToken ?? '',
      loginUrl: request.loginUrl,
      consumerKey: request.consumerKey,
      ...(request.accountDomainField ? { accountDomainField: request.accountDomainField } : {}),
    };
    const settings = await this.deps.background.updateSettings({
      crm: { ...(await this.deps.background.getSettings()).crm, ...crm },
    });
    return this.deps.background.testConnection(settings.crm);
  }

  async refresh(crm: CrmConnection): Promise<string> {
    try {
      const tokens = await refreshSalesforceToken(
        this.config(crm.loginUrl, crm.consumerKey),
        crm.refreshToken,
      );
      const current = (await this.deps.background.getSettings()).crm;
      // Kept only if the connection is still the one that was refreshed.
      if (current.type === 'salesforce' && current.refreshToken === crm.refreshToken)
        await this.deps.background.updateSettings({
          crm: {
            ...current,
            token: tokens.accessToken,
            refreshToken: tokens.refreshToken ?? current.refreshToken,
          },
        });
      return tokens.accessToken;
    } catch (error) {
      throw new CrmError(
        'auth',
        `Salesforce did not renew the session (${error instanceof Error ? error.message : String(error)}).`,
      );
    }
  }
}
