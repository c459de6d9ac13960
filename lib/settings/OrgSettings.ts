import { OrgSettings } from '../crm/contract';
import type { PolicyName } from '../policy/policyDefinitions';

/**
 * The organisation's rules kept in the CRM (`GET /api/v1/org/settings`, an optional
 * capability of the REST contract, docs/CRM-CONTRACT.md "Organisation settings"): the
 * contract's own schema, so the extension reads exactly what the server stores. `null`
 * means the organisation has no say (the rep decides); an empty list adds nothing.
 */
export { OrgSettings };

/** The policy each organisation setting stands for (same meaning; the CRM names the privacy bound apart). */
export const ORG_SETTING_POLICIES = {
  excludedDomains: 'excludedDomains',
  neverLogAddresses: 'neverLogAddresses',
  neverLogDomains: 'neverLogDomains',
  filterAutomatedMail: 'filterAutomatedMail',
  privacyUpperBound: 'privacyLevel',
  createContactPolicy: 'createContactPolicy',
} as const satisfies Record<keyof OrgSettings, PolicyName>;

/**
 * The CRM's value for a policy, or undefined when the organisation has no say on it there
 * (the field is `null`, an empty list, or not one the CRM keeps).
 */
export function orgValueFor(org: OrgSettings | null, policy: PolicyName): unknown {
  if (org === null) return undefined;
  for (const [field, name] of Object.entries(ORG_SETTING_POLICIES)) {
    if (name !== policy) continue;
    const value = org[field as keyof OrgSettings];
    if (value === null || (Array.isArray(value) && value.length === 0)) return undefined;
    return value;
  }
  return undefined;
}
