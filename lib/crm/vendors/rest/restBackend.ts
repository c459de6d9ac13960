import type { CrmVendorBackend } from '../CrmVendorBackend';
import { createRestCrmConnector } from './RestCrmConnector';
import { restConformance } from './restConformance';
import type { RestConnection } from './restVendor';

export const restBackend: CrmVendorBackend<RestConnection> = {
  createConnector: (crm, deps) =>
    createRestCrmConnector({ baseUrl: crm.baseUrl, token: crm.token, fetch: deps.fetch }),
  conformance: restConformance,
};
