import { z } from 'zod';
import { defineCrmVendor, distinctOrigins, originOf } from '../CrmVendor';
import { crmBaseUrlField, crmTokenField } from '../connectionFields';

/** Where reps sign in: production orgs and sandboxes (or the org's My Domain). */
export const SALESFORCE_LOGIN_URLS = {
  production: 'https://login.salesforce.com',
  sandbox: 'https://test.salesforce.com',
} as const;

/** Salesforce: the rep signs in (OAuth web-server flow); the org's instance and refresh token are kept. */
export const SalesforceConnection = z.object({
  type: z.literal('salesforce'),
  /** The org's instance URL (from the token response). */
  baseUrl: crmBaseUrlField,
  /** An access token saved before they were held in memory only (moved there on first use). */
  token: crmTokenField,
  /** Where the rep signs in (login.salesforce.com, test.salesforce.com or the org's My Domain). */
  loginUrl: z.string().trim().max(2_048).default(SALESFORCE_LOGIN_URLS.production),
  /** The connected app's consumer key (OAuth client id). */
  consumerKey: z.string().trim().max(256).default(''),
  /** The refresh token from the sign-in. */
  refreshToken: z.string().trim().max(4096).default(''),
  /** The Account field holding the company's web address. */
  accountDomainField: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'a Salesforce field API name, such as Website or Domain__c')
    .default('Website'),
});
export type SalesforceConnection = z.infer<typeof SalesforceConnection>;

/** "Sign in with Salesforce": where the rep signs in, the connected app's key, the Account domain field. */
export const SalesforceSignInRequest = z.object({
  loginUrl: z.url({ protocol: /^https?$/ }),
  consumerKey: z.string().trim().min(1).max(256),
  accountDomainField: z.string().trim().max(80).optional(),
});
export type SalesforceSignInRequest = z.infer<typeof SalesforceSignInRequest>;

export const salesforceVendor = defineCrmVendor({
  type: 'salesforce',
  name: 'Salesforce',
  optionLabel: 'Salesforce',
  setup: {
    label: 'Salesforce',
    description: 'Salesforce Sales Cloud through its REST API. Needs a Salesforce login with API access.',
  },
  connection: SalesforceConnection,
  // Only the refresh token is kept here; the access token is held in memory.
  isComplete: (crm) => crm.baseUrl !== '' && (crm.refreshToken !== '' || crm.token !== ''),
  // The instance, and the login host that renews the session.
  origins: (crm) =>
    distinctOrigins([
      originOf(crm.baseUrl),
      crm.refreshToken || crm.consumerKey ? originOf(crm.loginUrl) : null,
    ]),
  missingConnectionCode: () => 'salesforce_not_signed_in',
  signInRequest: SalesforceSignInRequest,
});
