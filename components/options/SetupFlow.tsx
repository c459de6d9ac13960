import { useEffect, useId, useRef, useState } from 'react';
import type { MeResponse } from '../../lib/crm/contract';
import type { PolicyView } from '../../lib/policy/PolicyView';
import type { Settings } from '../../lib/settings/Settings';
import type { OptionsRoute } from '../../lib/setup/optionsRoute';
import {
  crmChoices,
  firstOpenStep,
  recordStep,
  SETUP_STEP_IDS,
  type SetupStep,
  type SetupStepId,
  setupSteps,
} from '../../lib/setup/setupSteps';
import type { OptionsApi } from '../shared/ExtensionApi';
import { ManagedByNotice } from '../shared/ManagedByNotice';
import { PolicyContext, usePolicy, usePolicyView } from '../shared/PolicyContext';
import { useExtensionStatus } from '../shared/useExtensionStatus';
import { CrmConnectionSection } from './CrmConnectionSection';
import { MailboxesSection } from './MailboxesSection';
import { OAuthAppsSection } from './OAuthAppsSection';
import { PrivacySection } from './PrivacySection';
import { SaveStatusMessage } from './SaveStatusMessage';
import { useSaveStatus } from './useSaveStatus';
import { type SaveSettings, useSettings } from './useSettings';

export interface SetupFlowProps {
  api: OptionsApi;
  /** The step in the address (#setup/<step>); null: the first open step. */
  step: SetupStepId | null;
  navigate: (route: OptionsRoute) => void;
  pollIntervalMs?: number;
  now?: () => number;
}

/**
 * The guided first-run set-up: a short sequence over the same section components the
 * full settings page shows, so a setting changed here is the setting there. Every step
 * can be skipped and reopened from the step list; the full settings are one click away.
 */
export function SetupFlow({ api, step, navigate, pollIntervalMs = 2000, now = Date.now }: SetupFlowProps) {
  const { load, reload, refresh, save } = useSettings(api);
  const policy = usePolicyView(api, () => void refresh());
  const { status } = useExtensionStatus(api, pollIntervalMs);
  const [testedMe, setTestedMe] = useState<MeResponse | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const ids = { nav: useId(), stepHeading: useId() };

  // Moving to another step moves focus to its heading, so keyboard and screen-reader
  // users land on the new content rather than on a button that no longer exists.
  const shownStep =
    load.state === 'ready' ? (step ?? firstOpenStep(factsOf(load.settings, status, policy.view))) : null;
  const previousStep = useRef(shownStep);
  useEffect(() => {
    if (previousStep.current !== null && previousStep.current !== shownStep) headingRef.current?.focus();
    previousStep.current = shownStep;
  }, [shownStep]);

  return (
    <PolicyContext.Provider value={policy.view}>
      <main className="options setup">
        <header className="setup-header">
          <h1>Set up CRM Sidebar</h1>
          <button type="button" className="link-button" onClick={() => navigate({ page: 'settings' })}>
            All settings
          </button>
        </header>
        <ManagedByNotice view={policy.view} failed={policy.failed} />
        {load.state === 'loading' && (
          <p role="status" aria-busy="true" className="loading">
            Loading your settings…
          </p>
        )}
        {load.state === 'failed' && (
          <div role="alert" className="error-box">
            <p>The settings could not be loaded, so the set-up cannot start: {load.message}</p>
            <button type="button" onClick={() => void reload()}>
              Try again
            </button>
          </div>
        )}
        {load.state === 'ready' && shownStep && (
          <SetupSteps
            api={api}
            settings={load.settings}
            save={save}
            steps={setupSteps(factsOf(load.settings, status, policy.view))}
            current={shownStep}
            navigate={navigate}
            headingRef={headingRef}
            headingId={ids.stepHeading}
            navId={ids.nav}
            testedMe={testedMe}
            onConnectionTested={setTestedMe}
            onSettingsChanged={refresh}
            pollIntervalMs={pollIntervalMs}
            now={now}
          />
        )}
      </main>
    </PolicyContext.Provider>
  );
}

function factsOf(settings: Settings, status: { mailboxes: unknown[] } | null, policy: PolicyView) {
  return { settings, mailboxCount: status ? status.mailboxes.length : null, policySources: policy.sources };
}

interface SetupStepsProps {
  api: OptionsApi;
  settings: Settings;
  save: SaveSettings;
  steps: SetupStep[];
  current: SetupStepId;
  navigate: (route: OptionsRoute) => void;
  headingRef: React.RefObject<HTMLHeadingElement | null>;
  headingId: string;
  navId: string;
  testedMe: MeResponse | null;
  onConnectionTested: (me: MeResponse) => void;
  onSettingsChanged: () => Promise<void>;
  pollIntervalMs: number;
  now: () => number;
}

