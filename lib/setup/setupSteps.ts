import { CRM_VENDORS } from '../crm/vendors/crmVendors';
import { CrmConnection, isCrmConfigured, type Settings, type SetupStepId } from '../settings/Settings';

export type { SetupStepId };

/**
 * done: nothing left to do; open: still to do (never seen, or skipped for now);
 * `required` marks the one step without which the sidebar shows nothing.
 */
export type SetupStepState = 'done' | 'open';

export interface SetupStep {
  id: SetupStepId;
  title: string;
  /** What the popup says while the step is open ("Connect your CRM"). */
  todo: string;
  required: boolean;
  state: SetupStepState;
  skipped: boolean;
}

export interface SetupFacts {
  settings: Settings;
  /** Connected mailboxes (from status.get); null while unknown. */
  mailboxCount: number | null;
  /** Where each policy-backed setting comes from (policy.get): what the organisation set is not asked again. */
  policySources?: Readonly<Record<string, string>>;
}

/** The organisation set this (locked, or as a default): the guided set-up does not ask for it. */
function setByOrganisation(facts: SetupFacts, policy: string, alsoDefault: boolean): boolean {
  const source = facts.policySources?.[policy];
  return source === 'locked' || (alsoDefault && source === 'policy');
}

/** The guided set-up, in order. The last step is the summary; it has no work of its own. */
export const SETUP_STEP_IDS: readonly SetupStepId[] = ['crm', 'connect', 'mailbox', 'privacy', 'done'];

const STEP_TEXT: Record<SetupStepId, { title: string; todo: string; required: boolean }> = {
  crm: { title: 'Choose your CRM', todo: 'Choose which CRM your team uses', required: false },
  connect: { title: 'Connect and test', todo: 'Connect the sidebar to your CRM', required: true },
  mailbox: {
    title: 'Mailbox (optional)',
    todo: 'Connect a mailbox to log sent mail automatically',
    required: false,
  },
  privacy: { title: 'Privacy and logging defaults', todo: 'Review what is sent to the CRM', required: false },
  done: { title: 'Done', todo: 'Finish the set-up', required: false },
};

function isDone(id: SetupStepId, facts: SetupFacts): boolean {
  const { settings, mailboxCount } = facts;
  const confirmed = settings.setup.confirmed.includes(id);
  switch (id) {
    case 'crm':
      // A working connection implies a choice was made, even if set outside the guide; an
      // organisation's CRM type is a choice made for the rep.
      return confirmed || isCrmConfigured(settings) || setByOrganisation(facts, 'crmType', true);
    case 'connect':
      return isCrmConfigured(settings);
    case 'mailbox':
      return (mailboxCount ?? 0) > 0;
    case 'privacy':
      // A locked privacy level leaves nothing to review.
      return confirmed || setByOrganisation(facts, 'privacyLevel', false);
    case 'done':
      return settings.setup.finishedAt !== null;
  }
}

export function setupSteps(facts: SetupFacts): SetupStep[] {
  return SETUP_STEP_IDS.map((id) => ({
    id,
    ...STEP_TEXT[id],
    state: isDone(id, facts) ? 'done' : 'open',
    skipped: facts.settings.setup.skipped.includes(id) && !isDone(id, facts),
  }));
}

/** What the popup lists as still missing: open steps before the summary, required first. */
export function missingSetupSteps(facts: SetupFacts): SetupStep[] {
  return setupSteps(facts)
    .filter((step) => step.state === 'open' && step.id !== 'done')
    .sort((a, b) => Number(b.required) - Number(a.required));
}

/** The step to show when the guide opens without one: the first open one, or the summary. */
export function firstOpenStep(facts: SetupFacts): SetupStepId {
  return setupSteps(facts).find((step) => step.state === 'open' && !step.skipped)?.id ?? 'done';
}

export function isSetupStepId(value: string): value is SetupStepId {
  return (SETUP_STEP_IDS as readonly string[]).includes(value);
}

/** The progress patch after the rep confirms or skips `id` (each list keeps one entry per step). */
export function recordStep(
  progress: Settings['setup'],
  id: SetupStepId,
  outcome: 'confirmed' | 'skipped',
  now: Date,
): Settings['setup'] {
  const without = (list: readonly SetupStepId[]) => list.filter((step) => step !== id);
  return {
    confirmed: outcome === 'confirmed' ? [...without(progress.confirmed), id] : without(progress.confirmed),
    skipped: outcome === 'skipped' ? [...without(progress.skipped), id] : without(progress.skipped),
    finishedAt: id === 'done' ? (progress.finishedAt ?? now.toISOString()) : progress.finishedAt,
  };
}

export interface CrmChoice {
  type: string;
  label: string;
  description: string;
  /** False when this build's settings schema has no connection of that type. */
  available: boolean;
}

/**
 * The CRM types a rep can pick. A type is offered as available only when the settings
 * schema accepts a connection of that type, so the list follows the connectors in the build.
 */
export function crmChoices(): CrmChoice[] {
  return Object.values(CRM_VENDORS).map((vendor) => {
    const parsed = CrmConnection.safeParse({ type: vendor.type });
    const typeAccepted = parsed.success || !parsed.error.issues.some((issue) => issue.path[0] === 'type');
    return { type: vendor.type, ...vendor.setup, available: typeAccepted };
  });
}
