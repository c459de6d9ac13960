import { useCallback, useState } from 'react';
import { describeError } from '../../lib/errors/describeError';
import type { SettingsPatch } from '../shared/ExtensionApi';
import type { SaveSettings } from './useSettings';

export type SaveStatus =
  | { state: 'idle' }
  | { state: 'saving' }
  | { state: 'saved' }
  | { state: 'failed'; message: string };

/** One section's view of its saves: what to tell the user next to the controls they used. */
export function useSaveStatus(save: SaveSettings) {
  const [status, setStatus] = useState<SaveStatus>({ state: 'idle' });

  const saveAndReport = useCallback(
    async (patch: SettingsPatch): Promise<boolean> => {
      setStatus({ state: 'saving' });
      try {
        await save(patch);
        setStatus({ state: 'saved' });
        return true;
      } catch (e) {
        setStatus({ state: 'failed', message: `Not saved: ${describeError(e, 'settings').text}` });
        return false;
      }
    },
    [save],
  );

  const fail = useCallback((message: string) => setStatus({ state: 'failed', message }), []);

  return { status, save: saveAndReport, fail };
}
