import { z } from 'zod';
import { CrmType } from '../crm/CrmCapabilities';
import { checkCrmBaseUrl } from '../settings/crmBaseUrl';
import { CreateContactPolicy, domainList, KeywordRule, PrivacyLevel } from '../settings/Settings';

/**
 * How a policy meets the rep's own value (lib/settings/effectiveSettings.ts):
 * - `replace`: one value; a locked policy wins over everything, an unlocked one is the
 *   default until the rep changes it.
 * - `union`: a list; the organisation's entries are added to the rep's and the rep cannot
 *   remove them. Locked, the rep's own entries are not used.
 * - `upperBound`: the privacy level; the rep may choose less sharing, never more.
 */
export type PolicyMerge = 'replace' | 'union' | 'upperBound';

/** The JSON type an administrator writes (the managed_schema type of the policy). */
export type PolicyJsonType = 'string' | 'boolean' | 'integer' | 'stringList' | 'keywordRules';

export interface PolicyDefinition {
  type: PolicyJsonType;
  /** Where the value goes in the settings: a top-level key, or `crm.<field>` / `oauth.<field>`. */
  target: string;
  merge: PolicyMerge;
  /** What the administrator reads in docs/ADMIN.md and in the schema's description. */
  description: string;
  /** The accepted values, as written in the reference (the schema keeps to JSON types). */
  accepts: string;
  example: unknown;
  /** Parses the value the browser hands over; an invalid value is ignored with the message. */
  value: z.ZodType;
}

const httpsUrl = z
  .string()
  .trim()
  .min(1)
  .max(2_048)
  .superRefine((value, ctx) => {
    const check = checkCrmBaseUrl(value);
    if (!check.ok) ctx.addIssue({ code: 'custom', message: check.message });
  });

const clientId = z.string().trim().min(1).max(256);

const addressList = z.array(z.string().trim().toLowerCase().min(3).max(400)).max(1000);

/** A policy keyword rule: the rule's fields, with an id made up when the admin leaves it out. */
const policyKeywordRules = z
  .array(KeywordRule.extend({ id: z.string().min(1).max(64).optional() }))
  .max(100)
  .transform((rules) => rules.map((rule, index) => ({ ...rule, id: `org-${rule.id ?? index + 1}` })));

/**
 * Every organisation-level setting an administrator can set through the browser's
 * enterprise policy (Chrome/Edge `3rdparty` extension policy, Firefox policies.json
 * `3rdparty`). The managed_schema (public/managed-schema.json), the policy reference in
 * docs/ADMIN.md and the parser are all generated from this one table.
 */
