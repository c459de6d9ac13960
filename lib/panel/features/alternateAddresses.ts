import { z } from 'zod';
import { CrmError } from '../../crm/CrmError';
import { EmailAddressString } from '../../crm/contract';
import { ExtensionError } from '../../errors/ErrorInfo';
import { registrableDomain } from '../../linking/registrableDomain';
import { type IdentityContact, isAtContactCompany, matchSameIdentity } from '../../linking/sameIdentity';
import { domainOfAddress } from '../../mail/normaliseAddress';
import { definePanelFeature, type FeatureContext, type ThreadViewContext } from './PanelFeature';

/**
 * "Add as Alice Moreau's other address": an unknown participant of the thread with the full
 * name of a known contact. `sameCompany` false means the address is not at the contact's
 * company, and the panel asks the rep to confirm before adding it.
 */
export const AlternateAddressOffer = z.object({
  address: z.string(),
  name: z.string(),
  contact: z.object({ id: z.string(), name: z.string() }),
  sameCompany: z.boolean(),
  reason: z.string(),
});
export type AlternateAddressOffer = z.infer<typeof AlternateAddressOffer>;

export const AlternateAddressesView = z.object({
  /** The CRM can add an address to a contact: the panel offers it (and the rep's own pick). */
  supported: z.boolean(),
  offers: z.array(AlternateAddressOffer),
});
export type AlternateAddressesView = z.infer<typeof AlternateAddressesView>;

function buildOffers({ session, linked, cards }: ThreadViewContext): AlternateAddressesView {
  const supported =
    session.connector.info.capabilities.addAlternateEmail &&
    typeof session.connector.addContactEmail === 'function';
  if (!supported) return { supported, offers: [] };
  const contacts: IdentityContact[] = cards.map((card) => ({
    id: card.contact.id,
    name: card.contact.name,
    emails: card.contact.emails,
    companyId: card.company?.id ?? card.contact.companyId,
  }));
  const known = new Set(cards.flatMap((card) => [card.matchedAddress, ...card.contact.emails]));
  const offers = new Map<string, AlternateAddressOffer>();
  for (const { links } of linked.messages) {
    for (const u of links.unknownParticipants) {
      if (offers.has(u.address) || known.has(u.address)) continue;
      const match = matchSameIdentity(
        { address: u.address, name: u.name, companyId: u.company?.id ?? null },
        contacts,
        (domain) => linked.context.exclusions.isFreeMailDomain(domain),
      );
      if (!match) continue;
      offers.set(u.address, {
        address: u.address,
        name: u.name,
        contact: { id: match.contact.id, name: match.contact.name },
        sameCompany: match.sameCompany,
        reason: match.reason,
      });
    }
  }
  return { supported, offers: [...offers.values()] };
}

/**
 * Whether the address is at the contact's company, asked of the CRM (not taken from the
 * panel): the company owning the address's domain is the contact's, or the address shares
 * a non-free-mail domain with one of the contact's. The same rule as the offer's.
 */
async function atContactCompany(
  context: FeatureContext,
  contactId: string,
  address: string,
): Promise<boolean> {
  const { connector } = await context.session();
  const domain = registrableDomain(domainOfAddress(address));
  const [detail, found] = await Promise.all([
    connector.getContact(contactId),
    domain
      ? connector.lookup({ emails: [], domains: [domain] })
      : Promise.resolve({ contacts: [], companies: [] }),
  ]);
  if (detail.emails.includes(address)) return true;
  return isAtContactCompany(
    address,
    found.companies[0]?.id ?? null,
    {
      id: detail.id,
      name: detail.name,
      emails: detail.emails,
      companyId: detail.company?.id ?? detail.companyId,
    },
    context.isFreeMailDomain,
  );
}

async function contactEmailWriter(context: FeatureContext) {
  const { connector } = await context.session();
  const add = connector.addContactEmail?.bind(connector);
  const remove = connector.removeContactEmail?.bind(connector);
  if (!connector.info.capabilities.addAlternateEmail || !add || !remove)
    throw new CrmError('unsupported', `${connector.info.name} cannot add an address to a contact.`);
  return { add, remove };
}

/**
 * One identity across a person's addresses: the rep adds an unknown address of the thread to
 * a known contact as an alternate email, in the CRM, and can take it back. Never automatic
 * (only these messages write, from a click in the panel), and across companies only with
 * the rep's explicit word (`acrossCompanies`), which the background checks with the CRM.
 */
export const alternateAddresses = definePanelFeature({
  messages: {
    'contact.addAlternateEmail': {
      request: z.object({
        contactId: z.string().min(1),
        address: EmailAddressString,
        /** The rep confirmed the address belongs to this person although it is not at their company. */
        acrossCompanies: z.boolean().default(false),
      }),
      response: z.object({ contactId: z.string(), contactName: z.string(), address: z.string() }),
      senders: ['extension'],
    },
    'contact.removeAlternateEmail': {
      request: z.object({ contactId: z.string().min(1), address: EmailAddressString }),
      response: z.object({ contactId: z.string(), contactName: z.string(), address: z.string() }),
      senders: ['extension'],
    },
  },
  handlers: (context) => ({
    'contact.addAlternateEmail': async ({ contactId, address, acrossCompanies }) => {
      const { add } = await contactEmailWriter(context);
      if (!acrossCompanies && !(await atContactCompany(context, contactId, address)))
        throw new ExtensionError(
          'invalid_request',
          `${address} is not at this contact's company; confirm it is the same person first.`,
        );
      const contact = await add(contactId, address);
      await context.forgetCrmAnswers();
      return { contactId: contact.id, contactName: contact.name, address };
    },
    'contact.removeAlternateEmail': async ({ contactId, address }) => {
      const { remove } = await contactEmailWriter(context);
      const contact = await remove(contactId, address);
      await context.forgetCrmAnswers();
      return { contactId: contact.id, contactName: contact.name, address };
    },
  }),
  view: {
    schema: AlternateAddressesView.default({ supported: false, offers: [] }),
    build: buildOffers,
  },
});
