/**
 * Address normalisation shared by parsing, linking and the lookup request. The contract
 * compares addresses case-insensitively after trimming and stores them lower-cased, so the
 * whole address (local part included) is lower-cased here; domains are converted to their
 * ASCII (punycode) form so `müller@münchen.de` and `müller@xn--mnchen-3ya.de` are one key.
 */

// Characters that would make `new URL('http://' + domain)` parse something other than a host.
const NOT_A_HOST = /[\s/?#@:\\%<>"[\]]/u;
const ASCII_HOST =
  /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** ASCII, lower-case form of a domain name, or null when it is not a usable host name. */
export function normaliseDomain(raw: string): string | null {
  let domain = raw.trim().toLowerCase();
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  if (domain === '' || NOT_A_HOST.test(domain)) return null;
  let ascii: string;
  try {
    ascii = new URL(`http://${domain}`).hostname;
  } catch {
    return null;
  }
  // IPv4 literals (and bare numbers, which URL turns into IPv4) are not linkable domains.
  if (/^[0-9.]+$/.test(ascii)) return null;
  return ASCII_HOST.test(ascii) ? ascii : null;
}

/**
 * Trimmed, lower-cased address with an ASCII domain, or null when the input is not an
 * address (no `@`, empty local part, unusable domain). Accepts `<addr>` forms. Never throws.
 */
export function normaliseAddress(raw: string): string | null {
  let s = raw.trim();
  if (s.startsWith('<') && s.endsWith('>')) s = s.slice(1, -1).trim();
  if (s.toLowerCase().startsWith('mailto:')) s = s.slice('mailto:'.length);
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return null;
  const local = s.slice(0, at).toLowerCase();
  if (/[\s<>]/u.test(local) || local.length > 64 * 4) return null;
  const domain = normaliseDomain(s.slice(at + 1));
  if (domain === null) return null;
  return `${local}@${domain}`;
}

/** The (ASCII, lower-case) domain part of an already normalised address. */
export function domainOfAddress(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** The local part of an already normalised address. */
export function localPartOfAddress(address: string): string {
  return address.slice(0, address.lastIndexOf('@'));
}
