import type { CrmInfo } from '../../CrmCapabilities';
import type { CrmConnector } from '../../CrmConnector';
import { createPipedriveAccount } from './pipedriveAccount';
import { createPipedriveActivityChanges } from './pipedriveActivityChanges';
import { createPipedriveContactEmails } from './pipedriveContactEmails';
import { createPipedriveHttp, type PipedriveHttpOptions } from './pipedriveHttp';
import { createPipedriveLogging } from './pipedriveLogging';
import { createPipedriveLookups } from './pipedriveLookups';

/**
 * What Pipedrive can do for the sidebar, and what it cannot:
 * - alternateEmails: a person holds several addresses and the person search matches any.
 * - companiesByDomain: no. Organizations have no domain or website among their standard
 *   fields, and organization search looks in name, address, notes and custom fields only
 *   (src/versions/v2/api/organizations-api.ts `searchOrganization`). The company shown is
 *   the person's organization.
 * - deals: a person's open deals (GET /api/v2/deals?person_id=&status=open); a logged email
 *   can name one (`deal_id`).
 * - colleagueActivity: no. Activities cannot be found by their content across the account
 *   (no activity custom fields, not in item search); they can only be listed per person,
 *   which is how logging stays idempotent (pipedriveLogging.ts).
 * - tasks: an activity of type `task`; createContact: POST /api/v2/persons.
 * - removeActivity, moveActivity, redactActivity: the email's activity deleted, its deal
 *   changed, logged to another person, or emptied to who and when (pipedriveActivityChanges.ts).
 * - addAlternateEmail: a person's `emails` list, written back whole (pipedriveContactEmails.ts).
 */
export const PIPEDRIVE_CRM_INFO: CrmInfo = {
  type: 'pipedrive',
  name: 'Pipedrive',
  capabilities: {
    alternateEmails: true,
    companiesByDomain: false,
    deals: true,
    colleagueActivity: false,
    tasks: true,
    createContact: true,
    removeActivity: true,
    moveActivity: true,
    redactActivity: true,
    addAlternateEmail: true,
  },
};

export type PipedriveCrmConnectorOptions = PipedriveHttpOptions;

/**
 * The Pipedrive connector, with a personal API token (API v2 where it exists, v1 for the
 * current user). Works in a service worker. Never retries (the outbox does); a 429
 * carries the wait Pipedrive's headers ask for.
 */
export function createPipedriveCrmConnector(options: PipedriveCrmConnectorOptions): CrmConnector {
  const http = createPipedriveHttp(options);
  const account = createPipedriveAccount(http);
  const logging = createPipedriveLogging(http, account);
  const lookups = createPipedriveLookups(http, account, logging);
  const contactEmails = createPipedriveContactEmails(http, account, lookups);
  const activityChanges = createPipedriveActivityChanges(http, account, logging);
  return {
    info: PIPEDRIVE_CRM_INFO,
    recordUrl: account.recordUrl,
    whoami: account.me,
    lookup: lookups.lookup,
    getContact: lookups.getContact,
    createContact: lookups.createContact,
    listContactActivities: logging.listContactActivities,
    logActivities: logging.logActivities,
    activitiesForMessage: logging.activitiesForMessage,
    createTask: logging.createTask,
    relinkActivityDeal: logging.relinkActivityDeal,
    ...activityChanges,
    addContactEmail: contactEmails.addContactEmail,
    removeContactEmail: contactEmails.removeContactEmail,
  };
}
