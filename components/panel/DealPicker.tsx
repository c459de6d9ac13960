import { useId, useState } from 'react';
import { describeError } from '../../lib/errors/describeError';
import type { ThreadDealChoice } from '../../lib/logging/ThreadDealChoices';
import type { DealChoiceView } from '../../lib/panel/features/dealChoice';
import type { PanelSection, PanelSectionProps } from './panelSections';

const NONE = '__none__';
const UNCHOSEN = '';

type PickerState =
  | { step: 'idle' }
  | { step: 'saving' }
  | { step: 'saved'; previous: ThreadDealChoice | null; notice: string | null; label: string }
  | { step: 'failed'; message: string };

function labelOf(choice: Pick<ThreadDealChoice, 'dealId' | 'dealName'>): string {
  return choice.dealId === null ? 'no deal' : (choice.dealName ?? 'the chosen deal');
}

/** The deal this thread is logged to: offered when the thread's contacts have open deals. */
export function DealPicker({ view, api, onAnnounce, onRefresh }: PanelSectionProps) {
  const deal: DealChoiceView | null = view.dealChoice;
  const [state, setState] = useState<PickerState>({ step: 'idle' });
  const selectId = useId();
  const helpId = useId();
  if (!deal?.threadKey || (deal.offered.length === 0 && deal.chosen === null)) return null;
  const { threadKey, offered, chosen } = deal;
  const externalIds = view.messages.flatMap((m) => (m.externalId ? [m.externalId] : []));

  async function choose(dealId: string | null, dealName: string | null, previous: ThreadDealChoice | null) {
    setState({ step: 'saving' });
    try {
      const result = await api.deal.choose({ threadKey: threadKey!, dealId, dealName, externalIds });
      const label = labelOf({ dealId, dealName });
      setState({ step: 'saved', previous, notice: result.notice, label });
      onAnnounce(
        `This thread is logged to ${label}.${result.relinked > 0 ? ` ${result.relinked} logged emails moved.` : ''}`,
      );
      onRefresh();
    } catch (error) {
      setState({ step: 'failed', message: describeError(error, 'crm').text });
    }
  }

  async function undo(previous: ThreadDealChoice | null) {
    if (previous) {
      await choose(previous.dealId, previous.dealName, null);
      return;
    }
    setState({ step: 'saving' });
    try {
      await api.deal.clear({ threadKey: threadKey! });
      setState({ step: 'idle' });
      onAnnounce('Deal choice undone.');
      onRefresh();
    } catch (error) {
      setState({ step: 'failed', message: describeError(error, 'crm').text });
    }
  }

  const value = chosen === null ? UNCHOSEN : (chosen.dealId ?? NONE);
  const chosenMissing = chosen?.dealId != null && !offered.some((d) => d.id === chosen.dealId);
  const help =
    chosen !== null
      ? `Replies, synced sent mail and other tabs log this thread to ${labelOf(chosen)}.`
      : offered.length === 1
        ? 'No deal chosen yet: emails of this thread are logged without a deal.'
        : `${offered.length} open deals: emails are logged without a deal until you choose one.`;

  return (
    <section className="crm-section crm-deal-picker" aria-label="Deal for this thread">
      <h3 className="crm-heading">
        <label htmlFor={selectId}>Log this thread to</label>
      </h3>
      <select
        id={selectId}
        className="crm-select"
        aria-describedby={helpId}
        value={value}
        disabled={state.step === 'saving'}
        onChange={(event) => {
          const next = event.target.value;
          if (next === UNCHOSEN) return;
          const picked = offered.find((d) => d.id === next);
          void choose(next === NONE ? null : next, picked?.name ?? null, chosen);
        }}
      >
        {chosen === null && (
          <option value={UNCHOSEN} disabled>
            Choose a deal…
          </option>
        )}
        <option value={NONE}>No deal</option>
        {offered.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name} ({d.stage}) · {d.people.join(', ')}
          </option>
        ))}
        {chosenMissing && <option value={chosen.dealId!}>{chosen.dealName ?? chosen.dealId}</option>}
      </select>
      <p id={helpId} className="crm-muted">
        {help}
      </p>
      {state.step === 'saved' && (
        <div className="crm-deal-saved" role="status">
          <span>Saved: {state.label}.</span>{' '}
          <button type="button" className="crm-link-button" onClick={() => void undo(state.previous)}>
            Undo
          </button>
          {state.notice && <p className="crm-notice crm-notice-warning">{state.notice}</p>}
        </div>
      )}
      {state.step === 'failed' && (
        <p className="crm-error" role="alert">
          Could not save the deal: {state.message}
        </p>
      )}
    </section>
  );
}

/** The panel section of lib/panel/features/dealChoice. */
export const dealChoiceSection: PanelSection = {
  id: 'dealChoice',
  Section: DealPicker,
  styles: `
.crm-panel .crm-deal-picker .crm-select { width: 100%; padding: 4px 6px; border: 1px solid var(--crm-border); border-radius: 6px; background: var(--crm-bg); color: var(--crm-fg); font: inherit; }
.crm-panel .crm-deal-saved { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; font-size: 12px; }
.crm-panel .crm-link-button { border: 0; padding: 0; background: none; color: var(--crm-accent); text-decoration: underline; cursor: pointer; font: inherit; }
`,
};
