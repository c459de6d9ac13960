import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../../lib/errors/describeError';
import type { Settings } from '../../lib/settings/Settings';
import { mergeSettings } from '../../lib/settings/Settings';
import type { ExtensionApi, SettingsPatch } from '../shared/ExtensionApi';

export type SaveSettings = (patch: SettingsPatch) => Promise<Settings>;

export type SettingsLoad =
  | { state: 'loading' }
  | { state: 'failed'; message: string }
  | { state: 'ready'; settings: Settings };

/**
 * The stored settings and the one way to change them. Saves run one after another, so a
 * quick series of toggles can never be answered out of order and leave a stale value on
 * screen; each is validated against the schema before it is sent.
 */
export function useSettings(api: Pick<ExtensionApi, 'getSettings' | 'updateSettings'>) {
  const [load, setLoad] = useState<SettingsLoad>({ state: 'loading' });
  const current = useRef<Settings | null>(null);
  const queue = useRef<Promise<unknown>>(Promise.resolve());

  /** Reads the stored settings; a failed read shows as one (never throws). */
  const read = useCallback(async () => {
    try {
      const settings = await api.getSettings();
      current.current = settings;
      setLoad({ state: 'ready', settings });
    } catch (e) {
      setLoad({ state: 'failed', message: describeError(e, 'settings').text });
    }
  }, [api]);

  const reload = useCallback(async () => {
    setLoad({ state: 'loading' });
    await read();
  }, [read]);

  useEffect(() => {
    void reload();
  }, [reload]);

  /**
   * Reads the settings again in place, after the background changed them itself (a CRM
   * sign-in or sign-out): the page stays as it is, and only a failed read shows as one.
   * Queued behind the saves, so it never answers with settings older than one.
   */
  const refresh = useCallback((): Promise<void> => {
    const result = queue.current.then(read, read);
    queue.current = result;
    return result;
  }, [read]);

  const save: SaveSettings = useCallback(
    (patch) => {
      const run = async () => {
        if (!current.current) throw new Error('Settings are not loaded yet.');
        // Checked here the way the background will, so a bad field is reported before a round trip.
        mergeSettings(current.current, patch);
        const settings = await api.updateSettings(patch);
        current.current = settings;
        setLoad({ state: 'ready', settings });
        return settings;
      };
      const result = queue.current.then(run, run);
      queue.current = result.catch(() => undefined);
      return result;
    },
    [api],
  );

  return { load, reload, refresh, save };
}
