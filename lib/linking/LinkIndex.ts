import type { Company, Contact, LookupResponse } from '../crm/contract';
import { normaliseAddress } from '../mail/normaliseAddress';
import { registrableDomain } from './registrableDomain';

export interface ContactMatch {
  contact: Contact;
  /** `primary`: the contact's first email; `alternate`: one of the others. */
  matchedBy: 'primary' | 'alternate';
}

/**
 * The CRM's lookup answer indexed for linking: address -> contact, registrable domain ->
 * company, id -> contact/company. Built once per answer (or once for a whole sync run),
 * so linking a message is a handful of Map reads.
 */
export class LinkIndex {
  private readonly byAddress = new Map<string, ContactMatch>();
  private readonly byDomain = new Map<string, Company>();
  private readonly contactsById = new Map<string, Contact>();
  private readonly companiesById = new Map<string, Company>();

  constructor(contacts: readonly Contact[], companies: readonly Company[]) {
    for (const contact of contacts) {
      this.contactsById.set(contact.id, contact);
      contact.emails.forEach((email, i) => {
        const address = normaliseAddress(email);
        // Two contacts claiming one address is a CRM data problem; the first one wins
        // (the contract forbids it, so this only guards against a non-conforming CRM).
        if (address !== null && !this.byAddress.has(address)) {
          this.byAddress.set(address, { contact, matchedBy: i === 0 ? 'primary' : 'alternate' });
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
  }

  static fromLookup(lookup: LookupResponse): LinkIndex {
    return new LinkIndex(lookup.contacts, lookup.companies);
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
