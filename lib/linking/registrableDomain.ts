import { getDomain } from 'tldts';
import { normaliseDomain } from '../mail/normaliseAddress';

// Linking asks for the same few thousand domains over and over (one per message); the
// public-suffix walk is the most expensive step, so results are memoised, bounded.
const MEMO_LIMIT = 200_000;
const memo = new Map<string, string | null>();

/**
 * The registrable domain (public suffix + one label, ICANN section of the public suffix
 * list) of a domain name in any case or in Unicode: `eu.acme.co.uk` -> `acme.co.uk`,
 * `Mail.Bücher.de` -> `xn--bcher-kva.de`. Null for IP addresses, bare suffixes and junk.
 */
export function registrableDomain(domain: string): string | null {
  const cached = memo.get(domain);
  if (cached !== undefined) return cached;
  const ascii = normaliseDomain(domain);
  const result = ascii === null ? null : getDomain(ascii, { allowPrivateDomains: false });
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(domain, result);
  return result;
}

/** The registrable domain of a normalised address's domain part. */
export function registrableDomainOfAddress(address: string): string | null {
  return registrableDomain(address.slice(address.lastIndexOf('@') + 1));
}
