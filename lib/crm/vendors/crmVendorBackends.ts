/**
 * The background half of each CRM vendor: one line per vendor (how to add one:
 * lib/crm/vendors/crmVendors.ts). Background-only: connectors and sign-in code.
 */

import type { CrmVendorBackend } from './CrmVendorBackend';
import type { CrmConnectionOf, CrmSignInParams, CrmSignInType, CrmType } from './crmVendors';
import { hubspotBackend } from './hubspot/hubspotBackend';
import { pipedriveBackend } from './pipedrive/pipedriveBackend';
import { restBackend } from './rest/restBackend';
import { salesforceBackend } from './salesforce/salesforceBackend';

/** What a vendor's sign-in is started with; never for a vendor without one. */
type SignInParamsOf<T extends CrmType> = T extends CrmSignInType ? CrmSignInParams<T> : never;

export const CRM_VENDOR_BACKENDS: {
  readonly [T in CrmType]: CrmVendorBackend<CrmConnectionOf<T>, SignInParamsOf<T>>;
} = {
  rest: restBackend,
  hubspot: hubspotBackend,
  salesforce: salesforceBackend,
  pipedrive: pipedriveBackend,
};
