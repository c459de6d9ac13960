import { z } from 'zod';
import type { ConformanceTarget } from '../../../../server/conformance/ConformanceCheck';
import type { CrmConformanceCli } from '../CrmVendorBackend';
import { CommonConformanceArgs, defaultConformanceFetch } from '../conformanceArgs';
import { createRestCrmConnector } from './RestCrmConnector';

/** A CRM speaking CRM-CONTRACT.md (our reference server, or a team's own). */
export function restTarget(options: {
  baseUrl: string;
  token: string;
  colleagueToken?: string;
  companyDomain?: string;
  fetch?: typeof fetch;
}): ConformanceTarget {
  const base = options.fetch ?? defaultConformanceFetch;
  return {
    label: `rest ${options.baseUrl}`,
    fetch: base,
    hasColleague: options.colleagueToken !== undefined,
    companyDomain: options.companyDomain,
    rest: { baseUrl: options.baseUrl, token: options.token, colleagueToken: options.colleagueToken },
    connect: ({ fetch = base, as = 'rep' } = {}) =>
      createRestCrmConnector({
        baseUrl: options.baseUrl,
        token: as === 'colleague' ? (options.colleagueToken ?? '') : options.token,
        fetch,
      }),
  };
}

const RestConformanceArgs = z.object({
  'base-url': z.url({ protocol: /^https?$/ }),
  ...CommonConformanceArgs,
});

export const restConformance: CrmConformanceCli<z.infer<typeof RestConformanceArgs>> = {
  usage: '--base-url URL --token TOKEN [--colleague-token TOKEN] [--company-domain DOMAIN]',
  options: { 'base-url': { env: 'CRM_BASE_URL' } },
  args: RestConformanceArgs,
  target: (a) =>
    restTarget({
      baseUrl: a['base-url'],
      token: a.token,
      colleagueToken: a['colleague-token'],
      companyDomain: a['company-domain'],
    }),
};
