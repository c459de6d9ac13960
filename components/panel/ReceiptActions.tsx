import { useEffect, useId, useState } from 'react';
import { EmailActivityInput } from '../../lib/crm/contract';
import { describeError } from '../../lib/errors/describeError';
import type { ReceiptChange } from '../../lib/panel/features/receiptActions';
import type { MessageLogStatus, ThreadView } from '../../lib/panel/ThreadView';
import type { PanelApi } from './PanelApi';
import { whenTrusted } from './whenTrusted';

/** How long a removal can be undone from its receipt. */
export const UNDO_REMOVE_MS = 10_000;

type Step =
  | { step: 'idle' }
  | { step: 'moving' }
  | { step: 'confirm_redact' }
  | { step: 'busy'; what: string }
  | { step: 'done'; text: string; undo: (() => Promise<void>) | null }
  | { step: 'failed'; text: string };

export interface ReceiptActionsProps {
  message: MessageLogStatus;
  view: ThreadView;
  api: PanelApi;
  onAnnounce(text: string): void;
  onRefresh(): void;
}

/**
 * Undo, Move and Redact on a logged email's receipt, for the rep's own logs (or anyone's for
 * an admin), where the CRM can. Redact asks first (it cannot be undone); a removal can be
 * undone for a few seconds, a move until the receipt is left.
 */
