/**
 * The one table of Outlook's localised label texts. The reader keys on language-independent
 * hooks first (element id suffixes, `data-testid`, `data-lpc-hover-target-id`); these
 * prefixes are only a fallback for builds where a hook is missing. Public evidence for each
 * entry is listed in tests/fixtures/outlook/SOURCES.md; entries marked "unconfirmed" were
 * found in no public source and are kept because a missing entry costs nothing but a
 * fallback, while a wrong one can only fail to match.
 */
export const OUTLOOK_LABELS = {
  /** Sender `aria-label` / header-line prefixes. en (S6, S7), de "Von:" (S1, S10), fr "De :" (S7, S12). */
  from: ['From:', 'Von:', 'De :', 'De:'],
  /** To line prefixes. en (S6), de "An:" (S1); fr "À :" unconfirmed. */
  to: ['To:', 'An:', 'À :', 'À:'],
  /** Cc line prefixes. en (S6); de/fr unconfirmed. */
  cc: ['Cc:', 'Cc :', 'CC:'],
  /**
   * The header's account button `aria-label` ("Account manager for <display name>", S11);
   * the German and French prefixes are unconfirmed.
   */
  accountManager: ['Account manager for ', 'Konto-Manager für ', 'Gestionnaire de comptes pour '],
} as const;

/** The text after a known prefix, or null when none of `prefixes` starts it. */
export function afterLabel(text: string, prefixes: readonly string[]): string | null {
  const trimmed = text.trim();
  for (const prefix of prefixes) {
    if (trimmed.toLowerCase().startsWith(prefix.toLowerCase())) return trimmed.slice(prefix.length).trim();
  }
  return null;
}
