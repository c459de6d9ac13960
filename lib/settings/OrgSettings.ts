import { z } from 'zod';
import { CreateContactPolicy, domainList, PrivacyLevel } from './Settings';

/**
 * The organisation's rules kept in the CRM (`GET /api/v1/org/settings`, an optional
 * capability of the REST contract, docs/CRM-CONTRACT.md). Every field is optional: what the
 * CRM leaves out is left to the rep and the policy defaults.
 */
export const OrgSettings = z.object({
  excludedDomains: domainList.optional(),
  neverLogAddresses: z.array(z.string().trim().toLowerCase().min(3).max(400)).max(1000).optional(),
  neverLogDomains: domainList.optional(),
  filterAutomatedMail: z.boolean().optional(),
  /** The most a logged email may share; the rep may choose less. */
  privacyLevel: PrivacyLevel.optional(),
  createContactPolicy: CreateContactPolicy.optional(),
});
export type OrgSettings = z.infer<typeof OrgSettings>;
