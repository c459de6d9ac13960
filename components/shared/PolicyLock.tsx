import { useId } from 'react';
import { isHeldByCrm, isLocked } from '../../lib/policy/PolicyView';
import { usePolicy } from './PolicyContext';

export interface PolicyLockProps {
  /** The policies (lib/policy/policyDefinitions.ts) behind the wrapped fields. */
  policies: readonly string[];
  children: React.ReactNode;
}

/**
 * Wraps fields an organisation may lock, or its CRM's organisation settings decide
 * ("Set by your organisation's CRM"). Either way the fields are shown read-only (a disabled
 * fieldset disables every control inside it and takes them out of the tab order) with "Set
 * by your organisation" tied to them for assistive technology; otherwise they render as they are.
 */
export function PolicyLock({ policies, children }: PolicyLockProps) {
  const view = usePolicy();
  const noteId = useId();
  const locked = isLocked(view, ...policies);
  if (!locked && !isHeldByCrm(view, ...policies)) return <>{children}</>;
  const by = view.organisationName ? ` (${view.organisationName})` : '';
  return (
    <fieldset className="policy-locked" disabled aria-describedby={noteId}>
      {children}
      <p id={noteId} className="policy-note">
        {locked ? `Set by your organisation${by}.` : `Set by your organisation’s CRM${by}.`}
      </p>
    </fieldset>
  );
}

export interface OrganisationEntriesProps {
  label: string;
  entries: readonly string[];
}

/** The entries an organisation adds to one of the rep's lists: shown, never removable. */
export function OrganisationEntries({ label, entries }: OrganisationEntriesProps) {
  if (entries.length === 0) return null;
  return (
    <div className="organisation-entries">
      <p className="hint">{label} (set by your organisation, always applied):</p>
      <ul>
        {entries.map((entry) => (
          <li key={entry}>{entry}</li>
        ))}
      </ul>
    </div>
  );
}
