/**
 * Message-ID normalisation. The normalised form is the contract's `externalId`: no angle
 * brackets, no whitespace (folded headers), lower-cased. The RFC treats the local part as
 * case-sensitive, but providers and MTAs do change case in transit and the contract
 * compares lower-cased ids, so the whole id is lower-cased.
 */

const BRACKETED = /<([^<>]*)>/g;
const MAX_ID_LENGTH = 998;

function cleanId(raw: string): string | null {
  const id = raw
    .replace(/\s+/gu, '')
    .replace(/^<+|>+$/g, '')
    .toLowerCase();
  if (id === '' || id.length > MAX_ID_LENGTH || id.includes('<') || id.includes('>')) return null;
  return id;
}

/**
 * The normalised Message-ID from a header value such as `<CAF=abc@mail.gmail.com>`, or
 * null when empty. A value without brackets is accepted as the id itself (some APIs
 * return ids that way). When a header holds several bracketed ids, the first counts.
 */
export function normaliseMessageId(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const trimmed = raw.trim();
  if (trimmed === '') return null;
  for (const match of trimmed.matchAll(BRACKETED)) {
    const id = cleanId(match[1] ?? '');
    if (id !== null) return id;
  }
  // No usable bracketed id: take the first whitespace-separated token without brackets.
  const token = trimmed.replace(/[<>]/g, ' ').trim().split(/\s+/u)[0] ?? '';
  return cleanId(token);
}

/**
 * Normalised ids from a References or In-Reply-To header, in order, deduplicated. Ids are
 * bracketed and separated by whitespace (folding) or, in the wild, commas; values with no
 * brackets at all are split on whitespace and commas.
 */
export function parseMessageIdList(raw: string | null | undefined): string[] {
  if (raw == null || raw.trim() === '') return [];
  const ids = new Set<string>();
  const matches = [...raw.matchAll(BRACKETED)];
  const candidates = matches.length > 0 ? matches.map((m) => m[1] ?? '') : raw.split(/[\s,]+/u);
  for (const candidate of candidates) {
    const id = cleanId(candidate);
    if (id !== null) ids.add(id);
  }
  return [...ids];
}
