import type { z } from 'zod';
import type { ConformanceTarget } from '../../../server/conformance/ConformanceCheck';
import type { CrmConnector } from '../CrmConnector';

/**
 * What the background needs to reach the vendor's CRM once the rep signed in: tokens held by
 * the vendor's sign-in (background only), given by the composition root.
 */
export interface CrmConnectorDeps {
  fetch?: typeof fetch;
  /** Salesforce: a fresh access token for an expired session (and keeps it); rejects when the rep must sign in again. */
  refreshSalesforceToken?: (
    crm: import('./salesforce/salesforceVendor').SalesforceConnection,
  ) => Promise<string>;
  /** HubSpot per-rep OAuth: the rep's current access token (refreshed through the token exchange). */
  hubspotAccessToken?: () => Promise<string>;
  /** Salesforce: the current access token (held in memory, not in the settings); default `crm.token`. */
  salesforceAccessToken?: (
    crm: import('./salesforce/salesforceVendor').SalesforceConnection,
  ) => Promise<string>;
}

/**
 * `npm run conformance -- --crm <type> ...` for one vendor: its options beside the shared
 * `--token`, `--colleague-token` and `--company-domain`, and the target they describe.
 */
export interface CrmConformanceCli<Args extends object = object> {
  /** The options after `--crm <type>`, for the usage text. */
  usage: string;
  /** Its own options (string values) and the environment variable each defaults to. */
  options: Record<string, { env: string }>;
  /** Its arguments, with the shared ones (`token`, `colleague-token`, `company-domain`). */
  args: z.ZodType<Args>;
  target(args: Args): ConformanceTarget;
}

/**
 * The background half of a vendor (lib/crm/vendors/crmVendors.ts says how to add one):
 * background-only code, never imported by a view or content script.
 */
export interface CrmVendorBackend<Connection> {
  createConnector(crm: Connection, deps: CrmConnectorDeps): CrmConnector;
  // biome-ignore lint/suspicious/noExplicitAny: each vendor has its own argument shape.
  conformance: CrmConformanceCli<any>;
}
