import { z } from 'zod';
import { PrivacyLevel } from '../settings/Settings';
import { IgnoredPolicy } from './parseManagedPolicy';
import { POLICY_DEFINITIONS, type PolicyDefinition } from './policyDefinitions';

export const SettingSourceSchema = z.enum(['locked', 'organisation', 'rep', 'policy', 'default']);

/**
 * What the options page and the popup know of the organisation's policy: who manages the
 * extension, where each policy-backed setting's value comes from, the entries the
 * organisation adds to the rep's lists, and what was ignored and why.
 */
export const PolicyView = z.object({
  organisationName: z.string().nullable(),
  /** By policy name (lib/policy/policyDefinitions.ts). */
  sources: z.record(z.string(), SettingSourceSchema),
  organisationEntries: z.object({
    excludedDomains: z.array(z.string()),
    neverLogAddresses: z.array(z.string()),
    neverLogDomains: z.array(z.string()),
    keywordRules: z.array(
      z.object({ id: z.string(), keyword: z.string(), taskTitle: z.string() }).passthrough(),
    ),
  }),
  ignored: z.array(IgnoredPolicy),
  /** The most a logged email may share (policy and CRM, the lower one); null: no bound. */
  privacyBound: PrivacyLevel.nullable(),
  /** The CRM's organisation settings are in force (the CRM serves them). */
  crmOrganisationSettings: z.boolean(),
});
export type PolicyView = z.infer<typeof PolicyView>;

export const NO_POLICY_VIEW: PolicyView = {
  organisationName: null,
  sources: {},
  organisationEntries: { excludedDomains: [], neverLogAddresses: [], neverLogDomains: [], keywordRules: [] },
  ignored: [],
  privacyBound: null,
  crmOrganisationSettings: false,
};

/** True when the organisation set anything, so the pages say who manages the extension. */
export function isManaged(view: PolicyView): boolean {
  return (
    view.organisationName !== null ||
    Object.values(view.sources).some((s) => s === 'locked' || s === 'policy' || s === 'organisation')
  );
}

export function isLocked(view: PolicyView, ...names: string[]): boolean {
  return names.some((name) => view.sources[name] === 'locked');
}

/**
 * True when the CRM's organisation settings decide one of these single-value settings (a
 * list only gains the CRM's entries and the privacy level only its bound, so neither is held).
 */
export function isHeldByCrm(view: PolicyView, ...names: string[]): boolean {
  return names.some((name) => view.sources[name] === 'organisation' && isHeldWhenOrganisation(name));
}

/** Whether the CRM's value of a policy-backed setting replaces the rep's (not a list, not a bound). */
export function isHeldWhenOrganisation(name: string): boolean {
  const definition = (POLICY_DEFINITIONS as Record<string, PolicyDefinition | undefined>)[name];
  return definition?.merge === 'replace';
}
