import { addressParser } from 'postal-mime';
import type { MailAddress } from './MailMessage';
import { normaliseAddress } from './normaliseAddress';

/** Display names as mail clients show them: RFC 2047 decoded, whitespace collapsed. */
export function normaliseDisplayName(raw: string): string {
  return raw.replace(/\s+/gu, ' ').trim();
}

/**
 * Parses an address header (From, To, Cc, Reply-To) with postal-mime's RFC 5322 parser:
 * quoted display names with commas, groups (flattened), comments and RFC 2047 encoded
 * words. Entries without a usable address are dropped; duplicates keep their first
 * occurrence. Never throws: a header we cannot read yields fewer addresses, not a crash.
 */
export function parseAddressList(header: string | null | undefined): MailAddress[] {
  if (!header || header.trim() === '') return [];
  let parsed: ReturnType<typeof addressParser>;
  try {
    parsed = addressParser(header, { flatten: true });
  } catch {
    return [];
  }
  const seen = new Set<string>();
  const result: MailAddress[] = [];
  for (const entry of parsed) {
    if (typeof entry.address !== 'string') continue;
    const address = normaliseAddress(entry.address);
    if (address === null || seen.has(address)) continue;
    seen.add(address);
    result.push({ name: normaliseDisplayName(entry.name ?? ''), address });
  }
  return result;
}

/** The first address of a header (From, Sender), or null. */
export function parseSingleAddress(header: string | null | undefined): MailAddress | null {
  return parseAddressList(header)[0] ?? null;
}

/** Normalises an already split address (e.g. from a provider API) into a `MailAddress`. */
export function toMailAddress(address: string, name = ''): MailAddress | null {
  const normalised = normaliseAddress(address);
  return normalised === null ? null : { name: normaliseDisplayName(name), address: normalised };
}
