/**
 * The background half of each CRM vendor: one line per vendor (how to add one:
 * lib/crm/vendors/crmVendors.ts). Background-only: connectors and sign-in code.
 */

import type { CrmVendorBackend } from './CrmVendorBackend';
import type { CrmConnectionOf, CrmType } from './crmVendors';
import { hubspotBackend } from './hubspot/hubspotBackend';
import { pipedriveBackend } from './pipedrive/pipedriveBackend';
import { restBackend } from './rest/restBackend';
import { salesforceBackend } from './salesforce/salesforceBackend';

export const CRM_VENDOR_BACKENDS: { readonly [T in CrmType]: CrmVendorBackend<CrmConnectionOf<T>> } = {
  rest: restBackend,
  hubspot: hubspotBackend,
  salesforce: salesforceBackend,
  pipedrive: pipedriveBackend,
};