function SetupSteps(props: SetupStepsProps) {
  const { settings, save, steps, current, navigate } = props;
  const progress = useSaveStatus(save);
  const index = SETUP_STEP_IDS.indexOf(current);
  const step = steps[index]!;
  const next = SETUP_STEP_IDS[index + 1] ?? null;
  const previous = SETUP_STEP_IDS[index - 1] ?? null;
  const doneCount = steps.filter((s) => s.id !== 'done' && s.state === 'done').length;
  const go = (id: SetupStepId) => navigate({ page: 'setup', step: id });

  // Reaching the summary is finishing: from then on the guide no longer opens by itself.
  const finished = settings.setup.finishedAt !== null;
  useEffect(() => {
    if (current === 'done' && !finished)
      void progress.save({ setup: recordStep(settings.setup, 'done', 'confirmed', new Date(props.now())) });
  }, [current, finished, progress.save, settings.setup, props.now]);

  async function leave(outcome: 'confirmed' | 'skipped') {
    if (!next) return;
    const saved = await progress.save({
      setup: recordStep(settings.setup, current, outcome, new Date(props.now())),
    });
    if (saved) go(next);
  }

  return (
    <div className="setup-body">
      <nav aria-labelledby={props.navId} className="setup-nav">
        <h2 id={props.navId} className="visually-hidden">
          Set-up steps
        </h2>
        <p className="setup-count">
          {doneCount} of {steps.length - 1} steps done
        </p>
        <ol>
          {steps.map((s, i) => (
            <li key={s.id}>
              <button
                type="button"
                className={`setup-step step-${stepBadge(s).className}`}
                aria-current={s.id === current ? 'step' : undefined}
                onClick={() => go(s.id)}
              >
                <span className="step-number" aria-hidden="true">
                  {s.state === 'done' ? '✓' : i + 1}
                </span>
                <span className="step-title">{s.title}</span>
                <span className="step-badge">
                  <span className="visually-hidden">: </span>
                  {stepBadge(s).label}
                </span>
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <section aria-labelledby={props.headingId} className="setup-step-body">
        <h2 id={props.headingId} ref={props.headingRef} tabIndex={-1}>
          {step.title}
        </h2>
        <StepContent {...props} step={step} />
        <SaveStatusMessage status={progress.status} />
        <div className="setup-footer">
          {previous && (
            <button type="button" onClick={() => go(previous)}>
              Back
            </button>
          )}
          <span className="spacer" />
          {next && (
            <>
              <button
                type="button"
                onClick={() => void leave('skipped')}
                disabled={progress.status.state === 'saving'}
              >
                Skip for now
              </button>
              <button
                type="button"
                className="primary"
                onClick={() => void leave('confirmed')}
                disabled={progress.status.state === 'saving'}
              >
                {next === 'done' ? 'Finish' : 'Continue'}
              </button>
            </>
          )}
          {!next && (
            <button type="button" className="primary" onClick={() => navigate({ page: 'settings' })}>
              Open all settings
            </button>
          )}
        </div>
      </section>
    </div>
  );
}

function stepBadge(step: SetupStep): { label: string; className: string } {
  if (step.state === 'done') return { label: 'Done', className: 'done' };
  if (step.skipped) return { label: 'Skipped', className: 'skipped' };
  if (step.required) return { label: 'Needed', className: 'needed' };
  return { label: step.id === 'done' ? '' : 'To do', className: 'todo' };
}

function StepContent(props: SetupStepsProps & { step: SetupStep }) {
  const { api, settings, save, step } = props;
  switch (step.id) {
    case 'crm':
      return <CrmChoiceStep settings={settings} save={save} />;
    case 'connect':
      return (
        <>
          <ConnectIntro />
          <CrmConnectionSection
            api={api}
            settings={settings}
            save={save}
            onConnectionTested={props.onConnectionTested}
            onSettingsChanged={props.onSettingsChanged}
          />
          {step.state === 'open' && (
            <p className="hint" data-testid="connect-reminder">
              Not connected yet: test the connection, then press Save to keep it.
            </p>
          )}
        </>
      );
    case 'mailbox':
      return (
        <>
          <p className="step-intro">
            A mailbox connection is optional. Choose what fits your team; you can connect one later from the
            settings.
          </p>
          <table className="modes-table">
            <caption className="visually-hidden">What each mode needs and gives</caption>
            <thead>
              <tr>
                <th scope="col">Mode</th>
                <th scope="col">Needs</th>
                <th scope="col">Gives</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">Webmail page only (no mailbox)</th>
                <td>Nothing more: works as soon as the CRM is connected.</td>
                <td>
                  The CRM panel beside every email you open in Gmail or Outlook, and one-click logging. The
                  email is keyed by the webmail’s own item id, because the page does not show the Message-ID.
                </td>
              </tr>
              <tr>
                <th scope="row">Connected mailbox (Gmail API or Microsoft Graph)</th>
                <td>
                  An OAuth client id from your administrator (Google Cloud or Microsoft Entra), and your
                  sign-in to the mailbox.
                </td>
                <td>
                  Everything above, plus mail you send logged automatically in the background, the exact
                  Message-ID (so colleagues never log the same email twice), and an optional import of recent
                  history.
                </td>
              </tr>
            </tbody>
          </table>
          <OAuthAppsSection api={api} settings={settings} save={save} />
          <MailboxesSection
            api={api}
            settings={settings}
            save={save}
            pollIntervalMs={props.pollIntervalMs}
            now={props.now}
          />
        </>
      );
    case 'privacy':
      return (
        <>
          <p className="step-intro">
            The defaults keep email bodies in your browser and log only what you send. Change them now or any
            time later.
          </p>
          <PrivacySection settings={settings} save={save} />
        </>
      );
    case 'done':
      return <SetupSummary {...props} />;
  }
}

function CrmChoiceStep({ settings, save }: { settings: Settings; save: SaveSettings }) {
  const choice = useSaveStatus(save);
  const name = useId();
  const choices = crmChoices();
  return (
    <fieldset className="crm-choices">
      <legend>Which CRM does your team use?</legend>
      {choices.map((c) => {
        const id = `${name}-${c.type}`;
        const descriptionId = `${id}-description`;
        return (
          <div key={c.type} className={`radio crm-choice${c.available ? '' : ' unavailable'}`}>
            <input
              id={id}
              type="radio"
              name={name}
              value={c.type}
              checked={settings.crm.type === c.type}
              disabled={!c.available}
              aria-describedby={descriptionId}
              onChange={() => void choice.save({ crm: { ...settings.crm, type: c.type } as Settings['crm'] })}
            />
            <div>
              <label htmlFor={id}>{c.label}</label>
              <p id={descriptionId} className="hint">
                {c.description}
                {!c.available && ' Not included in this version of the extension yet.'}
              </p>
            </div>
          </div>
        );
      })}
      <SaveStatusMessage status={choice.status} />
    </fieldset>
  );
}

function SetupSummary({ steps, navigate, testedMe, settings }: SetupStepsProps) {
  const open = steps.filter((s) => s.id !== 'done' && s.state === 'open');
  return (
    <>
      {open.length === 0 ? (
        <p className="step-intro" data-testid="setup-summary">
          All set. Open an email in Outlook or Gmail on the web: the CRM panel appears beside it.
        </p>
      ) : (
        <p className="step-intro" data-testid="setup-summary">
          The set-up is saved.{' '}
          {open.some((s) => s.required) ? 'One thing is still needed' : 'A few optional steps are left'}; the
          extension’s toolbar popup keeps a list.
        </p>
      )}
      {settings.crm.baseUrl !== '' && (
        <p className="hint">
          CRM: {settings.crm.baseUrl}
          {testedMe ? ` — connected as ${testedMe.user.name} (${testedMe.org.name})` : ''}
        </p>
      )}
      <ul className="setup-summary">
        {steps
          .filter((s) => s.id !== 'done')
          .map((s) => (
            <li key={s.id}>
              <span className={`step-badge step-${stepBadge(s).className}`}>{stepBadge(s).label}</span>{' '}
              {s.title}{' '}
              <button
                type="button"
                className="link-button"
                onClick={() => navigate({ page: 'setup', step: s.id })}
                aria-label={`Change: ${s.title}`}
              >
                Change
              </button>
            </li>
          ))}
      </ul>
    </>
  );
}

/** What the connect step asks for: everything, or only the rep's own sign-in when the organisation set the CRM. */
function ConnectIntro() {
  const policy = usePolicy();
  const managed = ['locked', 'policy'].includes(policy.sources.crmBaseUrl ?? '');
  return (
    <p className="step-intro">
      {managed
        ? `${policy.organisationName ?? 'Your organisation'} has set up the CRM: enter your personal API token (or sign in), then test the connection.`
        : 'Enter the CRM’s address and your personal API token, then test the connection.'}{' '}
      The sidebar shows nothing until a connection is saved.
    </p>
  );
}
