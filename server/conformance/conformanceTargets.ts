/** Each vendor's conformance target lives in its folder (lib/crm/vendors/<vendor>/); the suite's tests import them here. */
export { hubspotTarget } from '../../lib/crm/vendors/hubspot/hubspotConformance';
export { restTarget } from '../../lib/crm/vendors/rest/restConformance';
export { salesforceTarget } from '../../lib/crm/vendors/salesforce/salesforceConformance';
