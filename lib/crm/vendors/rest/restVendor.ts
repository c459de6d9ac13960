import { z } from 'zod';
import { defineCrmVendor, distinctOrigins, originOf } from '../CrmVendor';
import { crmBaseUrlField, crmTokenField } from '../connectionFields';

/** A CRM speaking our REST contract (docs/CRM-CONTRACT.md): its address and an API token. */
export const RestConnection = z.object({
  type: z.literal('rest'),
  /** The CRM, e.g. https://crm.example.com (the contract's /api/v1 is appended). */
  baseUrl: crmBaseUrlField,
  /** The rep's API token. */
  token: crmTokenField,
});
export type RestConnection = z.infer<typeof RestConnection>;

export const restVendor = defineCrmVendor({
  type: 'rest',
  name: 'CRM',
  optionLabel: 'Our REST contract (your own CRM server)',
  setup: {
    label: 'Our CRM contract (REST)',
    description:
      'Your company’s own CRM, or the reference CRM of this project, speaking the CRM Sidebar REST contract (docs/CRM-CONTRACT.md). Needs its address and an API token.',
  },
  connection: RestConnection,
  isComplete: (crm) => crm.baseUrl !== '' && crm.token !== '',
  origins: (crm) => distinctOrigins([originOf(crm.baseUrl)]),
  missingConnectionCode: () => 'crm_not_connected',
});
