import { createRestCrmConnector } from '../../lib/crm/RestCrmConnector';
import type { ConformanceTarget } from './ConformanceCheck';

const defaultFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);

/** A CRM speaking CRM-CONTRACT.md (our reference server, or a team's own). */
export function restTarget(options: {
  baseUrl: string;
  token: string;
  colleagueToken?: string;
  companyDomain?: string;
  fetch?: typeof fetch;
}): ConformanceTarget {
  const base = options.fetch ?? defaultFetch;
  return {
    label: `rest ${options.baseUrl}`,
    fetch: base,
    hasColleague: options.colleagueToken !== undefined,
    companyDomain: options.companyDomain,
    rest: { baseUrl: options.baseUrl, token: options.token },
    connect: ({ fetch = base, as = 'rep' } = {}) =>
      createRestCrmConnector({
        baseUrl: options.baseUrl,
        token: as === 'colleague' ? (options.colleagueToken ?? '') : options.token,
        fetch,
      }),
  };
}
