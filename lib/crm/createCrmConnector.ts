import type { CrmConnector } from './CrmConnector';
import type { CrmConnectorDeps, CrmVendorBackend } from './vendors/CrmVendorBackend';
import { CRM_VENDOR_BACKENDS } from './vendors/crmVendorBackends';
import type { CrmConnection } from './vendors/crmVendors';

export type { CrmConnectorDeps };

/** The connector for the connection's CRM type, built by its vendor (lib/crm/vendors/crmVendorBackends.ts). */
export function createCrmConnector(crm: CrmConnection, deps: CrmConnectorDeps = {}): CrmConnector {
  return (CRM_VENDOR_BACKENDS[crm.type] as CrmVendorBackend<CrmConnection, unknown>).createConnector(
    crm,
    deps,
  );
}
