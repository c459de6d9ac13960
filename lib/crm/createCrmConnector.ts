import type { CrmConnection } from '../settings/Settings';
import type { CrmConnector } from './CrmConnector';
import { CrmError } from './CrmError';
import { createHubSpotCrmConnector, HUBSPOT_API_BASE } from './hubspot/HubSpotCrmConnector';
import { createRestCrmConnector } from './RestCrmConnector';
import { createSalesforceCrmConnector } from './salesforce/SalesforceCrmConnector';

export interface CrmConnectorDeps {
  fetch?: typeof fetch;
  /** Salesforce: a fresh access token for an expired session (and keeps it); rejects when the rep must sign in again. */
  refreshSalesforceToken?: (crm: CrmConnection) => Promise<string>;
  /** HubSpot per-rep OAuth: the rep's current access token (refreshed through the token exchange). */
  hubspotAccessToken?: () => Promise<string>;
  /** Salesforce: the current access token (held in memory, not in the settings); default `crm.token`. */
  salesforceAccessToken?: (crm: CrmConnection) => Promise<string>;
}

/** The connector for the connection's CRM type: the one place that knows all three. */
export function createCrmConnector(crm: CrmConnection, deps: CrmConnectorDeps = {}): CrmConnector {
  switch (crm.type) {
    case 'rest':
      return createRestCrmConnector({ baseUrl: crm.baseUrl, token: crm.token, fetch: deps.fetch });
    case 'hubspot':
      return createHubSpotCrmConnector({
        accessToken:
          crm.hubspotAuth === 'oauth'
            ? (deps.hubspotAccessToken ??
              (() => Promise.reject(new CrmError('auth', 'Sign in with HubSpot on the options page first.'))))
            : crm.token,
        repEmail: crm.repEmail,
        apiBase: crm.baseUrl || undefined,
        fetch: deps.fetch,
      });
    case 'salesforce': {
      const refresh = deps.refreshSalesforceToken;
      const held = deps.salesforceAccessToken;
      return createSalesforceCrmConnector({
        instanceUrl: crm.baseUrl,
        accessToken: held ? () => held(crm) : crm.token,
        accountDomainField: crm.accountDomainField,
        refreshAccessToken: refresh && crm.refreshToken ? () => refresh(crm) : undefined,
        fetch: deps.fetch,
      });
    }
  }
}

/**
 * Exactly the origins a connection talks to, for the runtime host permission: the REST
 * CRM's; HubSpot's API; the Salesforce instance and its login host (token refresh).
 */
export function crmOrigins(crm: CrmConnection): string[] {
  const origin = (url: string) => {
    try {
      return new URL(url).origin;
    } catch {
      return null;
    }
  };
  const list =
    crm.type === 'hubspot'
      ? [origin(crm.baseUrl || HUBSPOT_API_BASE)]
      : crm.type === 'salesforce'
        ? [origin(crm.baseUrl), crm.refreshToken || crm.consumerKey ? origin(crm.loginUrl) : null]
        : [origin(crm.baseUrl)];
  return [...new Set(list.filter((o): o is string => o !== null))];
}
