import { domainOfAddress } from '../mail/normaliseAddress';
import { registrableDomain } from './registrableDomain';

/**
 * Whether a registrable domain is a free-mail provider's (DomainExclusions.isFreeMailDomain).
 * Passed in rather than imported: the panel page bundles this module (through the panel
 * feature's messages) and must not carry the free-mail list.
 */
export type IsFreeMailDomain = (domain: string) => boolean;

/** A known contact, as far as matching a name needs it. */
export interface IdentityContact {
  id: string;
  name: string;
  emails: readonly string[];
  companyId: string | null;
}

/** An address of the thread the CRM does not know. */
export interface IdentityStranger {
  address: string;
  /** The display name the mail gave (may be empty or the address itself). */
  name: string;
  /** The company owning the address's registrable domain, when the CRM has one. */
  companyId: string | null;
}

export interface SameIdentityMatch {
  contact: IdentityContact;
  /**
   * The address is at the contact's company: the company its domain belongs to is the
   * contact's, or it shares a (non free-mail) domain with one of the contact's addresses.
   * Otherwise the panel asks the rep to confirm before anything is written.
   */
  sameCompany: boolean;
  /** Why, in words, for the offer. */
  reason: string;
}

/**
 * A person's name as comparable tokens: diacritics and case dropped, punctuation dropped,
 * "Moreau, Alice" read as "Alice Moreau", sorted so word order does not matter.
 * Null when there is no usable name (empty, an address, a single word).
 */
export function nameKey(raw: string): string | null {
  const trimmed = raw.trim();
  if (trimmed === '' || trimmed.includes('@')) return null;
  const comma = /^([^,]+),\s*([^,]+)$/.exec(trimmed);
  const ordered = comma ? `${comma[2]} ${comma[1]}` : trimmed;
  const tokens = ordered
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s'-]/gu, ' ')
    .split(/[\s'-]+/)
    .filter((t) => t.length > 0);
  // One word ("Alice", "Sales") names too many people to be someone's identity.
  if (tokens.length < 2) return null;
  return tokens.sort().join(' ');
}

/**
 * Whether an address is at the contact's company: the company owning its domain
 * (`addressCompanyId`) is the contact's, or it shares a domain with one of the contact's
 * addresses, free-mail domains excepted (two gmail.com addresses say nothing).
 */
export function isAtContactCompany(
  address: string,
  addressCompanyId: string | null,
  contact: IdentityContact,
  isFreeMailDomain: IsFreeMailDomain,
): boolean {
  if (addressCompanyId !== null && contact.companyId !== null && addressCompanyId === contact.companyId)
    return true;
  const domain = registrableDomain(domainOfAddress(address));
  if (domain === null || isFreeMailDomain(domain)) return false;
  return contact.emails.some((e) => registrableDomain(domainOfAddress(e)) === domain);
}

/**
 * Whether an unknown address of the thread is likely another address of a known contact:
 * the same full name (at least two words), and exactly one known contact has it. Never
 * acted on by itself: the panel offers it, and across companies only with the rep's
 * confirmation (`sameCompany` false).
 */
export function matchSameIdentity(
  stranger: IdentityStranger,
  contacts: readonly IdentityContact[],
  isFreeMailDomain: IsFreeMailDomain,
): SameIdentityMatch | null {
  const key = nameKey(stranger.name);
  if (key === null) return null;
  const address = stranger.address.trim().toLowerCase();
  const named = contacts.filter((c) => nameKey(c.name) === key && !c.emails.includes(address));
  // Two known people with that name: guessing between them is the rep's call, not ours.
  if (named.length !== 1) return null;
  const contact = named[0]!;
  const sameCompany = isAtContactCompany(address, stranger.companyId, contact, isFreeMailDomain);
  return {
    contact,
    sameCompany,
    reason: sameCompany
      ? `${stranger.name.trim()} at ${address} has the name of ${contact.name}, at the same company.`
      : `${stranger.name.trim()} at ${address} has the name of ${contact.name}, but the address is not at ${contact.name}'s company.`,
  };
}
