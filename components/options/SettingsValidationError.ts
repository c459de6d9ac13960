export interface SettingsIssue {
  /** Dotted path into Settings, e.g. `crm.baseUrl` or `keywordRules.0.keyword`. */
  path: string;
  message: string;
}

/** Raised before anything is sent when the merged settings would not pass the schema. */
export class SettingsValidationError extends Error {
  override readonly name = 'SettingsValidationError';
  constructor(readonly issues: SettingsIssue[]) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
  }
}
