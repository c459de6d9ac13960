import type { Settings } from '../../lib/settings/Settings';
import { usePolicy } from '../shared/PolicyContext';
import { OrganisationEntries } from '../shared/PolicyLock';
import { SaveStatusMessage } from './SaveStatusMessage';
import { useSaveStatus } from './useSaveStatus';
import type { SaveSettings } from './useSettings';

export interface CorrectionsSectionProps {
  settings: Settings;
  save: SaveSettings;
}

/** The corrections made from the panel (match overrides, never-log entries), each removable. */
export function CorrectionsSection({ settings, save }: CorrectionsSectionProps) {
  const { status, save: saveAndReport } = useSaveStatus(save);
  const { matchOverrides, neverLogAddresses, neverLogDomains } = settings;
  const empty = matchOverrides.length + neverLogAddresses.length + neverLogDomains.length === 0;
  const organisation = usePolicy().organisationEntries;
  return (
    <section aria-labelledby="corrections-heading" className="card">
      <h2 id="corrections-heading">Corrections from the sidebar</h2>
      <OrganisationEntries label="Never logged" entries={organisation.neverLogAddresses} />
      <OrganisationEntries
        label="Never logged, with their subdomains"
        entries={organisation.neverLogDomains}
      />
      {empty && (
        <p className="muted">
          None yet. “Not this person”, “Not this company”, a pick among contacts sharing an address and “Never
          log” in the sidebar are listed here.
        </p>
      )}
      {matchOverrides.length > 0 && (
        <ul aria-label="Match corrections">
          {matchOverrides.map((o) => (
            <li key={`${o.kind}:${o.key}`}>
              {o.key} — {o.label || (o.recordId ? 'picked contact' : 'no match')}{' '}
              <button
                type="button"
                aria-label={`Remove the correction for ${o.key}`}
                onClick={() =>
                  void saveAndReport({
                    matchOverrides: matchOverrides.filter((x) => !(x.kind === o.kind && x.key === o.key)),
                  })
                }
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {neverLogAddresses.length + neverLogDomains.length > 0 && (
        <ul aria-label="Never logged">
          {neverLogAddresses.map((a) => (
            <li key={`a:${a}`}>
              Never log {a}{' '}
              <button
                type="button"
                aria-label={`Log mail with ${a} again`}
                onClick={() =>
                  void saveAndReport({ neverLogAddresses: neverLogAddresses.filter((x) => x !== a) })
                }
              >
                Remove
              </button>
            </li>
          ))}
          {neverLogDomains.map((d) => (
            <li key={`d:${d}`}>
              Never log anyone at {d}{' '}
              <button
                type="button"
                aria-label={`Log mail with ${d} again`}
                onClick={() =>
                  void saveAndReport({ neverLogDomains: neverLogDomains.filter((x) => x !== d) })
                }
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <SaveStatusMessage status={status} />
    </section>
  );
}
