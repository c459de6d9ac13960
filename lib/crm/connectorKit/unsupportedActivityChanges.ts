import type { CrmConnector } from '../CrmConnector';
import { CrmError } from '../CrmError';

type ActivityChangeMethods = Pick<CrmConnector, 'removeActivity' | 'moveActivity' | 'redactActivity'>;

/**
 * The receipt's Undo, Move and Redact for a connector that declares them off
 * (`NO_ACTIVITY_CHANGES`): each rejects with `unsupported`, as every method behind an absent
 * capability does, so a caller that did not check the capability learns why.
 */
export function unsupportedActivityChanges(crmName: string): ActivityChangeMethods {
  const refuse = (what: string) => () =>
    Promise.reject(
      new CrmError('unsupported', `${crmName}: the extension cannot ${what} a logged email there yet.`),
    );
  return {
    removeActivity: refuse('remove'),
    moveActivity: refuse('move'),
    redactActivity: refuse('redact'),
  };
}
