import { useId, useState } from 'react';
import { parseDomainEntry } from './parseDomainEntry';
import { SaveStatusMessage } from './SaveStatusMessage';
import { useSaveStatus } from './useSaveStatus';
import type { SaveSettings } from './useSettings';

export interface ExcludedDomainsEditorProps {
  domains: string[];
  save: SaveSettings;
}

export function ExcludedDomainsEditor({ domains, save }: ExcludedDomainsEditorProps) {
  const [entry, setEntry] = useState('');
  const [entryError, setEntryError] = useState<string | null>(null);
  const { status, save: saveAndReport } = useSaveStatus(save);
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();

  async function add(event: React.FormEvent) {
    event.preventDefault();
    const parsed = parseDomainEntry(entry);
    if (!parsed.ok) {
      setEntryError(parsed.message);
      return;
    }
    if (domains.includes(parsed.domain)) {
      setEntryError(`${parsed.domain} is already in the list.`);
      return;
    }
    setEntryError(null);
    if (await saveAndReport({ excludedDomains: [...domains, parsed.domain] })) setEntry('');
  }

  return (
    <fieldset>
      <legend>Excluded domains</legend>
      <p id={hintId} className="hint">
        Senders and recipients at these domains (and their subdomains) never get a contact or company created
        or linked by domain.
      </p>
      {domains.length === 0 ? (
        <p className="empty">
          <strong>No domains excluded yet.</strong> Every correspondent’s domain can create or link a company;
          add a partner’s or supplier’s domain below to keep it out of the CRM.
        </p>
      ) : (
        <ul className="chips" aria-label="Excluded domains">
          {domains.map((domain) => (
            <li key={domain} className="chip">
              <span>{domain}</span>
              <button
                type="button"
                aria-label={`Remove ${domain}`}
                onClick={() => void saveAndReport({ excludedDomains: domains.filter((d) => d !== domain) })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="inline" onSubmit={add} noValidate>
        <label htmlFor={inputId}>Domain to exclude</label>
        <input
          id={inputId}
          type="text"
          placeholder="example.com"
          autoCapitalize="none"
          spellCheck={false}
          value={entry}
          onChange={(e) => setEntry(e.target.value)}
          aria-invalid={entryError !== null}
          aria-describedby={entryError ? `${hintId} ${errorId}` : hintId}
        />
        <button type="submit">Add domain</button>
      </form>
      {entryError && (
        <p id={errorId} className="field-error">
          {entryError}
        </p>
      )}
      <SaveStatusMessage status={status} />
    </fieldset>
  );
}
