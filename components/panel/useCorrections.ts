import { useRef, useState } from 'react';
import { describeError } from '../../lib/errors/describeError';
import type { Correction } from './CardCorrections';
import type { PanelApi } from './PanelApi';

export interface UndoOffer {
  text: string;
  undo(): Promise<unknown>;
}

export interface CorrectionsModel {
  offer: UndoOffer | null;
  error: string | null;
  busy: boolean;
  apply(correction: Correction): Promise<void>;
  undo(): Promise<void>;
  dismiss(): void;
}

/**
 * Sends the rep's corrections to the background (they become settings, applied by the
 * panel, clicks and the sync) and keeps the last one undoable.
 */
export function useCorrections(
  api: PanelApi,
  announce: (text: string) => void,
  refresh: () => void,
): CorrectionsModel {
  const [offer, setOffer] = useState<UndoOffer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // One correction at a time, in the order the rep clicked: a click while an undo is still on
  // its way runs after it instead of being dropped without a word.
  const queue = useRef<Promise<void>>(Promise.resolve());
  function run(work: () => Promise<UndoOffer | null>): Promise<void> {
    const next = queue.current.then(() => runNow(work));
    queue.current = next;
    return next;
  }

  async function runNow(work: () => Promise<UndoOffer | null>) {
    setBusy(true);
    setError(null);
    try {
      const next = await work();
      setOffer(next);
      announce(next?.text ?? 'Undone.');
      refresh();
    } catch (e) {
      setError(describeError(e, 'crm').text);
    } finally {
      setBusy(false);
    }
  }

  async function send(correction: Correction): Promise<UndoOffer> {
    switch (correction.action) {
      case 'not_person':
      case 'pick': {
        const picked = correction.action === 'pick';
        const { override } = await api.match.correct({
          kind: 'contact',
          address: correction.address,
          recordId: picked ? correction.contactId : null,
          label: picked ? `${correction.contactName} (picked)` : `not ${correction.contactName}`,
        });
        return {
          text: picked
            ? `${correction.address} is now ${correction.contactName}.`
            : `${correction.address} is no longer linked to ${correction.contactName}.`,
          undo: () => api.match.uncorrect({ kind: override.kind, key: override.key }),
        };
      }
      case 'not_company': {
        const { override } = await api.match.correct({
          kind: 'company',
          address: correction.address,
          recordId: null,
          label: `not ${correction.companyName}`,
        });
        return {
          text: `Mail from ${override.key} is no longer linked to ${correction.companyName}.`,
          undo: () => api.match.uncorrect({ kind: override.kind, key: override.key }),
        };
      }
      case 'never_log': {
        const { entry } = await api.neverLog.add({ scope: correction.scope, address: correction.address });
        return {
          text:
            entry.scope === 'address'
              ? `Mail with ${entry.value} will never be logged.`
              : `Mail with anyone at ${entry.value} will never be logged.`,
          undo: () => api.neverLog.remove(entry),
        };
      }
      case 'alternate_address': {
        const added = await api.contact.addAlternateEmail({
          contactId: correction.contactId,
          address: correction.address,
          acrossCompanies: correction.acrossCompanies,
        });
        return {
          text: `${added.address} is now ${added.contactName}'s other address in the CRM.`,
          undo: () =>
            api.contact.removeAlternateEmail({ contactId: added.contactId, address: added.address }),
        };
      }
    }
  }

  return {
    offer,
    error,
    busy,
    apply: (correction) => run(() => send(correction)),
    undo: () =>
      run(async () => {
        await offer?.undo();
        return null;
      }),
    dismiss: () => setOffer(null),
  };
}
