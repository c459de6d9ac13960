import { useId } from 'react';
import { PRIVACY_LEVEL_ORDER, PRIVACY_LEVELS } from '../../lib/settings/privacyLevels';
import type { PrivacyLevel, Settings } from '../../lib/settings/Settings';
import { usePolicy } from '../shared/PolicyContext';
import { PolicyLock } from '../shared/PolicyLock';
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
  const policy = usePolicy();
  return (
    <section aria-labelledby="privacy-heading" className="card">
      <h2 id="privacy-heading">Privacy and logging</h2>
      <PolicyLock policies={['privacyLevel']}>
        <PrivacyLevelChoice
          level={settings.privacyLevel}
          bound={policy.privacyBound}
          onChange={(privacyLevel) => void saveAndReport({ privacyLevel })}
        />
      </PolicyLock>
      <fieldset>
        <legend>Automatic logging</legend>
        <PolicyLock policies={['autoLogSent']}>
          <ToggleField
            label="Log emails I send"
            description="Sent mail from connected mailboxes is logged to the contacts it was sent to."
            checked={settings.autoLogSent}
            onChange={(autoLogSent) => void saveAndReport({ autoLogSent })}
          />
        </PolicyLock>
        <PolicyLock policies={['autoLogReceived']}>
          <ToggleField
            label="Log emails I receive from known contacts"
            description="Received mail is logged only when the sender is already a contact in the CRM."
            checked={settings.autoLogReceived}
            onChange={(autoLogReceived) => void saveAndReport({ autoLogReceived })}
          />
        </PolicyLock>
        <PolicyLock policies={['logComposeByDefault']}>
          <ToggleField
            label="Turn on “Log to CRM” when composing"
            description="The default of the switch in Gmail’s compose window and Outlook’s new-message and reply forms; you can still change it per email. The switch decides for that email: on, it is logged even with automatic logging of sent mail off; off, the mailbox sync leaves it out too (Log email on its receipt still logs it)."
            checked={settings.logComposeByDefault}
            onChange={(logComposeByDefault) => void saveAndReport({ logComposeByDefault })}
          />
        </PolicyLock>
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
  bound,
  onChange,
}: {
  level: PrivacyLevel;
  /** The most the organisation lets a logged email share; levels above it cannot be chosen. */
  bound: PrivacyLevel | null;
  onChange(level: PrivacyLevel): void;
}) {
  const name = useId();
  const boundIndex = bound ? PRIVACY_LEVEL_ORDER.indexOf(bound) : PRIVACY_LEVEL_ORDER.length;
  return (
    <fieldset>
      <legend>What a logged email shares with the CRM</legend>
      {PRIVACY_LEVEL_ORDER.map((option) => (
        <PrivacyLevelOption
          key={option}
          name={name}
          option={option}
          checked={option === level}
          disabled={PRIVACY_LEVEL_ORDER.indexOf(option) > boundIndex}
          onSelect={() => onChange(option)}
        />
      ))}
      {bound && boundIndex < PRIVACY_LEVEL_ORDER.length - 1 && (
        <p className="policy-note">
          Your organisation allows at most “{PRIVACY_LEVELS[bound].label}”; you may choose to share less.
        </p>
      )}
    </fieldset>
  );
}

function PrivacyLevelOption({
  name,
  option,
  checked,
  disabled,
  onSelect,
}: {
  name: string;
  option: PrivacyLevel;
  checked: boolean;
  disabled: boolean;
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
        disabled={disabled}
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
