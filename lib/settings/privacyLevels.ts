import { SNIPPET_MAX } from '../crm/contract';
import type { PrivacyLevel } from './Settings';

export interface PrivacyLevelWords {
  /** The choice's name in the options page and the set-up. */
  label: string;
  /** What a logged email carries, as a list ("sender, recipients, date ..."). */
  shares: string;
  /** What stays out, or a note on where the level applies. */
  note: string;
}

/**
 * The one place the privacy levels are worded: the options page, the guided set-up and the
 * panel's "Logging shares ..." line all read it, so they never disagree with
 * buildActivities, which applies the level.
 */
export const PRIVACY_LEVELS: Record<PrivacyLevel, PrivacyLevelWords> = {
  metadata: {
    label: 'Who and when only',
    shares: 'sender, recipients, date and whether it has attachments',
    note: 'The subject and the text stay in your mailbox.',
  },
  snippet: {
    label: 'Subject and preview',
    shares: `sender, recipients, date, subject and the opening lines of the text (at most ${SNIPPET_MAX} characters)`,
    note: 'The full text stays in your mailbox. This is the default.',
  },
  full_body: {
    label: 'Full text',
    shares: 'sender, recipients, date, subject and the full text of the email',
    note: 'The full text is read from an email you log from the open message in Outlook on the web; Gmail’s panel and the background sync read only headers and the preview, so for them this shares the preview.',
  },
};

/** The order the choices are offered in, least shared first. */
export const PRIVACY_LEVEL_ORDER: readonly PrivacyLevel[] = ['metadata', 'snippet', 'full_body'];

/** "Logging shares: sender, recipients, date, subject and ..." for the panel. */
export function describeSharing(level: PrivacyLevel): string {
  return `Logging shares: ${PRIVACY_LEVELS[level].shares}.`;
}

/** The lower of two privacy bounds (either may be absent); null when neither is set. */
export function privacyBound(a: unknown, b: PrivacyLevel | undefined): PrivacyLevel | null {
  const levels = [a, b].filter((level): level is PrivacyLevel =>
    PRIVACY_LEVEL_ORDER.includes(level as PrivacyLevel),
  );
  if (levels.length === 0) return null;
  return levels.reduce((x, y) => (PRIVACY_LEVEL_ORDER.indexOf(x) <= PRIVACY_LEVEL_ORDER.indexOf(y) ? x : y));
}
