/**
 * The `storage.session` key the background bumps when the organisation's layers change (the
 * browser's policy or the CRM's organisation settings), so open extension pages read the
 * policy and settings again without a reload. The browser's own `managed` area change is
 * seen by the pages directly.
 */
export const POLICY_REVISION_KEY = 'policy.revision';

/** True when a `storage.onChanged` event means the organisation's policy may have changed. */
export function isPolicyChange(changes: Record<string, unknown>, area: string): boolean {
  return area === 'managed' || (area === 'session' && Object.hasOwn(changes, POLICY_REVISION_KEY));
}
