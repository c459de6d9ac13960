/**
 * The options page's half of each CRM vendor: one line per vendor (how to add one:
 * lib/crm/vendors/crmVendors.ts). React views only: no connector, token or Dexie code.
 */

import type { CrmVendorFields } from './CrmVendorFieldsProps';
import type { CrmConnectionOf, CrmType } from './crmVendors';
import { HubSpotConnectionFields } from './hubspot/HubSpotConnectionFields';
import { PipedriveConnectionFields } from './pipedrive/PipedriveConnectionFields';
import { RestConnectionFields } from './rest/RestConnectionFields';
import { SalesforceConnectionFields } from './salesforce/SalesforceConnectionFields';

export const CRM_VENDOR_FIELDS: { readonly [T in CrmType]: CrmVendorFields<CrmConnectionOf<T>> } = {
  rest: RestConnectionFields,
  hubspot: HubSpotConnectionFields,
  salesforce: SalesforceConnectionFields,
  pipedrive: PipedriveConnectionFields,
};
