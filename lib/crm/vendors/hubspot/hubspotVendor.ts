import { z } from 'zod';
import { defineCrmVendor, distinctOrigins, originOf } from '../CrmVendor';
import { crmBaseUrlField, crmTokenField } from '../connectionFields';

/** HubSpot's API host (https://developers.hubspot.com/docs/api/overview). */
export const HUBSPOT_API_BASE = 'https://api.hubapi.com';

/** HubSpot: a private app token for the team, or each rep's own OAuth sign-in. */
export const HubSpotConnection = z.object({
  type: z.literal('hubspot'),
  /** Blank for https://api.hubapi.com (another host: tests and fakes). */
  baseUrl: crmBaseUrlField,
  /** A private app token; blank with per-rep OAuth (its tokens stay in the background). */
  token: crmTokenField,
  /** The rep's HubSpot login; their owner is found by it. */
  repEmail: z.string().trim().toLowerCase().max(320).default(''),
  /**
   * A private app token in `token`, or per-rep OAuth with a HubSpot app (its tokens are kept
   * with the mailbox tokens, background only; lib/crm/vendors/hubspot/HubSpotOAuthSignIn.ts).
   */
  hubspotAuth: z.enum(['private_app', 'oauth']).default('private_app'),
  /** OAuth: the app's client id (public; its secret stays on the token exchange server). */
  hubspotClientId: z.string().trim().max(256).default(''),
  /** OAuth: when the rep signed in (null: not signed in). */
  hubspotSignedInAt: z.string().datetime().nullable().default(null),
});
export type HubSpotConnection = z.infer<typeof HubSpotConnection>;

/** "Sign in with HubSpot": the app's client id and the rep's HubSpot login. */
export const HubSpotSignInRequest = z.object({
  clientId: z.string().trim().min(1).max(256),
  repEmail: z.string().trim().max(320).optional(),
});
export type HubSpotSignInRequest = z.infer<typeof HubSpotSignInRequest>;

export const hubspotVendor = defineCrmVendor({
  type: 'hubspot',
  name: 'HubSpot',
  optionLabel: 'HubSpot',
  setup: {
    label: 'HubSpot',
    description:
      'HubSpot CRM through its public API. Needs a HubSpot account that may read and write contacts.',
  },
  connection: HubSpotConnection,
  isComplete: (crm) =>
    crm.repEmail !== '' && (crm.hubspotAuth === 'oauth' ? crm.hubspotSignedInAt !== null : crm.token !== ''),
  origins: (crm) => distinctOrigins([originOf(crm.baseUrl || HUBSPOT_API_BASE)]),
  // Per-rep OAuth: worded as the rep's sign-in, not as a token to add.
  missingConnectionCode: (crm) =>
    crm.hubspotAuth === 'oauth' ? 'hubspot_not_signed_in' : 'hubspot_token_missing',
  signInRequest: HubSpotSignInRequest,
});
