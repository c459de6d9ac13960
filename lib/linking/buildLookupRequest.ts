import { MAX_BATCH } from '../crm/contract';
import type { MailMessage } from '../mail/MailMessage';
import { domainOfAddress } from '../mail/normaliseAddress';
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
 * excluded domain, so asking would be wasted). Deduplicated, in order of appearance,
 * at most 100 of each (the contract's limit).
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
      if (address === '' || ownAddresses.has(address)) continue;
      if (emails.size < MAX_BATCH) emails.add(address);
      if (domains.size >= MAX_BATCH) continue;
      const domain = domainOfAddress(address);
      if (exclusions?.isExcluded(domain)) continue;
      const registrable = registrableDomain(domain);
      if (registrable !== null) domains.add(registrable);
    }
  }
  return { emails: [...emails], domains: [...domains] };
}
