import { browser } from 'wxt/browser';
import { isPolicyChange } from '../policy/policyRevision';

/**
 * Tells an extension page (options, popup) that the organisation's policy may have changed
 * while it is open: the browser's `managed` storage area changed, or the background bumped
 * its notice in `storage.session` after the CRM's organisation settings changed.
 */
export function browserPolicyEvents() {
  return {
    onPolicyChanged(listener: () => void): () => void {
      const onChanged = (changes: Record<string, unknown>, area: string) => {
        if (isPolicyChange(changes, area)) listener();
      };
      browser.storage.onChanged.addListener(onChanged);
      return () => browser.storage.onChanged.removeListener(onChanged);
    },
  };
}
