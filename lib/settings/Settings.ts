import { z } from 'zod';
import { blankCrmConnection, CrmConnection, isConnectionComplete } from '../crm/vendors/crmVendors';
import { ExtensionError, issuesOf } from '../errors/ErrorInfo';
import { DEFAULT_MAILBOX_MARKS, MailboxMarkSettings } from './MailboxMarkSettings';

/**
 * The stored CRM connection is a union with one branch per vendor, each defined in its folder
 * (lib/crm/vendors/<vendor>/<vendor>Vendor.ts) and told apart by `type`; see crmVendors.ts.
 */
export { CrmConnection, isConnectionComplete };

export const CreateContactPolicy = z.enum(['off', 'ask', 'automatic']);
export type CreateContactPolicy = z.infer<typeof CreateContactPolicy>;

export const KeywordRule = z.object({
  id: z.string().min(1),
  field: z.enum(['subject', 'body', 'subject_or_body']),
  /** Matched case-insensitively, as whole words. */
  keyword: z.string().trim().min(1).max(200),
  action: z.enum(['propose_task', 'create_task']),
  taskTitle: z.string().trim().min(1).max(500),
  priority: z.enum(['low', 'normal', 'high']).default('normal'),
  dueInDays: z.number().int().min(0).max(365).nullable().default(null),
});
export type KeywordRule = z.infer<typeof KeywordRule>;

export const domainList = z.array(z.string().trim().toLowerCase().min(1)).max(1000);

/**
 * A rep's correction of a match: "Not this person" (contact, address -> none), the pick
 * among contacts sharing an address (address -> that contact), "Not this company"
 * (company, registrable domain -> none). The panel, clicks and the sync all apply it.
 */
export const MatchOverride = z.object({
  kind: z.enum(['contact', 'company']),
  /** A lower-cased address (contact) or registrable domain (company). */
  key: z.string().trim().toLowerCase().min(1).max(400),
  /** The record to link instead, or null for none. */
  recordId: z.string().min(1).max(128).nullable(),
  /** What the options page shows ("not Jane Doe", "Jane Doe (picked)"). */
  label: z.string().max(500).default(''),
});
export type MatchOverride = z.infer<typeof MatchOverride>;

export const OAuthClients = z.object({
  googleClientId: z.string().trim().default(''),
  microsoftClientId: z.string().trim().default(''),
  /** Azure AD tenant: "common", "organizations" or a tenant id. */
  microsoftTenant: z.string().trim().default('common'),
  /**
   * A team's token-exchange server (`server/`, e.g. the CRM's URL): code exchanges and
   * refreshes go there, and it adds the client secret from its environment. Empty: the
   * extension talks to the provider's token endpoint itself.
   */
  tokenExchangeUrl: z.string().trim().url().or(z.literal('')).default(''),
});
export type OAuthClients = z.infer<typeof OAuthClients>;

/** The guided first-run set-up's steps, in order (see lib/setup/setupSteps.ts). */
export const SetupStepId = z.enum(['crm', 'connect', 'mailbox', 'privacy', 'done']);
export type SetupStepId = z.infer<typeof SetupStepId>;

/** Where the rep is in the guided set-up, so it resumes there and the popup can say what is left. */
export const SetupProgress = z.object({
  /** Steps the rep confirmed with "Continue". */
  confirmed: z.array(SetupStepId).max(10).default([]),
  /** Steps the rep chose to skip for now; they stay listed as open in the popup. */
  skipped: z.array(SetupStepId).max(10).default([]),
  /** When the rep reached the last step; the set-up then no longer opens by itself. */
  finishedAt: z.string().datetime().nullable().default(null),
});
export type SetupProgress = z.infer<typeof SetupProgress>;

/**
 * How much of an email reaches the CRM (lib/settings/privacyLevels words each level):
 * `metadata` who and when only (subject and text hidden), `snippet` (the default) adds the
 * subject and the provider's preview, `full_body` adds the text of the email where the
 * reader has it. Peers offer the same steps: HubSpot's "log email metadata only" and
 * Salesforce Einstein Activity Capture's sharing levels.
 */
