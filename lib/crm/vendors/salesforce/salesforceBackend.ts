import type { CrmVendorBackend } from '../CrmVendorBackend';
import { createSalesforceCrmConnector } from './SalesforceCrmConnector';
import { SalesforceSignIn } from './SalesforceSignIn';
import { salesforceConformance } from './salesforceConformance';
import type { SalesforceConnection, SalesforceSignInRequest } from './salesforceVendor';

export const salesforceBackend: CrmVendorBackend<SalesforceConnection, SalesforceSignInRequest> = {
  createConnector: (crm, deps) => {
    const tokens = deps.tokens;
    const refresh = tokens?.refresh;
    return createSalesforceCrmConnector({
      instanceUrl: crm.baseUrl,
      accessToken: tokens ? () => tokens.accessToken(crm) : crm.token,
      accountDomainField: crm.accountDomainField,
      refreshAccessToken: refresh && crm.refreshToken ? () => refresh(crm) : undefined,
      fetch: deps.fetch,
    });
  },
  // The access token lives in memory like the mailboxes'; the refresh token in the settings.
  signIn: ({ settings, webAuthFlow, sessionArea }) => {
    const salesforce = new SalesforceSignIn({ settings, webAuthFlow, session: sessionArea });
    return {
      signIn: (request) => salesforce.signIn(request),
      tokens: {
        accessToken: (crm) => salesforce.accessToken(crm),
        refresh: (crm) => salesforce.refresh(crm),
      },
    };
  },
  conformance: salesforceConformance,
};
