import type { ManagedPolicy } from '../policy/parseManagedPolicy';
import {
  POLICY_DEFINITIONS,
  POLICY_NAMES,
  type PolicyDefinition,
  type PolicyName,
} from '../policy/policyDefinitions';
import { type OrgSettings, orgValueFor } from './OrgSettings';
import { PRIVACY_LEVEL_ORDER } from './privacyLevels';
import { CrmConnection, DEFAULT_SETTINGS, type PrivacyLevel, Settings } from './Settings';

/**
 * Where a setting's value came from, strongest first:
 * `locked` (a locked policy) > `organisation` (the CRM's organisation settings) > `rep` (the
 * rep's own choice) > `policy` (an unlocked policy: the organisation's default) > `default`
 * (the extension's built-in default). Lists are merged instead (see PolicyMerge).
 */
export type SettingSource = 'locked' | 'organisation' | 'rep' | 'policy' | 'default';

export interface SettingsLayers {
  /** The rep's stored settings. */
  rep: Settings;
  /** The browser's enterprise policy, parsed (lib/policy/parseManagedPolicy.ts). */
  policy: ManagedPolicy;
  /** The CRM's organisation settings; null when the CRM has none or they are not known yet. */
  org: OrgSettings | null;
}

export interface EffectiveSettings {
  /** What the extension applies. */
  settings: Settings;
  /**
   * What the options page edits: the applied settings, except that each merged list holds
   * only the rep's own entries (the organisation's are shown apart and cannot be removed).
   */
  editable: Settings;
  /** Where each policy-backed setting's value came from. */
  sources: Record<PolicyName, SettingSource>;
  /** The entries of each merged list that the organisation adds (policy and CRM). */
  organisationEntries: { [K in UnionTarget]: Settings[K] };
}

type UnionTarget = 'excludedDomains' | 'neverLogAddresses' | 'neverLogDomains' | 'keywordRules';

type Path = [string] | [string, string];

function pathOf(definition: PolicyDefinition): Path {
  const [head, field] = definition.target.split('.');
  return field === undefined ? [head!] : [head!, field];
}

function read(settings: Settings, path: Path): unknown {
  const top = (settings as Record<string, unknown>)[path[0]];
  return path.length === 1 ? top : (top as Record<string, unknown> | undefined)?.[path[1]];
}

/** A top-level setting counts as the rep's once they changed it; a field of crm/oauth once it differs from the built-in default. */
function isRepChoice(rep: Settings, path: Path): boolean {
  if (path.length === 1) return rep.customised.includes(path[0]);
  if (path[0] === 'crm' && path[1] === 'type') return rep.customised.includes('crm');
  return read(rep, path) !== undefined && read(rep, path) !== read(DEFAULT_SETTINGS, path);
}

function lesserPrivacy(a: PrivacyLevel, b: PrivacyLevel): PrivacyLevel {
  return PRIVACY_LEVEL_ORDER.indexOf(a) <= PRIVACY_LEVEL_ORDER.indexOf(b) ? a : b;
}

function unionOf(lists: readonly unknown[][]): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const item of lists.flat()) {
    // Keyword rules are kept once per id; strings once per value.
    const key = typeof item === 'string' ? item : String((item as { id?: unknown }).id);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}

/**
 * The settings in force, from the rep's own settings, the browser's enterprise policy and
 * the CRM's organisation settings, in one precedence (docs/ADMIN.md, "Precedence"):
 * locked policy > CRM organisation settings > rep > policy default > built-in default.
 * Merged lists (excluded domains, never-log lists, keyword rules) are the union of the
 * rep's, the CRM's and the policy's entries; the privacy level is bounded by both the
 * policy and the CRM. Pure: everything that reads settings in the background goes through it.
 */
