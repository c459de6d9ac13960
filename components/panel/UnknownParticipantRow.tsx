import { type FormEvent, useId, useState } from 'react';
import { describeError } from '../../lib/errors/describeError';
import { RemoteError } from '../../lib/messaging/protocol';
import type { AlternateAddressOffer } from '../../lib/panel/features/alternateAddresses';
import type { UnknownParticipant } from '../../lib/panel/ThreadView';
import type { Correction } from './CardCorrections';
import type { CreateContactInput, PanelApi } from './PanelApi';
import { whenTrusted } from './whenTrusted';

export interface UnknownParticipantRowProps {
  participant: UnknownParticipant;
  createContact: PanelApi['contact']['create'];
  /** The contact now exists in the CRM (created or found): the panel re-opens the thread to show its card. */
  onContactCreated(outcome: { name: string; existed: boolean }): void;
  /**
   * One identity across addresses: the known contact this address likely belongs to (same
   * name), and the thread's known contacts the rep may pick instead. Absent when the CRM
   * cannot add an address to a contact.
   */
  otherAddress?: {
    offer: AlternateAddressOffer | null;
    contacts: readonly { id: string; name: string }[];
    /** Adds the address to the contact in the CRM, with undo (the panel's corrections). */
    onAdd(correction: Extract<Correction, { action: 'alternate_address' }>): void;
  };
}

type FormState =
  | { step: 'closed' }
  | { step: 'editing'; name: string; error: string | null }
  | { step: 'saving'; name: string }
  | { step: 'done'; message: string };

