import freeMailDomainList from 'email-providers/all.json';
import { normaliseDomain } from '../mail/normaliseAddress';
import type { Settings } from '../settings/Settings';
import { registrableDomain } from './registrableDomain';

export type ExclusionKind = 'free_mail' | 'org' | 'user_list';

export interface DomainExclusion {
  kind: ExclusionKind;
  /** The listed domain that matched (the address's domain or a parent of it). */
  domain: string;
  reason: string;
}

const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set(
  (freeMailDomainList as string[]).map((d) => d.toLowerCase()),
);

/** Whether a domain belongs to a free / personal mail provider (email-providers list). */
export function isFreeMailDomain(domain: string): boolean {
  return FREE_MAIL_DOMAINS.has(domain);
}

function normalisedSet(domains: readonly string[]): Set<string> {
  const set = new Set<string>();
  for (const d of domains) {
    const n = normaliseDomain(d);
    if (n !== null) set.add(n);
  }
  return set;
}

/**
 * The domains whose senders never get a company link or a new contact: free-mail
 * providers, the organisation's own domains (internal mail) and the user's list, each
 * switchable in settings. A listed domain also covers its subdomains (`acme.com` covers
 * `eu.acme.com`). Exclusion never hides a contact that already exists in the CRM; that is
 * the linker's rule, this class only answers "is it excluded, and why".
 */
export class DomainExclusions {
  private readonly org: ReadonlySet<string>;
  private readonly user: ReadonlySet<string>;
  private readonly freeMail: boolean;
  private readonly memo = new Map<string, DomainExclusion | null>();

  constructor(
    settings: Pick<Settings, 'excludeFreeMailDomains' | 'excludeOrgDomains' | 'excludedDomains'>,
    orgDomains: readonly string[],
  ) {
    this.freeMail = settings.excludeFreeMailDomains;
    this.org = settings.excludeOrgDomains ? normalisedSet(orgDomains) : new Set();
    this.user = normalisedSet(settings.excludedDomains);
  }

  /** Why a (normalised) domain is excluded, or null when it is not. */
  exclusionFor(domain: string): DomainExclusion | null {
    const cached = this.memo.get(domain);
    if (cached !== undefined) return cached;
    const result = this.compute(domain);
    if (this.memo.size >= 200_000) this.memo.clear();
    this.memo.set(domain, result);
    return result;
  }

  /** Whether a domain is a free-mail provider's, whatever the settings exclude (for code that cannot bundle the list). */
  isFreeMailDomain(domain: string): boolean {
    return isFreeMailDomain(domain);
  }

  isExcluded(domain: string): boolean {
    return this.exclusionFor(domain) !== null;
  }

  private compute(domain: string): DomainExclusion | null {
    const registrable = registrableDomain(domain);
    // Walk from the full domain up to its registrable domain: eu.acme.com, acme.com.
    const candidates: string[] = [];
    let d = domain;
    for (;;) {
      candidates.push(d);
      if (d === registrable) break;
      const dot = d.indexOf('.');
      if (dot < 0) break;
      d = d.slice(dot + 1);
      if (registrable === null) break;
    }
    for (const c of candidates) {
      if (this.user.has(c))
        return { kind: 'user_list', domain: c, reason: `${c} is on your excluded-domains list` };
      if (this.org.has(c))
        return { kind: 'org', domain: c, reason: `${c} is your organisation's own domain (internal mail)` };
      if (this.freeMail && FREE_MAIL_DOMAINS.has(c)) {
        return { kind: 'free_mail', domain: c, reason: `${c} is a free / personal mail provider` };
      }
    }
    return null;
  }
}
