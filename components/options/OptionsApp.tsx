import { useState } from 'react';
import type { MeResponse } from '../../lib/crm/contract';
import type { OptionsApi } from '../shared/ExtensionApi';
import { ManagedByNotice } from '../shared/ManagedByNotice';
import { PolicyContext, usePolicyView } from '../shared/PolicyContext';
import { CorrectionsSection } from './CorrectionsSection';
import { CrmConnectionSection } from './CrmConnectionSection';
import { KeywordRulesEditor } from './KeywordRulesEditor';
import { MailboxesSection } from './MailboxesSection';
import { MailboxMarksSection } from './MailboxMarksSection';
import { OAuthAppsSection } from './OAuthAppsSection';
import { PrivacySection } from './PrivacySection';
import { RulesSection } from './RulesSection';
import { useSettings } from './useSettings';

export interface OptionsAppProps {
  api: OptionsApi;
  /** How often mailbox status is asked again while one syncs. */
  pollIntervalMs?: number;
  now?: () => number;
  /** Opens the guided set-up; without it the page has no link to it (e.g. in tests of the sections). */
  onOpenSetup?: () => void;
}

/**
 * The settings page. Every change is saved as it is made (text fields on their Save
 * button) and the background reads settings on each use, so nothing needs a reload.
 */
export function OptionsApp({ api, pollIntervalMs = 2000, now = Date.now, onOpenSetup }: OptionsAppProps) {
  const { load, reload, refresh, save } = useSettings(api);
  const policy = usePolicyView(api, () => void refresh());
  const [testedMe, setTestedMe] = useState<MeResponse | null>(null);

  return (
    <PolicyContext.Provider value={policy.view}>
      <main className="options">
        <header className="setup-header">
          <h1>CRM Sidebar settings</h1>
          {onOpenSetup && (
            <button type="button" className="link-button" onClick={onOpenSetup}>
              Guided set-up
            </button>
          )}
        </header>
        <ManagedByNotice view={policy.view} failed={policy.failed} />
        {load.state === 'loading' && (
          <p role="status" aria-busy="true" className="loading">
            Loading settings…
          </p>
        )}
        {load.state === 'failed' && (
          <div role="alert" className="error-box">
            <p>The settings could not be loaded: {load.message}</p>
            <button type="button" onClick={() => void reload()}>
              Try again
            </button>
          </div>
        )}
        {load.state === 'ready' && (
          <>
            {onOpenSetup && load.settings.setup.finishedAt === null && (
              <div className="notice" role="note">
                <p>
                  New here? The guided set-up takes you through the few settings that matter, one at a time.
                </p>
                <button type="button" className="primary" onClick={onOpenSetup}>
                  Start the guided set-up
                </button>
              </div>
            )}
            <CrmConnectionSection
              api={api}
              settings={load.settings}
              save={save}
              onConnectionTested={setTestedMe}
              onSettingsChanged={refresh}
            />
            <PrivacySection settings={load.settings} save={save} />
            <RulesSection settings={load.settings} save={save} org={testedMe?.org ?? null} />
            <CorrectionsSection settings={load.settings} save={save} />
            <KeywordRulesEditor rules={load.settings.keywordRules} save={save} />
            <MailboxesSection
              api={api}
              settings={load.settings}
              save={save}
              pollIntervalMs={pollIntervalMs}
              now={now}
            />
            <MailboxMarksSection api={api} settings={load.settings} save={save} />
            <OAuthAppsSection api={api} settings={load.settings} save={save} />
          </>
        )}
      </main>
    </PolicyContext.Provider>
  );
}
