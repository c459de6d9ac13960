import type { OptionsRoute } from '../../lib/setup/optionsRoute';
import type { OptionsApi } from '../shared/ExtensionApi';
import { OptionsApp } from './OptionsApp';
import { SetupFlow } from './SetupFlow';

export interface OptionsPageProps {
  api: OptionsApi;
  route: OptionsRoute;
  navigate: (route: OptionsRoute) => void;
  pollIntervalMs?: number;
  now?: () => number;
}

/** The options page: the guided set-up (#setup/...) or the full settings, one click apart. */
export function OptionsPage({ api, route, navigate, pollIntervalMs, now }: OptionsPageProps) {
  if (route.page === 'setup')
    return (
      <SetupFlow api={api} step={route.step} navigate={navigate} pollIntervalMs={pollIntervalMs} now={now} />
    );
  return (
    <OptionsApp
      api={api}
      pollIntervalMs={pollIntervalMs}
      now={now}
      onOpenSetup={() => navigate({ page: 'setup', step: null })}
    />
  );
}
