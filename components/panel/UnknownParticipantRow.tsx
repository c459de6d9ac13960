import { type FormEvent, useId, useState } from 'react';
import { describeError } from '../../lib/errors/describeError';
import { RemoteError } from '../../lib/messaging/protocol';
import type { UnknownParticipant } from '../../lib/panel/ThreadView';
import type { CreateContactInput, PanelApi } from './PanelApi';
import { whenTrusted } from './whenTrusted';

export interface UnknownParticipantRowProps {
  participant: UnknownParticipant;
  createContact: PanelApi['contact']['create'];
  /** The contact now exists in the CRM (created or found): the panel re-opens the thread to show its card. */
  onContactCreated(outcome: { name: string; existed: boolean }): void;
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
  return (
    <li className="crm-unknown">
      <div className="crm-unknown-who">
        {displayName && <span className="crm-unknown-name">{displayName}</span>}
        <span className="crm-unknown-address">{participant.address}</span>
        {participant.company && <span className="crm-muted">{participant.company.name}</span>}
      </div>
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
