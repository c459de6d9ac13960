import { ALL_CAPABILITIES, type CrmInfo } from '../../CrmCapabilities';
import type { CrmConnector } from '../../CrmConnector';
import { logKey } from '../../connectorKit/logKey';
import { hubspotActivityChanges } from './hubspotActivityChanges';
import { createHubSpotApi } from './hubspotApi';
import { hubspotContactEmails } from './hubspotContactEmails';
import { hubspotLogging } from './hubspotLogging';
import { hubspotLookups } from './hubspotLookups';
import { HUBSPOT_PROPERTIES, hubspotMapping } from './hubspotMapping';
import { HUBSPOT_API_BASE } from './hubspotVendor';

export { SEARCH_ANSWER_TTL_MS, SEARCHES_PER_SECOND } from './hubspotApi';
export { HUBSPOT_API_BASE, HUBSPOT_PROPERTIES };

/**
 * HubSpot does everything the sidebar asks for, a logged email's removal (archive), move
 * (its associations) and redaction included (hubspotActivityChanges.ts).
 */
export const HUBSPOT_CRM_INFO: CrmInfo = {
  type: 'hubspot',
  name: 'HubSpot',
  capabilities: ALL_CAPABILITIES,
};

export interface HubSpotCrmConnectorOptions {
  /** A private app token, or the rep's OAuth access token (the current one each call). */
  accessToken: string | (() => Promise<string>);
  /** The rep's HubSpot login: their owner is found by it, so activities carry the right owner. */
  repEmail: string;
  /** Defaults to https://api.hubapi.com (tests point it at a fake). */
  apiBase?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * The HubSpot connector: CRM v3 objects, search, associations v4, owners and properties
 * over fetch. Works in a service worker. Never retries (the outbox does); a 429 carries
 * the wait HubSpot's headers ask for.
 */
export function createHubSpotCrmConnector(options: HubSpotCrmConnectorOptions): CrmConnector {
  const api = createHubSpotApi(options);
  const mapping = hubspotMapping(api);
  const { lookup, getContact, createContact, listContactActivities } = hubspotLookups(api, mapping);
  const { logActivities, activitiesForMessage, findLoggedMessages, createTask } = hubspotLogging(
    api,
    mapping,
  );
  const { addContactEmail, removeContactEmail } = hubspotContactEmails(api, mapping, lookup);
  const { recordUrl, me } = api;
  return {
    info: HUBSPOT_CRM_INFO,
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
    ...hubspotActivityChanges(api, mapping),
    addContactEmail,
    removeContactEmail,
  };
}

/** One email per (Message-ID, contact): the value of the unique log-key property. */
export { logKey };
