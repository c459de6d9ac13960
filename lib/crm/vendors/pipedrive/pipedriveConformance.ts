import { z } from 'zod';
import type { ConformanceTarget } from '../../../../server/conformance/ConformanceCheck';
import type { CrmConformanceCli } from '../CrmVendorBackend';
import { CommonConformanceArgs, defaultConformanceFetch } from '../conformanceArgs';
import { createPipedriveCrmConnector } from './PipedriveCrmConnector';
import { PIPEDRIVE_API_BASE } from './pipedriveVendor';

/** A Pipedrive company (or the fake): the rep's API token, and a colleague's for the two-user checks. */
export function pipedriveTarget(options: {
  token: string;
  colleagueToken?: string;
  apiBase?: string;
  companyDomain?: string;
  fetch?: typeof fetch;
}): ConformanceTarget {
  const base = options.fetch ?? defaultConformanceFetch;
  return {
    label: `pipedrive ${options.apiBase ?? PIPEDRIVE_API_BASE}`,
    fetch: base,
    hasColleague: options.colleagueToken !== undefined,
    companyDomain: options.companyDomain,
    connect: ({ fetch = base, as = 'rep' } = {}) =>
      createPipedriveCrmConnector({
        apiToken: as === 'colleague' ? (options.colleagueToken ?? '') : options.token,
        apiBase: options.apiBase,
        fetch,
      }),
  };
}

const PipedriveConformanceArgs = z.object({
  'api-base': z.url({ protocol: /^https?$/ }).optional(),
  ...CommonConformanceArgs,
});

export const pipedriveConformance: CrmConformanceCli<z.infer<typeof PipedriveConformanceArgs>> = {
  usage: '--token API_TOKEN [--colleague-token TOKEN] [--api-base https://COMPANY.pipedrive.com]',
  options: { 'api-base': { env: 'PIPEDRIVE_API_BASE' } },
  args: PipedriveConformanceArgs,
  target: (a) =>
    pipedriveTarget({
      token: a.token,
      colleagueToken: a['colleague-token'],
      apiBase: a['api-base'],
      companyDomain: a['company-domain'],
    }),
};
