import type { EffectiveSettings } from '../settings/effectiveSettings';
import { POLICY_DEFINITIONS, POLICY_NAMES } from './policyDefinitions';

/** Settings that are bookkeeping, not the rep's choices (setup progress, corrections, the record itself). */
const NOT_CHOICES = new Set(['setup', 'matchOverrides', 'customised']);

export function isRepChoiceKey(key: string): boolean {
  return !NOT_CHOICES.has(key);
}

/**
 * The settings a patch would change although the organisation locked them (as
 * `crm.baseUrl`, `privacyLevel` ...) or its CRM's organisation settings decide them (a
 * single value such as `filterAutomatedMail`; the CRM only adds to lists and bounds the
 * privacy level). A patch that repeats the value in force is fine: the options page sends
 * a whole connection or OAuth block at a time.
 */
export function lockedChanges(patch: Record<string, unknown>, effective: EffectiveSettings): string[] {
  const refused: string[] = [];
  for (const name of POLICY_NAMES) {
    const definition = POLICY_DEFINITIONS[name];
    const source = effective.sources[name];
    const heldByCrm = source === 'organisation' && definition.merge === 'replace';
    if (source !== 'locked' && !heldByCrm) continue;
    // A locked list takes no entries of the rep's own; its organisation entries are never in a patch.
    if (definition.merge === 'union') {
      const list = patch[definition.target];
      if (Array.isArray(list) && list.length > 0) refused.push(definition.target);
      continue;
    }
    const [head, field] = definition.target.split('.') as [string, string | undefined];
    if (!Object.hasOwn(patch, head)) continue;
    const proposed =
      field === undefined ? patch[head] : (patch[head] as Record<string, unknown> | null)?.[field];
    if (field !== undefined && proposed === undefined) continue;
    const current =
      field === undefined
        ? (effective.settings as Record<string, unknown>)[head]
        : (effective.settings as unknown as Record<string, Record<string, unknown>>)[head]?.[field];
    if (JSON.stringify(proposed) !== JSON.stringify(current)) refused.push(definition.target);
  }
  return refused;
}
