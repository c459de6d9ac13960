import type { Storage } from 'webextension-polyfill';

export interface ManagedPolicyTarget {
  applyManagedPolicy(raw: unknown): Promise<void>;
  organisation: { firstRead: Promise<void> | null };
}

export interface FailureRecorder {
  guard(area: string, kind: string, activity: string, work: () => Promise<unknown>): Promise<void>;
}

/**
 * Reads the browser's enterprise policy for this extension (storage.managed) now and again
 * on every change, with no restart: Chrome and Edge fire storage.onChanged for the `managed`
 * area when the policy changes; Firefox reads policies.json at start only. Firefox rejects
 * `get` when no policy exists for the add-on ("Managed storage manifest not found"): that is
 * an empty policy, not a failure. Any other failure is recorded, and the rep's own settings
 * stay in force.
 */
export function watchManagedStorage(
  storage: Pick<Storage.Static, 'managed' | 'onChanged'>,
  target: ManagedPolicyTarget,
  events: FailureRecorder,
): void {
  const read = () =>
    events.guard('policy', 'policy.read_failed', 'Reading the organisation’s policy', async () => {
      let raw: unknown = {};
      try {
        raw = await storage.managed.get();
      } catch (error) {
        if (!(error instanceof Error && /manifest not found/i.test(error.message))) throw error;
      }
      await target.applyManagedPolicy(raw);
    });
  storage.onChanged.addListener((_changes, area) => {
    if (area === 'managed') void read();
  });
  // Settings read before the policy is known would briefly be the rep's alone.
  target.organisation.firstRead = read();
}
