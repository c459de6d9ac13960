import { isManaged, type PolicyView } from '../../lib/policy/PolicyView';

export interface ManagedByNoticeProps {
  view: PolicyView;
  /** The policy could not be read (the message), or null. */
  failed?: string | null;
}

/**
 * "Managed by Example Ltd", and every policy value that was ignored with the reason, so an
 * administrator's typo is visible to the rep (and reported back) instead of silently lost.
 */
export function ManagedByNotice({ view, failed = null }: ManagedByNoticeProps) {
  if (failed)
    return (
      <p className="policy-notice" role="status">
        The organisation’s policy could not be read here ({failed}); the extension still applies it.
      </p>
    );
  if (!isManaged(view) && view.ignored.length === 0) return null;
  return (
    <div className="policy-notice" role="note" aria-label="Organisation policy">
      {isManaged(view) && (
        <p className="managed-by">
          {view.organisationName ? `Managed by ${view.organisationName}.` : 'Managed by your organisation.'}{' '}
          Settings marked “Set by your organisation” cannot be changed here.
          {view.crmOrganisationSettings &&
            ' Your CRM also keeps rules for everyone in your organisation; those are marked “Set by your organisation’s CRM”.'}
        </p>
      )}
      {view.ignored.length > 0 && (
        <div className="warning">
          <p>
            {view.ignored.length === 1
              ? 'One policy value was ignored'
              : `${view.ignored.length} policy values were ignored`}
            ; tell your administrator:
          </p>
          <ul>
            {view.ignored.map((item) => (
              <li key={item.policy}>
                <code>{item.policy}</code>: {item.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
