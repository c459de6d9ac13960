import { z } from 'zod';
import type { ConformanceTarget } from '../../../../server/conformance/ConformanceCheck';
import type { CrmConformanceCli } from '../CrmVendorBackend';
import { CommonConformanceArgs, defaultConformanceFetch } from '../conformanceArgs';
import { createHubSpotCrmConnector } from './HubSpotCrmConnector';
import { HUBSPOT_API_BASE } from './hubspotVendor';

/** A HubSpot portal (or the fake): a private app token and the rep's HubSpot login. */
export function hubspotTarget(options: {
  token: string;
  repEmail: string;
  colleague?: { token: string; email: string };
  apiBase?: string;
  companyDomain?: string;
  fetch?: typeof fetch;
}): ConformanceTarget {
  const base = options.fetch ?? defaultConformanceFetch;
  return {
    label: `hubspot ${options.apiBase ?? HUBSPOT_API_BASE}`,
    fetch: base,
    hasColleague: options.colleague !== undefined,
    companyDomain: options.companyDomain,
    connect: ({ fetch = base, as = 'rep' } = {}) =>
      createHubSpotCrmConnector({
        accessToken: as === 'colleague' ? (options.colleague?.token ?? '') : options.token,
        repEmail: as === 'colleague' ? (options.colleague?.email ?? '') : options.repEmail,
        apiBase: options.apiBase,
        fetch,
      }),
  };
}

const HubSpotConformanceArgs = z.object({
  'rep-email': z.email(),
  'colleague-email': z.email().optional(),
  'api-base': z.url({ protocol: /^https?$/ }).optional(),
  ...CommonConformanceArgs,
});

export const hubspotConformance: CrmConformanceCli<z.infer<typeof HubSpotConformanceArgs>> = {
  usage:
    '--token PRIVATE_APP_TOKEN --rep-email YOU@COMPANY [--colleague-token T --colleague-email E] [--company-domain D]',
  options: {
    'rep-email': { env: 'CRM_REP_EMAIL' },
    'colleague-email': { env: 'CRM_COLLEAGUE_EMAIL' },
    'api-base': { env: 'HUBSPOT_API_BASE' },
  },
  args: HubSpotConformanceArgs,
  target: (a) => {
    const colleagueToken = a['colleague-token'];
    const colleagueEmail = a['colleague-email'];
    return hubspotTarget({
      token: a.token,
      repEmail: a['rep-email'],
      colleague:
        colleagueToken && colleagueEmail ? { token: colleagueToken, email: colleagueEmail } : undefined,
      apiBase: a['api-base'],
      companyDomain: a['company-domain'],
    });
  },
};
