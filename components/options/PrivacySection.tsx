import type { Settings } from '../../lib/settings/Settings';
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
      <fieldset>
        <legend>What is sent to the CRM</legend>
        <ToggleField
          label="Privacy mode: headers and snippet only"
          description="Logged emails carry sender, recipients, subject, date and the first lines of text. The full body never leaves your browser. Turn off to log full bodies."
          checked={settings.privacyMode}
          onChange={(privacyMode) => void saveAndReport({ privacyMode })}
        />
      </fieldset>
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
