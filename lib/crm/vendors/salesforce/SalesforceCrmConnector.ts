import type { CrmInfo } from '../../CrmCapabilities';
import type { CrmConnector } from '../../CrmConnector';
import { salesforceActivityChanges } from './salesforceActivityChanges';
import { createSalesforceApi, SALESFORCE_API_VERSION, SALESFORCE_KEY_FIELDS } from './salesforceApi';
import { salesforceLogging } from './salesforceLogging';
import { salesforceLookups } from './salesforceLookups';
import { salesforceMapping } from './salesforceMapping';

export { soqlString } from './salesforceApi';
export { SALESFORCE_API_VERSION, SALESFORCE_KEY_FIELDS };

/**
 * Salesforce has no standard alternate address on Contact or Lead, so lookups use the
 * main `Email` only, and no second address can be added to a person (`addAlternateEmail`
 * off: the standard Contact has one `Email` field, and a Lead one `Email`,
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contact.htm;
 * writing it would replace the main address, not add one). Everything else the sidebar needs is there.
 */
export const SALESFORCE_CRM_INFO: CrmInfo = {
  type: 'salesforce',
  name: 'Salesforce',
  capabilities: {
    alternateEmails: false,
    companiesByDomain: true,
    deals: true,
    colleagueActivity: true,
    tasks: true,
    createContact: true,
    removeActivity: true,
    moveActivity: true,
    redactActivity: true,
    addAlternateEmail: false,
  },
};

export interface SalesforceCrmConnectorOptions {
  /** The org's instance URL from the token response (https://yourorg.my.salesforce.com). */
  instanceUrl: string;
  accessToken: string | (() => Promise<string>);
  /** Called once when Salesforce says the session expired: a fresh access token, or a rejection (sign in again). */
  refreshAccessToken?: () => Promise<string>;
  apiVersion?: string;
  /** The Account field holding the company's web address or domain; default Website. */
  accountDomainField?: string;
  /** `auto`: EmailMessage when Enhanced Email is on, a completed Task otherwise. */
  logAs?: 'auto' | 'email_message' | 'task';
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * The Salesforce connector: SOQL queries, sObject rows and sObject Collections over the
 * REST API. An expired session is refreshed once; if that fails the rep must sign in again.
 */
export function createSalesforceCrmConnector(options: SalesforceCrmConnectorOptions): CrmConnector {
  const api = createSalesforceApi(options);
  const mapping = salesforceMapping(api);
  const { lookup, getContact, createContact, listContactActivities } = salesforceLookups(api, mapping);
  const { logActivities, activitiesForMessage, findLoggedMessages, createTask } = salesforceLogging(
    api,
    mapping,
  );
  const { recordUrl, me } = api;
  return {
    info: SALESFORCE_CRM_INFO,
    recordUrl,
    whoami: me,
    lookup,
    getContact,
    createContact,
    listContactActivities,
    logActivities,
    activitiesForMessage,
    findLoggedMessages,
    createTask,
    ...salesforceActivityChanges(api, mapping),
  };
}
