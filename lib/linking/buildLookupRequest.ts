import { ADDRESS_MAX, isStorableText, MAX_BATCH } from '../crm/contract';
import type { MailMessage } from '../mail/MailMessage';
import { domainOfAddress, normaliseAddress } from '../mail/normaliseAddress';
import type { DomainExclusions } from './DomainExclusions';
import { registrableDomain } from './registrableDomain';

export interface ThreadLookupRequest {
  emails: string[];
  domains: string[];
}

/**
 * What to ask the CRM about one thread, so the panel makes exactly one lookup call: every
 * participant's address (From, To, Cc, Reply-To of every message) minus the user's own,
 * and their registrable domains minus excluded ones (a company is never linked by an
 * excluded domain, so asking would be wasted). Deduplicated, in order of appearance, and
 * never truncated: `splitLookupRequest` cuts it into calls the contract accepts. Only
 * addresses the contract's lookup accepts are asked about, so one hostile address (too
 * long, not normalised, with a NUL) cannot make the lookup fail for everyone else.
 */
export function buildLookupRequest(
  messages: readonly Pick<MailMessage, 'from' | 'to' | 'cc' | 'replyTo'>[],
  ownAddresses: ReadonlySet<string>,
  exclusions?: DomainExclusions,
): ThreadLookupRequest {
  const emails = new Set<string>();
  const domains = new Set<string>();
  for (const message of messages) {
    const participants = [
      ...(message.from ? [message.from] : []),
      ...message.to,
      ...message.cc,
      ...message.replyTo,
    ];
    for (const { address } of participants) {
      if (address === '' || ownAddresses.has(address) || !isLookupableAddress(address)) continue;
      emails.add(address);
      const domain = domainOfAddress(address);
      if (exclusions?.isExcluded(domain)) continue;
      const registrable = registrableDomain(domain);
      if (registrable !== null) domains.add(registrable);
    }
  }
  return { emails: [...emails], domains: [...domains] };
}

/** What the contract's lookup accepts as an address (lib/crm/contract.ts LookupRequest). */
export function isLookupableAddress(address: string): boolean {
  return address.length <= ADDRESS_MAX && isStorableText(address) && normaliseAddress(address) === address;
}

/**
 * The request as calls of at most `max` emails and `max` domains each (the contract's batch
 * limit), so a thread with 500 participants finds every contact.
 */
export function splitLookupRequest(request: ThreadLookupRequest, max = MAX_BATCH): ThreadLookupRequest[] {
  const calls: ThreadLookupRequest[] = [];
  for (let i = 0; i < Math.max(request.emails.length, request.domains.length); i += max) {
    calls.push({ emails: request.emails.slice(i, i + max), domains: request.domains.slice(i, i + max) });
  }
  return calls;
}
