import { domainOfAddress, normaliseAddress, normaliseDomain } from '../mail/normaliseAddress';
import type { MatchOverride, Settings } from '../settings/Settings';

/**
 * The rep's corrections, prepared once per settings change: addresses and domains never to
 * log, and match overrides (address -> contact or none, domain -> company or none). Linking
 * applies them for the panel, clicks and the sync alike.
 */
export class MatchCorrections {
  private readonly neverAddresses: ReadonlySet<string>;
  private readonly neverDomains: ReadonlySet<string>;
  private readonly contacts = new Map<string, MatchOverride>();
  private readonly companies = new Map<string, MatchOverride>();

  constructor(settings: Pick<Settings, 'neverLogAddresses' | 'neverLogDomains' | 'matchOverrides'>) {
    this.neverAddresses = new Set(
      settings.neverLogAddresses.map((a) => normaliseAddress(a)).filter((a): a is string => a !== null),
    );
    this.neverDomains = new Set(
      settings.neverLogDomains.map((d) => normaliseDomain(d)).filter((d): d is string => d !== null),
    );
    for (const o of settings.matchOverrides)
      (o.kind === 'contact' ? this.contacts : this.companies).set(o.key, o);
  }

  get isEmpty(): boolean {
    return this.neverAddresses.size + this.neverDomains.size + this.contacts.size + this.companies.size === 0;
  }

  /** The never-log entry (the address, or the listed domain or parent domain) covering this address, or null. */
  neverLogEntry(address: string): string | null {
    if (this.neverAddresses.has(address)) return address;
    if (this.neverDomains.size === 0) return null;
    let domain = domainOfAddress(address);
    while (domain.includes('.')) {
      if (this.neverDomains.has(domain)) return domain;
      domain = domain.slice(domain.indexOf('.') + 1);
    }
    return null;
  }

  /** Why mail with this (normalised) address is never logged, or null. */
  neverLogReason(address: string): string | null {
    const entry = this.neverLogEntry(address);
    return entry === null ? null : `${entry} is on your never-log list`;
  }

  contactOverride(address: string): MatchOverride | undefined {
    return this.contacts.get(address);
  }

  companyOverride(registrableDomain: string | null): MatchOverride | undefined {
    return registrableDomain === null ? undefined : this.companies.get(registrableDomain);
  }
}
