import { useId } from 'react';
import type { Settings } from '../../lib/settings/Settings';
import { SaveStatusMessage } from './SaveStatusMessage';
import { SelectOptions } from './SelectOptions';
import { useSaveStatus } from './useSaveStatus';
import type { SaveSettings } from './useSettings';

const HISTORY_OPTIONS: ReadonlyArray<[Settings['historicalImportDays'], string]> = [
  [0, 'None: only new mail'],
  [30, 'Last 30 days'],
  [60, 'Last 60 days'],
  [90, 'Last 90 days'],
];
const FREQUENCY_OPTIONS: ReadonlyArray<[Settings['syncFrequencyMinutes'], string]> = [
  [5, 'Every 5 minutes'],
  [15, 'Every 15 minutes'],
  [60, 'Every hour'],
];

export interface SyncSettingsFieldsetProps {
  settings: Pick<Settings, 'historicalImportDays' | 'syncFrequencyMinutes'>;
  save: SaveSettings;
}

/** How much history a new mailbox imports and how often mailboxes are checked; saved on change. */
export function SyncSettingsFieldset({ settings, save }: SyncSettingsFieldsetProps) {
  const saving = useSaveStatus(save);
  const ids = { history: useId(), frequency: useId() };
  return (
    <fieldset>
      <legend>Sync</legend>
      <div className="field">
        <label htmlFor={ids.history}>Import history when a mailbox is connected</label>
        <select
          id={ids.history}
          value={settings.historicalImportDays}
          onChange={(e) =>
            void saving.save({
              historicalImportDays: Number(e.target.value) as Settings['historicalImportDays'],
            })
          }
        >
          <SelectOptions options={HISTORY_OPTIONS} />
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.frequency}>Check for new mail</label>
        <select
          id={ids.frequency}
          value={settings.syncFrequencyMinutes}
          onChange={(e) =>
            void saving.save({
              syncFrequencyMinutes: Number(e.target.value) as Settings['syncFrequencyMinutes'],
            })
          }
        >
          <SelectOptions options={FREQUENCY_OPTIONS} />
        </select>
      </div>
      <SaveStatusMessage status={saving.status} />
    </fieldset>
  );
}
