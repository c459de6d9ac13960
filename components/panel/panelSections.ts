import type { ComponentType } from 'react';
import type { ThreadView } from '../../lib/panel/ThreadView';
import { ambiguousSection } from './AmbiguousPicker';
import type { Correction } from './CardCorrections';
import { dealChoiceSection } from './DealPicker';
import type { PanelApi } from './PanelApi';
import { suggestedFollowUpsSection } from './SuggestedTaskList';

export interface PanelSectionProps {
  view: ThreadView;
  api: PanelApi;
  /** Says something to screen-reader users through the panel's live region. */
  onAnnounce(text: string): void;
  /** Asks the background for a fresh view (after the section changed something). */
  onRefresh(): void;
  /** Applies a match correction with undo (panel-wide, shared with the contact cards). */
  onCorrect(correction: Correction): void;
}

/** A panel feature's part of the panel: its section and its own scoped CSS. */
export interface PanelSection {
  id: string;
  Section: ComponentType<PanelSectionProps>;
  /** Rules scoped under `.crm-panel`, appended to the panel's stylesheet. */
  styles: string;
}

/** The feature sections, in the order they appear between the people and the message list. */
export const PANEL_SECTIONS: readonly PanelSection[] = [
  ambiguousSection,
  dealChoiceSection,
  suggestedFollowUpsSection,
];
