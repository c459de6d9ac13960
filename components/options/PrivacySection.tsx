import { useId } from 'react';
import { PRIVACY_LEVEL_ORDER, PRIVACY_LEVELS } from '../../lib/settings/privacyLevels';
import type { PrivacyLevel, Settings } from '../../lib/settings/Settings';
import { SaveStatusMessage } from './SaveStatusMessage';
import { ToggleField } from './ToggleField';
import { useSaveStatus } from './useSaveStatus';
import type { SaveSettings } from './useSettings';

export interface PrivacySectionProps {
  settings: Settings;
  save: SaveSettings;
}

export function PrivacySection({ settings, save }: PrivacySectionProps) {
  const { status, save: saveAndReport } = useSaveStatus(save);
  return (
    <section aria-labelledby="privacy-heading" className="card">
      <h2 id="privacy-heading">Privacy and logging</h2>
      <PrivacyLevelChoice
        level={settings.privacyLevel}
        onChange={(privacyLevel) => void saveAndReport({ privacyLevel })}
      />
      <fieldset>
        <legend>Automatic logging</legend>
        <ToggleField
          label="Log emails I send"
          description="Sent mail from connected mailboxes is logged to the contacts it was sent to."
          checked={settings.autoLogSent}
          onChange={(autoLogSent) => void saveAndReport({ autoLogSent })}
        />
        <ToggleField
          label="Log emails I receive from known contacts"
          description="Received mail is logged only when the sender is already a contact in the CRM."
          checked={settings.autoLogReceived}
          onChange={(autoLogReceived) => void saveAndReport({ autoLogReceived })}
        />
        <ToggleField
          label="Turn on “Log to CRM” when composing"
          description="The default of the switch in the compose window; you can still change it per email."
          checked={settings.logComposeByDefault}
          onChange={(logComposeByDefault) => void saveAndReport({ logComposeByDefault })}
        />
      </fieldset>
      <SaveStatusMessage status={status} />
    </section>
  );
}

/**
 * The three privacy levels as a radio group (arrow keys move between them), each with what
 * a logged email carries at that level, worded in lib/settings/privacyLevels.
 */
function PrivacyLevelChoice({
  level,
  onChange,
}: {
  level: PrivacyLevel;
  onChange(level: PrivacyLevel): void;
}) {
  const name = useId();
  return (
    <fieldset>
      <legend>What a logged email shares with the CRM</legend>
      {PRIVACY_LEVEL_ORDER.map((option) => (
        <PrivacyLevelOption
          key={option}
          name={name}
          option={option}
          checked={option === level}
          onSelect={() => onChange(option)}
        />
      ))}
    </fieldset>
  );
}

function PrivacyLevelOption({
  name,
  option,
  checked,
  onSelect,
}: {
  name: string;
  option: PrivacyLevel;
  checked: boolean;
  onSelect(): void;
}) {
  const id = useId();
  const words = PRIVACY_LEVELS[option];
  return (
    <div className="radio">
      <input
        id={id}
        type="radio"
        name={name}
        value={option}
        checked={checked}
        onChange={onSelect}
        aria-describedby={`${id}-shares`}
      />
      <div>
        <label htmlFor={id}>{words.label}</label>
        <p id={`${id}-shares`} className="hint">
          Shares {words.shares}. {words.note}
        </p>
      </div>
    </div>
  );
}
