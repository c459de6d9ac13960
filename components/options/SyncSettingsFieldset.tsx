import { useId } from 'react';
import type { Settings } from '../../lib/settings/Settings';
import { PolicyLock } from '../shared/PolicyLock';
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
  // Chrome fires alarms at most every 30 s (developer.chrome.com/docs/extensions/reference/api/alarms).
  [1, 'Every minute'],
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
  return (
    <fieldset>
      <legend>Sync</legend>
      <PolicyLock policies={['historicalImportDays']}>
        <NumberChoice
          label="Import history when a mailbox is connected"
          value={settings.historicalImportDays}
          options={HISTORY_OPTIONS}
          onChange={(historicalImportDays) => void saving.save({ historicalImportDays })}
        />
      </PolicyLock>
      <PolicyLock policies={['syncFrequencyMinutes']}>
        <NumberChoice
          label="Check for new mail"
          value={settings.syncFrequencyMinutes}
          options={FREQUENCY_OPTIONS}
          onChange={(syncFrequencyMinutes) => void saving.save({ syncFrequencyMinutes })}
        />
      </PolicyLock>
      <SaveStatusMessage status={saving.status} />
    </fieldset>
  );
}

/** A labelled select over a closed set of numbers (the options are the only values it can give). */
function NumberChoice<V extends number>(props: {
  label: string;
  value: V;
  options: ReadonlyArray<readonly [V, string]>;
  onChange(value: V): void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(Number(e.target.value) as V)}>
        <SelectOptions options={props.options} />
      </select>
    </div>
  );
}
