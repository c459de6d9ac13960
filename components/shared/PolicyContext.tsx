import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { NO_POLICY_VIEW, type PolicyView } from '../../lib/policy/PolicyView';
import type { ExtensionApi } from './ExtensionApi';

/** The organisation's policy as the page last read it; no policy until it is read. */
export const PolicyContext = createContext<PolicyView>(NO_POLICY_VIEW);

export function usePolicy(): PolicyView {
  return useContext(PolicyContext);
}

export type PolicyLoad = { view: PolicyView; failed: string | null; reload(): Promise<void> };

/**
 * Reads the policy view from the background, and again whenever the policy changes while
 * the page is open (then `onChanged` too, so the page reads the settings in force again).
 * A failed read leaves the page without locks but says so: the background still refuses a
 * change to a locked value.
 */
export function usePolicyView(
  api: Pick<ExtensionApi, 'getPolicy' | 'onPolicyChanged'>,
  onChanged?: () => void,
): PolicyLoad {
  const [view, setView] = useState<PolicyView>(NO_POLICY_VIEW);
  const [failed, setFailed] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setView(await api.getPolicy());
      setFailed(null);
    } catch (e) {
      setFailed(e instanceof Error ? e.message : String(e));
    }
  }, [api]);
  useEffect(() => {
    void reload();
  }, [reload]);
  const changed = useRef(onChanged);
  changed.current = onChanged;
  useEffect(
    () =>
      api.onPolicyChanged?.(() => {
        void reload();
        changed.current?.();
      }),
    [api, reload],
  );
  return { view, failed, reload };
}
