/**
 * User Timing marks the panel page sets on its way to the first card, read by
 * bench/panel-open.bench.ts from inside the frame (an extension page: the webmail page cannot
 * read its performance timeline). https://w3c.github.io/user-timing/#mark-method
 */
export const PANEL_TIMING = {
  /** The panel bundle was evaluated (its first statement ran). */
  evaluated: 'crm-panel:evaluated',
  /** The frame asked the background to confirm the host's secret. */
  claimSent: 'crm-panel:claim-sent',
  claimed: 'crm-panel:claimed',
  /** The first thread state arrived over the host's channel. */
  firstState: 'crm-panel:first-state',
  threadOpenSent: 'crm-panel:thread-open-sent',
  threadOpenAnswered: 'crm-panel:thread-open-answered',
} as const;

/** Marks once per name (the first occurrence is the one on the way to the first card). */
export function markPanelTiming(name: (typeof PANEL_TIMING)[keyof typeof PANEL_TIMING]): void {
  if (typeof performance === 'undefined' || performance.getEntriesByName(name, 'mark').length > 0) return;
  performance.mark(name);
}