export const POLICY_DEFINITIONS = {
  crmType: {
    type: 'string',
    target: 'crm.type',
    merge: 'replace',
    description: 'Which CRM the team uses.',
    accepts: '"rest" (a CRM speaking the CRM Sidebar REST contract), "hubspot" or "salesforce"',
    example: 'rest',
    value: CrmType,
  },
  crmBaseUrl: {
    type: 'string',
    target: 'crm.baseUrl',
    merge: 'replace',
    description:
      'The CRM’s address (REST contract: the server, without /api/v1). With it, a rep only signs in with their own token.',
    accepts: 'an https:// URL (http:// only for localhost and 127.0.0.1), without a user name or password',
    example: 'https://crm.example.com',
    value: httpsUrl,
  },
  hubspotClientId: {
    type: 'string',
    target: 'crm.hubspotClientId',
    merge: 'replace',
    description: 'HubSpot: the client id of the team’s HubSpot app, for “Sign in with HubSpot”.',
    accepts: 'the app’s client id (its secret stays on the token exchange server)',
    example: '5f8a1c2e-0000-4000-8000-000000000000',
    value: clientId,
  },
  salesforceLoginUrl: {
    type: 'string',
    target: 'crm.loginUrl',
    merge: 'replace',
    description: 'Salesforce: where reps sign in.',
    accepts: 'https://login.salesforce.com, https://test.salesforce.com or the org’s My Domain URL',
    example: 'https://example.my.salesforce.com',
    value: httpsUrl,
  },
  salesforceConsumerKey: {
    type: 'string',
    target: 'crm.consumerKey',
    merge: 'replace',
    description: 'Salesforce: the connected app’s consumer key (OAuth client id).',
    accepts: 'the consumer key',
    example: '3MVG9...',
    value: clientId,
  },
  googleClientId: {
    type: 'string',
    target: 'oauth.googleClientId',
    merge: 'replace',
    description: 'The Google OAuth client id used to connect Gmail mailboxes for the background sync.',
    accepts: 'a client id ending in .apps.googleusercontent.com',
    example: '1234567890-abc.apps.googleusercontent.com',
    value: clientId,
  },
  microsoftClientId: {
    type: 'string',
    target: 'oauth.microsoftClientId',
    merge: 'replace',
    description: 'The Microsoft Entra app (client) id used to connect Outlook mailboxes.',
    accepts: 'an application (client) id',
    example: '00000000-0000-4000-8000-000000000000',
    value: clientId,
  },
  microsoftTenant: {
    type: 'string',
    target: 'oauth.microsoftTenant',
    merge: 'replace',
    description: 'The Microsoft Entra tenant reps sign in to.',
    accepts: '"common", "organizations" or the tenant id',
    example: 'organizations',
    value: z.string().trim().min(1).max(128),
  },
  tokenExchangeUrl: {
    type: 'string',
    target: 'oauth.tokenExchangeUrl',
    merge: 'replace',
    description:
      'The team’s token exchange server: it holds the OAuth client secrets, so reps never enter them.',
    accepts: 'an https:// URL',
    example: 'https://crm.example.com',
    value: httpsUrl,
  },
  inboxSdkAppId: {
    type: 'string',
    target: 'inboxSdkAppId',
    merge: 'replace',
    description: 'The InboxSDK app id the Gmail sidebar registers with.',
    accepts: 'the app id from InboxSDK',
    example: 'sdk_example_0123456789',
    value: z.string().trim().min(1).max(200),
  },
  privacyLevel: {
    type: 'string',
    target: 'privacyLevel',
    merge: 'upperBound',
    description:
      'The most a logged email may share with the CRM. Reps may choose less; locked, every rep uses exactly this level.',
    accepts: '"metadata" (who and when), "snippet" (adds subject and preview) or "full_body"',
    example: 'snippet',
    value: PrivacyLevel,
  },
  excludedDomains: {
    type: 'stringList',
    target: 'excludedDomains',
    merge: 'union',
    description: 'Domains whose people are never looked up or logged, added to each rep’s own list.',
    accepts: 'a list of domains',
    example: ['partner.example'],
    value: domainList,
  },
  neverLogAddresses: {
    type: 'stringList',
    target: 'neverLogAddresses',
    merge: 'union',
    description: 'Addresses whose mail is never logged, added to each rep’s own list.',
    accepts: 'a list of email addresses',
    example: ['legal@example.com'],
    value: addressList,
  },
  neverLogDomains: {
    type: 'stringList',
    target: 'neverLogDomains',
    merge: 'union',
    description: 'Domains whose mail is never logged (subdomains too), added to each rep’s own list.',
    accepts: 'a list of domains',
    example: ['hr.example.com'],
    value: domainList,
  },
  excludeFreeMailDomains: {
    type: 'boolean',
    target: 'excludeFreeMailDomains',
    merge: 'replace',
    description: 'Free webmail domains (gmail.com, outlook.com, …) are not matched to companies.',
    accepts: 'true or false',
    example: true,
    value: z.boolean(),
  },
  excludeOrgDomains: {
    type: 'boolean',
    target: 'excludeOrgDomains',
    merge: 'replace',
    description: 'The team’s own domains are not looked up or logged (colleagues are not contacts).',
    accepts: 'true or false',
    example: true,
    value: z.boolean(),
  },
  filterAutomatedMail: {
    type: 'boolean',
    target: 'filterAutomatedMail',
    merge: 'replace',
    description: 'Automated mail (newsletters, notifications, no-reply senders) is never logged.',
    accepts: 'true or false',
    example: true,
    value: z.boolean(),
  },
  createContactPolicy: {
    type: 'string',
    target: 'createContactPolicy',
    merge: 'replace',
    description: 'What happens when a recipient is not in the CRM yet.',
    accepts: '"off", "ask" (offer to create it) or "automatic"',
    example: 'ask',
    value: CreateContactPolicy,
  },
  autoLogSent: {
    type: 'boolean',
    target: 'autoLogSent',
    merge: 'replace',
    description: 'Sent mail from connected mailboxes is logged by the background sync.',
    accepts: 'true or false',
    example: true,
    value: z.boolean(),
  },
  autoLogReceived: {
    type: 'boolean',
    target: 'autoLogReceived',
    merge: 'replace',
    description: 'Received mail from known contacts is logged by the background sync.',
    accepts: 'true or false',
    example: false,
    value: z.boolean(),
  },
  logComposeByDefault: {
    type: 'boolean',
    target: 'logComposeByDefault',
    merge: 'replace',
    description:
      'The “Log to CRM” switch of Gmail’s compose window and Outlook’s new-message and reply forms starts on.',
    accepts: 'true or false',
    example: true,
    value: z.boolean(),
  },
  historicalImportDays: {
    type: 'integer',
    target: 'historicalImportDays',
    merge: 'replace',
    description: 'How many days of sent mail a newly connected mailbox logs.',
    accepts: '0, 30, 60 or 90',
    example: 30,
    value: z.union([z.literal(0), z.literal(30), z.literal(60), z.literal(90)]),
  },
  syncFrequencyMinutes: {
    type: 'integer',
    target: 'syncFrequencyMinutes',
    merge: 'replace',
    description: 'How often the background sync runs, in minutes.',
    accepts: '5, 15 or 60',
    example: 15,
    value: z.union([z.literal(5), z.literal(15), z.literal(60)]),
  },
  sharedMailboxes: {
    type: 'stringList',
    target: 'sharedMailboxes',
    merge: 'replace',
    description:
      'Microsoft 365 shared mailboxes (such as sales@) whose sent mail reps with access may have logged. Reps connect one from the options page; Gmail has no equivalent (see “Shared mailboxes”).',
    accepts: 'a list of shared mailbox email addresses',
    example: ['sales@example.com'],
    value: addressList,
  },
  keywordRules: {
    type: 'keywordRules',
    target: 'keywordRules',
    merge: 'union',
    description: 'Keyword rules that propose or create CRM tasks, added to each rep’s own rules.',
    accepts:
      'a list of { "keyword", "field": "subject" | "body" | "subject_or_body", "action": "propose_task" | "create_task", "taskTitle", "priority"?: "low" | "normal" | "high", "dueInDays"?: 0-365 }',
    example: [
      { keyword: 'quote', field: 'subject_or_body', action: 'propose_task', taskTitle: 'Send the quote' },
    ],
    value: policyKeywordRules,
  },
} as const satisfies Record<string, PolicyDefinition>;

export type PolicyName = keyof typeof POLICY_DEFINITIONS;
export const POLICY_NAMES = Object.keys(POLICY_DEFINITIONS) as PolicyName[];

export function isPolicyName(name: string): name is PolicyName {
  return Object.hasOwn(POLICY_DEFINITIONS, name);
}

/** The policies that are not settings of their own: who manages the extension, and what is locked. */
export const META_POLICIES = {
  organisationName: {
    description: 'The organisation’s name, shown in the popup and the options page (“Managed by …”).',
    example: 'Example Ltd',
  },
  lockedSettings: {
    description:
      'The names of the policies above that reps may not change. A policy not listed here is a default: it applies until the rep changes it.',
    example: ['crmType', 'crmBaseUrl', 'privacyLevel'],
  },
} as const;
