import type { Company, Contact, LookupResponse } from '../crm/contract';
import { domainOfAddress, normaliseAddress } from '../mail/normaliseAddress';
import type { DomainExclusion, DomainExclusions } from './DomainExclusions';
import { registrableDomain } from './registrableDomain';

export interface ContactMatch {
  contact: Contact;
  /** `primary`: the contact's first email; `alternate`: one of the others. */
  matchedBy: 'primary' | 'alternate';
  /** The contact's company when the lookup answer included it. */
  company: Company | undefined;
}

/** Everything linking needs to know about one address, under one set of exclusions. */
export interface AddressFacts {
  match: ContactMatch | undefined;
  registrableDomain: string | null;
  exclusion: DomainExclusion | null;
  /** The company owning the registrable domain; never set for excluded domains. */
  domainCompany: Company | undefined;
}

const ADDRESS_MEMO_LIMIT = 200_000;

/**
 * The CRM's lookup answer indexed for linking: address -> contact, registrable domain ->
 * company, id -> contact/company. Built once per answer (or once for a whole sync run),
 * so linking a message is a handful of Map reads.
 */
export class LinkIndex {
  private readonly byAddress = new Map<string, ContactMatch>();
  /** Addresses more than one contact claims (shared inboxes, info@): every claimant. */
  private readonly sharedAddresses = new Map<string, Contact[]>();
  private readonly byDomain = new Map<string, Company>();
  private readonly contactsById = new Map<string, Contact>();
  private readonly companiesById = new Map<string, Company>();
  private readonly addressMemo = new Map<string, AddressFacts>();
  private memoExclusions: DomainExclusions | null = null;

  constructor(contacts: readonly Contact[], companies: readonly Company[]) {
    for (const contact of contacts) {
      this.contactsById.set(contact.id, contact);
      contact.emails.forEach((email, i) => {
        const address = normaliseAddress(email);
        // Several contacts claiming one address (a shared inbox, info@; the REST contract forbids
        // it, Salesforce allows a Lead and a Contact to share one: its standard duplicate rule
        // only alerts on create, https://help.salesforce.com/apex/HTViewHelpDoc?id=sales.duplicate_rules_standard_contact_rule.htm):
        // every claimant is kept so the rep picks.
        if (address !== null && this.byAddress.has(address)) {
          const first = this.byAddress.get(address)!.contact;
          if (first.id !== contact.id) {
            const claimants = this.sharedAddresses.get(address) ?? [first];
            if (!claimants.some((c) => c.id === contact.id)) claimants.push(contact);
            this.sharedAddresses.set(address, claimants);
          }
        } else if (address !== null) {
          this.byAddress.set(address, {
            contact,
            matchedBy: i === 0 ? 'primary' : 'alternate',
            company: undefined,
          });
        }
      });
    }
    for (const company of companies) {
      this.companiesById.set(company.id, company);
      for (const domain of company.domains) {
        const registrable = registrableDomain(domain);
        if (registrable !== null && !this.byDomain.has(registrable)) this.byDomain.set(registrable, company);
      }
    }
    for (const match of this.byAddress.values()) {
      const companyId = match.contact.companyId;
      if (companyId !== null) match.company = this.companiesById.get(companyId);
    }
  }

  /**
   * The facts about an address, memoised per index: the sync links the same people over
   * and over, and one Map read beats four (contact, domain, exclusion, company).
   */
  factsFor(address: string, exclusions: DomainExclusions): AddressFacts {
    if (this.memoExclusions !== exclusions) {
      this.addressMemo.clear();
      this.memoExclusions = exclusions;
    }
    let facts = this.addressMemo.get(address);
    if (facts === undefined) {
      const domain = domainOfAddress(address);
      const exclusion = exclusions.exclusionFor(domain);
      const registrable = registrableDomain(domain);
      facts = {
        match: this.byAddress.get(address),
        registrableDomain: registrable,
        exclusion,
        domainCompany:
          exclusion === null && registrable !== null ? this.byDomain.get(registrable) : undefined,
      };
      if (this.addressMemo.size >= ADDRESS_MEMO_LIMIT) this.addressMemo.clear();
      this.addressMemo.set(address, facts);
    }
    return facts;
  }

  static fromLookup(lookup: LookupResponse): LinkIndex {
    return new LinkIndex(lookup.contacts, lookup.companies);
  }

  /** The contacts sharing an address when more than one claims it, else an empty list. */
  sharedBy(address: string): readonly Contact[] {
    return this.sharedAddresses.get(address) ?? [];
  }

  contactByAddress(address: string): ContactMatch | undefined {
    return this.byAddress.get(address);
  }

  companyByRegistrableDomain(domain: string): Company | undefined {
    return this.byDomain.get(domain);
  }

  contactById(id: string): Contact | undefined {
    return this.contactsById.get(id);
  }

  companyById(id: string): Company | undefined {
    return this.companiesById.get(id);
  }

  get contactCount(): number {
    return this.contactsById.size;
  }

  get companyCount(): number {
    return this.companiesById.size;
  }
}
