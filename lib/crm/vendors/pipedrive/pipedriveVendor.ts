import { z } from 'zod';
import { defineCrmVendor, distinctOrigins, originOf } from '../CrmVendor';
import { crmTokenField } from '../connectionFields';

/** Pipedrive's API host (github.com/pipedrive/client-nodejs, src/versions/v{1,2}/base.ts BASE_PATH). */
export const PIPEDRIVE_API_BASE = 'https://api.pipedrive.com';

/**
 * Where a company's API answers: api.pipedrive.com or the company's own
 * https://<company>.pipedrive.com (https://pipedrive.readme.io/docs/how-to-get-the-company-domain).
 * Nothing else, so the token never goes to a mistyped host.
 */
const PIPEDRIVE_HOST = /^https:\/\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.pipedrive\.com\/?$/i;

/** Pipedrive with a personal API token. */
export const PipedriveConnection = z.object({
  type: z.literal('pipedrive'),
  /** Blank for https://api.pipedrive.com, or the company's https://<company>.pipedrive.com. */
  baseUrl: z
    .string()
    .trim()
    .max(300)
    .refine((value) => value === '' || PIPEDRIVE_HOST.test(value), {
      message:
        'Leave it blank, or enter your company’s Pipedrive address, such as https://acme.pipedrive.com',
    })
    .default(''),
  /** The rep's personal API token (Personal preferences > API). */
  token: crmTokenField,
});
export type PipedriveConnection = z.infer<typeof PipedriveConnection>;

export const pipedriveVendor = defineCrmVendor({
  type: 'pipedrive',
  name: 'Pipedrive',
  optionLabel: 'Pipedrive (API token)',
  setup: {
    label: 'Pipedrive',
    description:
      'Pipedrive, with your personal API token (in Pipedrive: your name > Personal preferences > API). Emails are logged as activities of type Email on the person.',
  },
  connection: PipedriveConnection,
  isComplete: (crm) => crm.token !== '',
  origins: (crm) => distinctOrigins([originOf(crm.baseUrl.replace(/\/+$/, '') || PIPEDRIVE_API_BASE)]),
  // A blank token is the general "add your token" case (describeError words it).
  missingConnectionCode: () => 'crm_not_connected',
});
