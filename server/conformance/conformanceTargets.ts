import { createHubSpotCrmConnector, HUBSPOT_API_BASE } from '../../lib/crm/hubspot/HubSpotCrmConnector';
import { createRestCrmConnector } from '../../lib/crm/RestCrmConnector';
import { createSalesforceCrmConnector } from '../../lib/crm/salesforce/SalesforceCrmConnector';
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

/** A HubSpot portal (or the fake): a private app token and the rep's HubSpot login. */
export function hubspotTarget(options: {
  token: string;
  repEmail: string;
  colleague?: { token: string; email: string };
  apiBase?: string;
  companyDomain?: string;
  fetch?: typeof fetch;
}): ConformanceTarget {
  const base = options.fetch ?? defaultFetch;
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

/** A Salesforce org (or the fake): its instance URL and the rep's (and a colleague's) access token. */
export function salesforceTarget(options: {
  instanceUrl: string;
  token: string;
  colleagueToken?: string;
  logAs?: 'auto' | 'email_message' | 'task';
  companyDomain?: string;
  fetch?: typeof fetch;
}): ConformanceTarget {
  const base = options.fetch ?? defaultFetch;
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
