import { z } from 'zod';
import { isSetupStepId, type SetupStepId } from './setupSteps';

/** An options-page address hash as it crosses the runtime boundary: only the views below. */
export const OptionsRouteHash = z.string().regex(/^#(settings|setup(\/[a-z]+)?)$/);

/** Which view of the options page to show: the full settings, or a step of the guided set-up. */
export type OptionsRoute = { page: 'settings' } | { page: 'setup'; step: SetupStepId | null };

/** `#setup/connect` -> the connect step; `#setup` -> the first open step; anything else -> settings. */
export function parseOptionsRoute(hash: string): OptionsRoute {
  const [page, step] = hash.replace(/^#/, '').split('/');
  if (page !== 'setup') return { page: 'settings' };
  return { page: 'setup', step: step && isSetupStepId(step) ? step : null };
}

export function formatOptionsRoute(route: OptionsRoute): string {
  if (route.page === 'settings') return '#settings';
  return route.step ? `#setup/${route.step}` : '#setup';
}