export function effectiveSettings({ rep, policy, org }: SettingsLayers): EffectiveSettings {
  const top: Record<string, unknown> = { ...rep };
  /** The connection's fields the policy or the CRM set (the rest stay the rep's). */
  const crm: Record<string, unknown> = {};
  const oauth: Record<string, unknown> = { ...rep.oauth };
  const sources = {} as Record<PolicyName, SettingSource>;
  const organisationEntries = {} as Record<UnionTarget, unknown[]>;
  const editableLists: Partial<Record<UnionTarget, unknown>> = {};

  for (const name of POLICY_NAMES) {
    const definition: PolicyDefinition = POLICY_DEFINITIONS[name];
    const path = pathOf(definition);
    const target = path.length === 1 ? top : path[0] === 'crm' ? crm : oauth;
    const field = path[path.length - 1]!;
    const policyValue = policy.values[name];
    const locked = policy.locked.has(name) && policyValue !== undefined;
    const orgValue = orgValueFor(org, name);
    const repValue = read(rep, path);
    let repChose = isRepChoice(rep, path);
    if (path[0] === 'crm' && field !== 'type') {
      const type = crm.type ?? rep.crm.type;
      // A connection field belongs to the policy's CRM type: never applied to another CRM's connection.
      const policyType = policy.values.crmType;
      if (policyType !== undefined && policyType !== type) {
        sources[name] = repChose ? 'rep' : 'default';
        continue;
      }
      // The rep's value for another CRM type is not a choice about this one.
      if (type !== rep.crm.type) repChose = false;
    }

    if (definition.merge === 'union') {
      const added = unionOf([(orgValue as unknown[]) ?? [], (policyValue as unknown[]) ?? []]);
      organisationEntries[field as UnionTarget] = added;
      editableLists[field as UnionTarget] = locked ? [] : repValue;
      target[field] = unionOf([locked ? [] : (repValue as unknown[]), added]);
      sources[name] = locked
        ? 'locked'
        : orgValue !== undefined
          ? 'organisation'
          : policyValue !== undefined
            ? 'policy'
            : 'rep';
      continue;
    }
    if (definition.merge === 'upperBound') {
      const policyLevel = policyValue as PrivacyLevel | undefined;
      const orgLevel = orgValue as PrivacyLevel | undefined;
      if (locked) {
        target[field] = policyLevel;
        sources[name] = 'locked';
        continue;
      }
      let level = repChose ? (repValue as PrivacyLevel) : (policyLevel ?? (repValue as PrivacyLevel));
      let source: SettingSource = repChose ? 'rep' : policyLevel ? 'policy' : 'default';
      if (policyLevel && lesserPrivacy(level, policyLevel) !== level) {
        level = policyLevel;
        source = 'policy';
      }
      if (orgLevel && lesserPrivacy(level, orgLevel) !== level) {
        level = orgLevel;
        source = 'organisation';
      }
      target[field] = level;
      sources[name] = source;
      continue;
    }
    if (locked) {
      target[field] = policyValue;
      sources[name] = 'locked';
    } else if (orgValue !== undefined) {
      target[field] = orgValue;
      sources[name] = 'organisation';
    } else if (repChose) {
      sources[name] = 'rep';
    } else if (policyValue !== undefined) {
      target[field] = policyValue;
      sources[name] = 'policy';
    } else {
      sources[name] = 'default';
    }
  }

  const settings = Settings.parse({ ...top, crm: connectionFor(rep, crm), oauth });
  const editable = Settings.parse({ ...settings, ...editableLists });
  return {
    settings,
    editable,
    sources,
    organisationEntries: organisationEntries as EffectiveSettings['organisationEntries'],
  };
}

/**
 * The rep's connection with the policy's fields applied. When the policy names another CRM
 * type than the rep's, the rep's connection (another CRM's URL and token) is not carried
 * over: its token must never reach the policy's CRM.
 */
function connectionFor(rep: Settings, applied: Record<string, unknown>): CrmConnection {
  const sameType = applied.type === undefined || applied.type === rep.crm.type;
  const parsed = CrmConnection.safeParse(sameType ? { ...rep.crm, ...applied } : applied);
  // A policy value the connection refuses (each was checked already, so rare) leaves the rep's connection in force.
  return parsed.success ? parsed.data : rep.crm;
}