export function UnknownParticipantRow({
  participant,
  createContact,
  onContactCreated,
  otherAddress,
}: UnknownParticipantRowProps) {
  const [form, setForm] = useState<FormState>({ step: 'closed' });
  const reasonId = useId();
  const nameFieldId = useId();
  const emailFieldId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.step !== 'editing') return;
    const name = form.name.trim();
    if (!name) {
      setForm({ ...form, error: 'Enter a name for the contact.' });
      return;
    }
    setForm({ step: 'saving', name: form.name });
    const input: CreateContactInput = {
      name,
      email: participant.address,
      companyId: participant.company?.id ?? null,
    };
    try {
      const { existed } = await createContact(input);
      setForm({
        step: 'done',
        message: existed ? `A contact with ${participant.address} already exists.` : `Created ${name}.`,
      });
      onContactCreated({ name, existed });
    } catch (error) {
      // Someone else created it between the lookup and now: the refresh will show it.
      if (error instanceof RemoteError && error.kind === 'conflict') {
        setForm({ step: 'done', message: `A contact with ${participant.address} already exists.` });
        onContactCreated({ name, existed: true });
        return;
      }
      setForm({
        step: 'editing',
        name: form.name,
        error: `Could not create the contact: ${describeError(error, 'crm').text}`,
      });
    }
  }

  const displayName = participant.name && participant.name !== participant.address ? participant.name : null;
  const offer = otherAddress?.offer ?? null;
  return (
    <li className="crm-unknown">
      <div className="crm-unknown-who">
        {displayName && <span className="crm-unknown-name">{displayName}</span>}
        <span className="crm-unknown-address">{participant.address}</span>
        {participant.company && <span className="crm-muted">{participant.company.name}</span>}
      </div>
      {form.step === 'closed' && otherAddress && (
        <OtherAddressOffer
          address={participant.address}
          offer={offer}
          contacts={otherAddress.contacts}
          onAdd={otherAddress.onAdd}
        />
      )}
      {form.step === 'closed' &&
        (participant.canCreate ? (
          <button
            type="button"
            className="crm-button"
            onClick={() => setForm({ step: 'editing', name: participant.suggestedName, error: null })}
          >
            Create contact
          </button>
        ) : (
          <>
            {/* aria-disabled rather than disabled: a disabled button drops out of the tab
                order, and keyboard users then never hear why it cannot be used. */}
            <button type="button" className="crm-button" aria-disabled="true" aria-describedby={reasonId}>
              Create contact
            </button>
            <p id={reasonId} className="crm-muted crm-reason">
              {participant.reason ?? 'Contacts cannot be created for this address.'}
            </p>
          </>
        ))}
      {(form.step === 'editing' || form.step === 'saving') && (
        <form
          className="crm-form"
          onSubmit={whenTrusted(submit)}
          aria-label={`New contact for ${participant.address}`}
        >
          <label htmlFor={nameFieldId}>Name</label>
          <input
            id={nameFieldId}
            type="text"
            value={form.name}
            disabled={form.step === 'saving'}
            onChange={(event) => setForm({ step: 'editing', name: event.target.value, error: null })}
            // biome-ignore lint/a11y/noAutofocus: the user just asked for this form; typing goes straight in.
            autoFocus
          />
          <label htmlFor={emailFieldId}>Email</label>
          <input id={emailFieldId} type="email" value={participant.address} readOnly />
          {form.step === 'editing' && form.error && (
            <p role="alert" className="crm-error">
              {form.error}
            </p>
          )}
          <div className="crm-form-actions">
            <button type="submit" className="crm-button crm-button-primary" disabled={form.step === 'saving'}>
              {form.step === 'saving' ? 'Creating…' : 'Create'}
            </button>
            <button
              type="button"
              className="crm-button"
              disabled={form.step === 'saving'}
              onClick={() => setForm({ step: 'closed' })}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
      {form.step === 'done' && <p className="crm-muted">{form.message}</p>}
    </li>
  );
}

type OfferStep =
  | { step: 'idle' }
  | { step: 'confirm'; contactId: string; contactName: string; acrossCompanies: boolean; why: string }
  | { step: 'pick' };

/**
 * "Add as Alice Moreau's other address" (one identity across addresses). Never automatic:
 * every write is a click here; an address not at the contact's company, or a contact the rep
 * picks, asks for a second, explicit confirmation first.
 */
function OtherAddressOffer({
  address,
  offer,
  contacts,
  onAdd,
}: {
  address: string;
  offer: AlternateAddressOffer | null;
  contacts: readonly { id: string; name: string }[];
  onAdd: NonNullable<UnknownParticipantRowProps['otherAddress']>['onAdd'];
}) {
  const [state, setState] = useState<OfferStep>({ step: 'idle' });
  const [picked, setPicked] = useState(contacts[0]?.id ?? '');
  const pickId = useId();
  const add = (contactId: string, contactName: string, acrossCompanies: boolean) => {
    setState({ step: 'idle' });
    onAdd({ action: 'alternate_address', address, contactId, contactName, acrossCompanies });
  };
  if (state.step === 'confirm')
    return (
      <fieldset className="crm-confirm" aria-label={`Confirm ${address} is ${state.contactName}`}>
        <p>{state.why}</p>
        <div className="crm-form-actions">
          <button
            type="button"
            className="crm-button crm-button-primary"
            onClick={whenTrusted(() => add(state.contactId, state.contactName, state.acrossCompanies))}
          >
            Add to {state.contactName}
          </button>
          <button type="button" className="crm-button" onClick={() => setState({ step: 'idle' })}>
            Cancel
          </button>
        </div>
      </fieldset>
    );
  if (state.step === 'pick') {
    const contact = contacts.find((c) => c.id === picked);
    return (
      <fieldset className="crm-form" aria-label={`Whose other address is ${address}?`}>
        <label htmlFor={pickId}>Whose other address is it?</label>
        <select id={pickId} value={picked} onChange={(event) => setPicked(event.target.value)}>
          {contacts.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <div className="crm-form-actions">
          <button
            type="button"
            className="crm-button crm-button-primary"
            disabled={!contact}
            onClick={() =>
              contact &&
              setState({
                step: 'confirm',
                contactId: contact.id,
                contactName: contact.name,
                acrossCompanies: true,
                why: `Add ${address} to ${contact.name} in the CRM? Mail from it will then show ${contact.name}.`,
              })
            }
          >
            Continue
          </button>
          <button type="button" className="crm-button" onClick={() => setState({ step: 'idle' })}>
            Cancel
          </button>
        </div>
      </fieldset>
    );
  }
  return (
    <div className="crm-other-address">
      {offer && (
        <>
          <p className="crm-muted crm-reason">{offer.reason}</p>
          <button
            type="button"
            className="crm-button"
            onClick={whenTrusted(() =>
              offer.sameCompany
                ? add(offer.contact.id, offer.contact.name, false)
                : setState({
                    step: 'confirm',
                    contactId: offer.contact.id,
                    contactName: offer.contact.name,
                    acrossCompanies: true,
                    why: `${address} is not at ${offer.contact.name}'s company. Add it to ${offer.contact.name} anyway?`,
                  }),
            )}
          >
            Add as {offer.contact.name}'s other address
          </button>
        </>
      )}
      {contacts.length > 0 && (
        <button type="button" className="crm-link-button" onClick={() => setState({ step: 'pick' })}>
          {offer ? 'Someone else in this thread…' : 'Another address of someone here…'}
        </button>
      )}
    </div>
  );
}