export function ReceiptActions({ message, view, api, onAnnounce, onRefresh }: ReceiptActionsProps) {
  const [state, setState] = useState<Step>({ step: 'idle' });
  const moveId = useId();
  const actions = view.receiptActions;
  const done = state.step === 'done' ? state : null;
  useEffect(() => {
    if (!done?.undo || !done.text.startsWith('Removed')) return;
    const timer = setTimeout(() => setState({ step: 'done', text: done.text, undo: null }), UNDO_REMOVE_MS);
    return () => clearTimeout(timer);
  }, [done]);

  const externalId = message.externalId;
  const mine = message.loggedBy.some((u) => u.self);
  if (!actions || !externalId || (!mine && !actions.admin)) return null;
  if (message.state !== 'logged' && state.step !== 'done' && state.step !== 'failed') return null;
  const subject = message.subject || '(no subject)';

  async function run(
    what: string,
    work: () => Promise<{ text: string; undo: (() => Promise<void>) | null }>,
  ) {
    setState({ step: 'busy', what });
    try {
      const result = await work();
      setState({ step: 'done', ...result });
      onAnnounce(result.text);
      onRefresh();
    } catch (error) {
      setState({ step: 'failed', text: describeError(error, 'crm').text });
    }
  }

  const remove = () =>
    run('Removing…', async () => {
      const result: ReceiptChange = await api.activity.remove({ externalId, contactIds: [] });
      const activities = result.changed.flatMap((c) =>
        c.activity ? [EmailActivityInput.parse(c.activity)] : [],
      );
      return {
        text: `Removed from the CRM${result.changed.length > 1 ? ` for ${result.changed.length} contacts` : ''}. The sync will not log it again.`,
        undo:
          activities.length > 0
            ? async () => {
                await run('Logging it again…', async () => {
                  await api.activity.restore({ activities });
                  return { text: 'Logged again.', undo: null };
                });
              }
            : null,
      };
    });

  const move = (to: { dealId: string | null } | { contactId: string }, label: string) =>
    run('Moving…', async () => {
      const fromContact = message.contacts[0]?.id;
      const contactIds = 'contactId' in to && fromContact ? [fromContact] : [];
      const result = await api.activity.move({ externalId, contactIds, to });
      const back = result.changed[0];
      return {
        text: result.changed.length > 0 ? `Moved to ${label}.` : `Already on ${label}.`,
        undo: back?.from
          ? async () => {
              const from = back.from!;
              await run('Moving back…', async () => {
                await api.activity.move({
                  externalId,
                  contactIds: 'contactId' in to ? [back.to?.contactId ?? to.contactId] : [],
                  to: 'contactId' in to ? { contactId: from.contactId } : { dealId: from.dealId },
                });
                return { text: 'Moved back.', undo: null };
              });
            }
          : null,
      };
    });

  const redact = () =>
    run('Redacting…', async () => {
      await api.activity.redact({ externalId, contactIds: [] });
      return { text: 'Redacted: the CRM keeps who and when only.', undo: null };
    });

  const deals = actions.moveToDeal ? (view.dealChoice?.offered ?? []) : [];
  const onIt = new Set(message.contacts.map((c) => c.id));
  const contacts =
    actions.move && message.contacts.length === 1
      ? view.known.map((card) => card.contact).filter((c) => !onIt.has(c.id))
      : [];
  const canMove = actions.move && (deals.length > 0 || contacts.length > 0 || message.deal?.id);

  return (
    <span className="crm-receipt-actions" data-testid="crm-receipt-actions">
      {state.step === 'idle' && (
        <>
          {actions.remove && (
            <button
              type="button"
              className="crm-link-button"
              onClick={whenTrusted(() => void remove())}
              aria-label={`Remove “${subject}” from the CRM`}
            >
              Remove
            </button>
          )}
          {canMove && (
            <button
              type="button"
              className="crm-link-button"
              onClick={whenTrusted(() => setState({ step: 'moving' }))}
              aria-label={`Move “${subject}”`}
            >
              Move
            </button>
          )}
          {actions.redact && (
            <button
              type="button"
              className="crm-link-button"
              onClick={whenTrusted(() => setState({ step: 'confirm_redact' }))}
              aria-label={`Redact “${subject}”`}
            >
              Redact
            </button>
          )}
        </>
      )}
      {state.step === 'moving' && (
        <span className="crm-receipt-move">
          <label htmlFor={moveId}>Move to</label>{' '}
          <select
            id={moveId}
            className="crm-select"
            defaultValue=""
            // biome-ignore lint/a11y/noAutofocus: the rep just asked to move it; the choice is next
            autoFocus
            onKeyDown={(event) => {
              if (event.key === 'Escape') setState({ step: 'idle' });
            }}
            onChange={(event) => {
              const value = event.target.value;
              if (value === 'deal:') void move({ dealId: null }, 'no deal');
              else if (value.startsWith('deal:')) {
                const deal = deals.find((d) => d.id === value.slice(5));
                void move({ dealId: value.slice(5) }, deal?.name ?? 'the deal');
              } else if (value.startsWith('contact:')) {
                const contact = contacts.find((c) => c.id === value.slice(8));
                void move({ contactId: value.slice(8) }, contact?.name ?? 'the contact');
              }
            }}
          >
            <option value="" disabled>
              Choose…
            </option>
            {actions.moveToDeal && message.deal?.id && <option value="deal:">No deal</option>}
            {deals
              .filter((d) => d.id !== message.deal?.id)
              .map((d) => (
                <option key={d.id} value={`deal:${d.id}`}>
                  Deal: {d.name}
                </option>
              ))}
            {contacts.map((c) => (
              <option key={c.id} value={`contact:${c.id}`}>
                Contact: {c.name}
              </option>
            ))}
          </select>{' '}
          <button type="button" className="crm-link-button" onClick={() => setState({ step: 'idle' })}>
            Cancel
          </button>
        </span>
      )}
      {state.step === 'confirm_redact' && (
        <fieldset className="crm-receipt-confirm">
          <legend>Redact: the CRM keeps who and when only. This cannot be undone.</legend>
          <button
            type="button"
            className="crm-button crm-button-danger"
            onClick={whenTrusted(() => void redact())}
          >
            Redact
          </button>{' '}
          <button type="button" className="crm-button" onClick={() => setState({ step: 'idle' })}>
            Cancel
          </button>
        </fieldset>
      )}
      {state.step === 'busy' && (
        <span className="crm-muted" role="status">
          <span className="crm-spinner" aria-hidden="true" /> {state.what}
        </span>
      )}
      {state.step === 'done' && (
        <span className="crm-receipt-changed" role="status">
          {state.text}{' '}
          {state.undo && (
            <button
              type="button"
              className="crm-link-button"
              onClick={whenTrusted(() => void state.undo?.())}
            >
              Undo
            </button>
          )}
        </span>
      )}
      {state.step === 'failed' && (
        <span className="crm-error" role="alert">
          {state.text}{' '}
          <button type="button" className="crm-link-button" onClick={() => setState({ step: 'idle' })}>
            Back
          </button>
        </span>
      )}
    </span>
  );
}
