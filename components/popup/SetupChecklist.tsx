import type { SetupStep, SetupStepId } from '../../lib/setup/setupSteps';

export interface SetupChecklistProps {
  /** Open steps of the guided set-up, required first (missingSetupSteps). */
  missing: SetupStep[];
  onOpenStep: (step: SetupStepId) => void;
}

/** What is still missing from the set-up, each item a link to its step. Nothing when all is done. */
export function SetupChecklist({ missing, onOpenStep }: SetupChecklistProps) {
  if (missing.length === 0) return null;
  return (
    <section aria-labelledby="setup-heading" className="setup-checklist" data-testid="setup-checklist">
      <h2 id="setup-heading">Finish setting up</h2>
      <ul>
        {missing.map((step) => (
          <li key={step.id} className={step.required ? 'required' : undefined}>
            <span>
              {step.todo}
              {step.required ? <strong className="needed">Needed</strong> : ' (optional)'}
            </span>{' '}
            <button
              type="button"
              className="link-button"
              aria-label={`${step.todo}: open this set-up step`}
              onClick={() => onOpenStep(step.id)}
            >
              {step.skipped ? 'Resume' : 'Set up'}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
