import type { PageIntegrationState, PageProvider } from './PageIntegrationHealth';

const WEBMAIL: Record<PageProvider, string> = { gmail: 'Gmail', outlook: 'Outlook' };

export interface PageIntegrationContext {
  /** A mailbox of this provider is connected, so its sent mail is logged by the sync anyway. */
  mailboxConnected: boolean;
  /** The browser's side panel shows the CRM panel without reading the page. */
  sidePanelAvailable: boolean;
  /** Formats the time of day the problem began ("14:05"); tests pass a fixed one. */
  formatTime?: (iso: string) => string;
}

const timeOfDay = (iso: string) =>
  new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * The sentence the popup and options show while a page integration is broken, or null while
 * it works: what stopped, since when, why, and what still works.
 */
export function describePageIntegration(
  state: PageIntegrationState,
  context: PageIntegrationContext,
): string | null {
  if (state.state !== 'broken') return null;
  const name = WEBMAIL[state.provider];
  const since = state.since ? ` since ${(context.formatTime ?? timeOfDay)(state.since)}` : '';
  const stillWorks = [
    context.mailboxConnected
      ? 'Sent mail is still logged by the mailbox sync'
      : `Connect your ${name} mailbox in the settings so sent mail is still logged`,
    context.sidePanelAvailable ? 'the side panel still shows the CRM beside the email' : null,
  ].filter((part): part is string => part !== null);
  return `The ${name} panel is not working${since}: ${name}’s page changed and the extension cannot read the open email there. ${stillWorks.join('; ')}.`;
}
