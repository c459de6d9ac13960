import { CrmError } from '../../CrmError';
import type { CrmVendorBackend } from '../CrmVendorBackend';
import { createHubSpotCrmConnector } from './HubSpotCrmConnector';
import { hubspotConformance } from './hubspotConformance';
import type { HubSpotConnection } from './hubspotVendor';

export const hubspotBackend: CrmVendorBackend<HubSpotConnection> = {
  createConnector: (crm, deps) =>
    createHubSpotCrmConnector({
      accessToken:
        crm.hubspotAuth === 'oauth'
          ? (deps.hubspotAccessToken ??
            (() => Promise.reject(new CrmError('auth', 'Sign in with HubSpot on the options page first.'))))
          : crm.token,
      repEmail: crm.repEmail,
      apiBase: crm.baseUrl || undefined,
      fetch: deps.fetch,
    }),
  conformance: hubspotConformance,
};
