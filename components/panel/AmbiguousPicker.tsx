import type { PanelSection, PanelSectionProps } from './panelSections';

/** Several contacts share an address: the rep picks one (remembered); nothing is logged to a guess. */
export function AmbiguousPicker({ view, onCorrect }: PanelSectionProps) {
  if (view.ambiguous.length === 0) return null;
  return (
    <section className="crm-section" aria-label="Who is this?">
      <h3 className="crm-heading">Who is this?</h3>
      <ul className="crm-ambiguous">
        {view.ambiguous.map((entry) => (
          <li key={entry.address}>
            <p>
              {entry.candidates.length} contacts share <strong>{entry.address}</strong>. Nothing is logged to
              it until you pick one.
            </p>
            <fieldset className="crm-corrections" aria-label={`Contacts sharing ${entry.address}`}>
              {entry.candidates.map((candidate) => (
                <button
                  key={candidate.id}
                  type="button"
                  className="crm-button"
                  onClick={() =>
                    onCorrect({
                      action: 'pick',
                      address: entry.address,
                      contactId: candidate.id,
                      contactName: candidate.name,
                    })
                  }
                >
                  {candidate.name}
                  {candidate.title ? ` · ${candidate.title}` : ''}
                </button>
              ))}
            </fieldset>
          </li>
        ))}
      </ul>
    </section>
  );
}

export const ambiguousSection: PanelSection = {
  id: 'ambiguous',
  Section: AmbiguousPicker,
  styles: `
.crm-panel .crm-ambiguous { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.crm-panel .crm-corrections { border: 0; margin: 0; padding: 0; min-width: 0; display: flex; flex-wrap: wrap; gap: 4px 10px; font-size: 12px; }
.crm-panel .crm-why { margin: 4px 0; font-size: 12px; color: var(--crm-muted); }
.crm-panel .crm-why-label { font-weight: 600; }
.crm-panel .crm-undo { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; }
`,
};