export const PrivacyLevel = z.enum(['metadata', 'snippet', 'full_body']);
export type PrivacyLevel = z.infer<typeof PrivacyLevel>;

const SettingsObject = z.object({
  crm: CrmConnection.default(blankCrmConnection),
  /** What a logged email shares with the CRM; see PrivacyLevel. */
  privacyLevel: PrivacyLevel.optional(),
  /**
   * Settings saved before privacy levels had a boolean here: true (headers + snippet only)
   * reads as `snippet`, false (bodies too) as `full_body`. Read once, never written again.
   */
  privacyMode: z.boolean().optional(),
  excludeFreeMailDomains: z.boolean().default(true),
  excludeOrgDomains: z.boolean().default(true),
  excludedDomains: domainList.default([]),
  /** Mail with any of these addresses is never logged, by a click or the sync. */
  neverLogAddresses: z.array(z.string().trim().toLowerCase().min(3).max(400)).max(1000).default([]),
  /** Mail with anyone on these domains (or their subdomains) is never logged. */
  neverLogDomains: domainList.default([]),
  /**
   * The shared mailboxes the organisation allows reps to connect (set by policy only; the
   * options page lists them with a Connect button each).
   */
  sharedMailboxes: z.array(z.string().trim().toLowerCase().min(3).max(400)).max(1000).default([]),
  matchOverrides: z.array(MatchOverride).max(1000).default([]),
  filterAutomatedMail: z.boolean().default(true),
  createContactPolicy: CreateContactPolicy.default('ask'),
  keywordRules: z.array(KeywordRule).max(100).default([]),
  autoLogSent: z.boolean().default(true),
  autoLogReceived: z.boolean().default(false),
  /** Compose "Log to CRM" toggle default. */
  logComposeByDefault: z.boolean().default(true),
  historicalImportDays: z.union([z.literal(0), z.literal(30), z.literal(60), z.literal(90)]).default(30),
  syncFrequencyMinutes: z.union([z.literal(1), z.literal(5), z.literal(15), z.literal(60)]).default(15),
  oauth: OAuthClients.default({
    googleClientId: '',
    microsoftClientId: '',
    microsoftTenant: 'common',
    tokenExchangeUrl: '',
  }),
  inboxSdkAppId: z.string().trim().default(''),
  setup: SetupProgress.default({ confirmed: [], skipped: [], finishedAt: null }),
  /** Labels / categories and archiving in the mailbox for logged mail (MailboxMarkSettings). */
  mailboxMarks: MailboxMarkSettings.default(DEFAULT_MAILBOX_MARKS),
  /**
   * The settings the rep changed (top-level names, recorded by the background on each save),
   * so an organisation's default policy applies until the rep chooses otherwise
   * (lib/settings/effectiveSettings.ts).
   */
  customised: z.array(z.string().max(64)).max(100).default([]),
});

/** The stored settings, with the legacy boolean `privacyMode` migrated to `privacyLevel`. */
export const Settings = SettingsObject.transform(({ privacyMode, privacyLevel, ...rest }) => ({
  ...rest,
  // Migration: stored true -> snippet, false -> full body; neither -> the default (snippet).
  privacyLevel: privacyLevel ?? (privacyMode === false ? ('full_body' as const) : ('snippet' as const)),
}));
export type Settings = z.infer<typeof Settings>;
export type SettingsInput = z.input<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = Settings.parse({});

export function isCrmConfigured(s: Settings): boolean {
  return isConnectionComplete(s.crm);
}

/**
 * A shallow patch merged into the current settings and validated with the schema: what the
 * background does on `settings.update`, and what the options page checks before sending.
 * @throws ExtensionError `invalid_settings` with one issue per bad field.
 */
export function mergeSettings(current: Settings, patch: Record<string, unknown>): Settings {
  const parsed = Settings.safeParse({ ...current, ...patch });
  if (parsed.success) return parsed.data;
  const issues = issuesOf(parsed.error);
  throw new ExtensionError(
    'invalid_settings',
    `Invalid settings: ${issues.map((i) => `${i.path || 'settings'}: ${i.message}`).join('; ')}`,
    { source: 'extension', issues },
  );
}
