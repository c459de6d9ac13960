import { useId } from 'react';
import type { MeResponse } from '../../lib/crm/contract';
import { CreateContactPolicy, type Settings } from '../../lib/settings/Settings';
import { usePolicy } from '../shared/PolicyContext';
import { OrganisationEntries, PolicyLock } from '../shared/PolicyLock';
import { ExcludedDomainsEditor } from './ExcludedDomainsEditor';
import { SaveStatusMessage } from './SaveStatusMessage';
import { ToggleField } from './ToggleField';
import { useSaveStatus } from './useSaveStatus';
import type { SaveSettings } from './useSettings';

export interface RulesSectionProps {
  settings: Settings;
  save: SaveSettings;
  /** The org from the last successful connection test, when there was one. */
  org: MeResponse['org'] | null;
}

const POLICY_LABELS: Record<CreateContactPolicy, { label: string; description: string }> = {
  off: { label: 'Never', description: 'Unknown people are shown in the panel; nothing is created.' },
  ask: {
    label: 'Ask me',
    description: 'The panel offers “Create contact”, prefilled from the email; you decide.',
  },
  automatic: {
    label: 'Automatically',
    description: 'A contact is created for every unknown sender or recipient of a logged email.',
  },
};

export function RulesSection({ settings, save, org }: RulesSectionProps) {
  const filters = useSaveStatus(save);
  const policy = useSaveStatus(save);
  const policyWarningId = useId();
  const radioIdPrefix = useId();
  const organisation = usePolicy();

  return (
    <section aria-labelledby="rules-heading" className="card">
      <h2 id="rules-heading">Rules</h2>
      <PolicyLock policies={['excludedDomains']}>
        <ExcludedDomainsEditor domains={settings.excludedDomains} save={save} />
      </PolicyLock>
      <OrganisationEntries label="Also excluded" entries={organisation.organisationEntries.excludedDomains} />
      <fieldset>
        <legend>Filters</legend>
        <PolicyLock policies={['excludeFreeMailDomains']}>
          <ToggleField
            label="Exclude free-mail providers"
            description="Addresses at gmail.com, yahoo.com, outlook.com and other personal mail providers never create a company."
            checked={settings.excludeFreeMailDomains}
            onChange={(excludeFreeMailDomains) => void filters.save({ excludeFreeMailDomains })}
          />
        </PolicyLock>
        <PolicyLock policies={['excludeOrgDomains']}>
          <ToggleField
            label="Exclude my organisation’s own domains"
            description={
              org
                ? `Internal mail is not logged. Your organisation’s domains: ${org.domains.length > 0 ? org.domains.join(', ') : 'none listed in the CRM'}.`
                : 'Internal mail is not logged. The domains come from the CRM; test the connection to see them.'
            }
            checked={settings.excludeOrgDomains}
            onChange={(excludeOrgDomains) => void filters.save({ excludeOrgDomains })}
          />
        </PolicyLock>
        <PolicyLock policies={['filterAutomatedMail']}>
          <ToggleField
            label="Skip automated mail"
            description="Newsletters, notifications, auto-replies, no-reply senders and delivery reports are not logged."
            checked={settings.filterAutomatedMail}
            onChange={(filterAutomatedMail) => void filters.save({ filterAutomatedMail })}
          />
        </PolicyLock>
        <SaveStatusMessage status={filters.status} />
      </fieldset>
      <PolicyLock policies={['createContactPolicy']}>
        <fieldset>
          <legend>Create a contact for unknown people</legend>
          {CreateContactPolicy.options.map((value) => (
            <div className="radio" key={value}>
              <input
                id={`${radioIdPrefix}-${value}`}
                type="radio"
                name="createContactPolicy"
                value={value}
                checked={settings.createContactPolicy === value}
                onChange={() => void policy.save({ createContactPolicy: value })}
                aria-describedby={
                  value === 'automatic' && settings.createContactPolicy === 'automatic'
                    ? policyWarningId
                    : undefined
                }
              />
              <div>
                <label htmlFor={`${radioIdPrefix}-${value}`}>{POLICY_LABELS[value].label}</label>
                <p className="hint">{POLICY_LABELS[value].description}</p>
              </div>
            </div>
          ))}
          {settings.createContactPolicy === 'automatic' && (
            <p id={policyWarningId} className="warning" role="note">
              Creating contacts automatically can fill the CRM with contacts from spam and irrelevant email.
              Turn it on only after setting up the excluded domains and filters above.
            </p>
          )}
          <SaveStatusMessage status={policy.status} />
        </fieldset>
      </PolicyLock>
    </section>
  );
}
