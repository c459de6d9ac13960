import { Settings } from '../../lib/settings/Settings';
import type { SettingsPatch } from '../shared/ExtensionApi';
import type { SettingsIssue } from './SettingsValidationError';

/**
 * Checks a shallow patch the way the background will: merged into the current settings
 * and parsed with the same schema. Returns the issues, or an empty list when it is valid.
 */
export function validateSettingsPatch(current: Settings, patch: SettingsPatch): SettingsIssue[] {
  const result = Settings.safeParse({ ...current, ...patch });
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}
