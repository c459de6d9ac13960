import { z } from 'zod';
import { isPolicyName, META_POLICIES, POLICY_DEFINITIONS, type PolicyName } from './policyDefinitions';

/** A policy value that was not applied, and why, worded for the options page and the popup. */
export const IgnoredPolicy = z.object({
  policy: z.string().max(200),
  reason: z.string().max(500),
});
export type IgnoredPolicy = z.infer<typeof IgnoredPolicy>;

/** The parsed `storage.managed` contents: only values that passed their schema. */
export interface ManagedPolicy {
  organisationName: string | null;
  values: Partial<Record<PolicyName, unknown>>;
  locked: ReadonlySet<PolicyName>;
  ignored: IgnoredPolicy[];
}

export const EMPTY_POLICY: ManagedPolicy = {
  organisationName: null,
  values: {},
  locked: new Set(),
  ignored: [],
};

const organisationName = z.string().trim().min(1).max(200);
const lockedSettings = z.array(z.string().max(200)).max(100);

/**
 * Parses what the browser's enterprise policy put in `storage.managed`, value by value: a
 * valid value applies, an invalid one is left out with the reason (never thrown, so a typo
 * in one policy cannot stop the others or the background). Chrome already drops values of
 * the wrong JSON type (they show at chrome://policy); Firefox passes everything, so the
 * types are checked here too.
 */
export function parseManagedPolicy(raw: unknown): ManagedPolicy {
  if (raw === null || raw === undefined) return EMPTY_POLICY;
  if (typeof raw !== 'object' || Array.isArray(raw))
    return { ...EMPTY_POLICY, ignored: [{ policy: '(all)', reason: 'The policy is not a JSON object.' }] };
  const entries = Object.entries(raw as Record<string, unknown>);
  const ignored: IgnoredPolicy[] = [];
  const values: Partial<Record<PolicyName, unknown>> = {};
  let name: string | null = null;
  let lockedNames: string[] = [];
  for (const [key, value] of entries) {
    if (key === 'organisationName') {
      const parsed = organisationName.safeParse(value);
      if (parsed.success) name = parsed.data;
      else ignored.push({ policy: key, reason: reasonOf(parsed.error, 'a name of up to 200 characters') });
    } else if (key === 'lockedSettings') {
      const parsed = lockedSettings.safeParse(value);
      if (parsed.success) lockedNames = parsed.data;
      else ignored.push({ policy: key, reason: reasonOf(parsed.error, 'a list of policy names') });
    } else if (isPolicyName(key)) {
      const definition = POLICY_DEFINITIONS[key];
      const parsed = definition.value.safeParse(value);
      if (parsed.success) values[key] = parsed.data;
      else ignored.push({ policy: key, reason: reasonOf(parsed.error, definition.accepts) });
    } else {
      ignored.push({ policy: key, reason: 'This version of the extension has no such policy.' });
    }
  }
  const locked = new Set<PolicyName>();
  for (const lockedName of lockedNames) {
    if (!isPolicyName(lockedName)) {
      if (!Object.hasOwn(META_POLICIES, lockedName))
        ignored.push({
          policy: `lockedSettings: ${lockedName}`,
          reason: 'This version of the extension has no such policy to lock.',
        });
      continue;
    }
    // Locking a policy without a (valid) value locks nothing: the rep keeps the setting.
    if (values[lockedName] === undefined) {
      if (!ignored.some((i) => i.policy === lockedName))
        ignored.push({
          policy: `lockedSettings: ${lockedName}`,
          reason: `“${lockedName}” has no value in the policy, so there is nothing to lock.`,
        });
      continue;
    }
    locked.add(lockedName);
  }
  return { organisationName: name, values, locked, ignored };
}

function reasonOf(error: z.ZodError, accepts: string): string {
  const first = error.issues[0];
  const where = first && first.path.length > 0 ? ` (at ${first.path.join('.')})` : '';
  const message = (first?.message ?? 'Invalid value').replace(/\.$/, '');
  return `${message}${where}. Accepted: ${accepts}.`;
}

/** The form `ManagedPolicy` crosses runtime messages in (sets are not JSON). */
export const PolicyStatus = z.object({
  organisationName: z.string().nullable(),
  /** Policies with a value, each with whether the rep may change it. */
  policies: z.array(z.object({ name: z.string(), locked: z.boolean() })),
  ignored: z.array(IgnoredPolicy),
});
export type PolicyStatus = z.infer<typeof PolicyStatus>;
