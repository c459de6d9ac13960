import { z } from 'zod';
import type { ConformanceTarget } from '../../../../server/conformance/ConformanceCheck';
import type { CrmConformanceCli } from '../CrmVendorBackend';
import { CommonConformanceArgs, defaultConformanceFetch } from '../conformanceArgs';
import { createSalesforceCrmConnector } from './SalesforceCrmConnector';

/** A Salesforce org (or the fake): its instance URL and the rep's (and a colleague's) access token. */
export function salesforceTarget(options: {
  instanceUrl: string;
  token: string;
  colleagueToken?: string;
  logAs?: 'auto' | 'email_message' | 'task';
  companyDomain?: string;
  fetch?: typeof fetch;
}): ConformanceTarget {
  const base = options.fetch ?? defaultConformanceFetch;
  return {
    label: `salesforce ${options.instanceUrl}${options.logAs && options.logAs !== 'auto' ? ` (${options.logAs})` : ''}`,
    fetch: base,
    hasColleague: options.colleagueToken !== undefined,
    companyDomain: options.companyDomain,
    connect: ({ fetch = base, as = 'rep' } = {}) =>
      createSalesforceCrmConnector({
        instanceUrl: options.instanceUrl,
        accessToken: as === 'colleague' ? (options.colleagueToken ?? '') : options.token,
        logAs: options.logAs,
        fetch,
      }),
  };
}

const SalesforceConformanceArgs = z.object({
  'instance-url': z.url({ protocol: /^https?$/ }),
  'log-as': z.enum(['auto', 'email_message', 'task']).default('auto'),
  ...CommonConformanceArgs,
});

export const salesforceConformance: CrmConformanceCli<z.infer<typeof SalesforceConformanceArgs>> = {
  usage:
    '--instance-url https://ORG.my.salesforce.com --token ACCESS_TOKEN [--colleague-token T] [--log-as auto|email_message|task] [--company-domain D]',
  options: {
    'instance-url': { env: 'SALESFORCE_INSTANCE_URL' },
    'log-as': { env: 'SALESFORCE_LOG_AS' },
  },
  args: SalesforceConformanceArgs,
  target: (a) =>
    salesforceTarget({
      instanceUrl: a['instance-url'],
      token: a.token,
      colleagueToken: a['colleague-token'],
      logAs: a['log-as'],
      companyDomain: a['company-domain'],
    }),
};
