import type { CrmVendorBackend } from '../CrmVendorBackend';
import { createSalesforceCrmConnector } from './SalesforceCrmConnector';
import { salesforceConformance } from './salesforceConformance';
import type { SalesforceConnection } from './salesforceVendor';

export const salesforceBackend: CrmVendorBackend<SalesforceConnection> = {
  createConnector: (crm, deps) => {
    const refresh = deps.refreshSalesforceToken;
    const held = deps.salesforceAccessToken;
    return createSalesforceCrmConnector({
      instanceUrl: crm.baseUrl,
      accessToken: held ? () => held(crm) : crm.token,
      accountDomainField: crm.accountDomainField,
      refreshAccessToken: refresh && crm.refreshToken ? () => refresh(crm) : undefined,
      fetch: deps.fetch,
    });
  },
  conformance: salesforceConformance,
};
