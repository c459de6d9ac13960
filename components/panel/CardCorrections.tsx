import type { ContactCard } from '../../lib/panel/ThreadView';

/** What the rep asked for; the panel turns it into a background message and offers undo. */
export type Correction =
  | { action: 'not_person'; address: string; contactName: string }
  | { action: 'not_company'; address: string; companyName: string }
  | { action: 'pick'; address: string; contactId: string; contactName: string }
  | { action: 'never_log'; scope: 'address' | 'domain'; address: string }
  /** The address is another address of this contact: added to it in the CRM (UnknownParticipantRow). */
  | {
      action: 'alternate_address';
      address: string;
      contactId: string;
      contactName: string;
      acrossCompanies: boolean;
    };

/** The correction buttons of one contact card. */
export function CardCorrections({ card, onCorrect }: { card: ContactCard; onCorrect(c: Correction): void }) {
  const address = card.matchedAddress;
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return (
    <fieldset className="crm-corrections" aria-label={`Correct ${card.contact.name}`}>
      {card.matchedBy !== 'thread' && (
        <button
          type="button"
          className="crm-link-button"
          onClick={() => onCorrect({ action: 'not_person', address, contactName: card.contact.name })}
        >
          Not this person
        </button>
      )}
      {card.company && (
        <button
          type="button"
          className="crm-link-button"
          onClick={() => onCorrect({ action: 'not_company', address, companyName: card.company!.name })}
        >
          Not this company
        </button>
      )}
      <button
        type="button"
        className="crm-link-button"
        onClick={() => onCorrect({ action: 'never_log', scope: 'address', address })}
        aria-label={`Never log this address: ${address}`}
      >
        Never log this address
      </button>
      <button
        type="button"
        className="crm-link-button"
        onClick={() => onCorrect({ action: 'never_log', scope: 'domain', address })}
        aria-label={`Never log this domain: ${domain}`}
      >
        Never log this domain
      </button>
    </fieldset>
  );
}
