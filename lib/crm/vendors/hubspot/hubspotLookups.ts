import { z } from 'zod';
import { CrmError } from '../../CrmError';
import { offsetActivityPage } from '../../connectorKit/offsetActivityPage';
import {
  type ActivityPage,
  type Contact,
  type ContactDetail,
  CreateContactRequest,
  LookupRequest,
  type LookupResponse,
  MAX_BATCH,
} from '../../contract';
import type { HubSpotApi } from './hubspotApi';
import { RECENT_EMAILS, SEARCH_GROUPS } from './hubspotApi';
import type { HubSpotMapping } from './hubspotMapping';
import { COMPANY_PROPERTIES, CONTACT_PROPERTIES, DEAL_PROPERTIES, EMAIL_PROPERTIES } from './hubspotMapping';
import { type HubSpotObject, HubSpotObjectWithAssociations } from './hubspotSchemas';

/** Finding people, companies and their deals and emails: the panel's questions. */
export function hubspotLookups(api: HubSpotApi, mapping: HubSpotMapping) {
  const { associate, call, readBatch, remember, remembered, searchAll, searchAnswers } = api;
  const { toContact, toCompany, toDeal, toActivity } = mapping;
  async function lookup(request: LookupRequest): Promise<LookupResponse> {
    const parsed = LookupRequest.safeParse(request);
    if (!parsed.success) throw new CrmError('invalid_request', 'The lookup request is not valid.');
    const emails = [...new Set(parsed.data.emails)];
    const domains = [...new Set(parsed.data.domains)];
    if (emails.length > MAX_BATCH || domains.length > MAX_BATCH)
      throw new CrmError(
        'invalid_request',
        `A lookup takes at most ${MAX_BATCH} addresses and ${MAX_BATCH} domains.`,
        {
          status: 413,
        },
      );
    const byId = new Map<string, HubSpotObject>();
    const [primary, companies] = await Promise.all([
      emails.length > 0 ? readBatch('contacts', emails, CONTACT_PROPERTIES, 'email') : Promise.resolve([]),
      domains.length > 0 ? companiesByDomain(domains) : Promise.resolve([]),
    ]);
    for (const c of primary) byId.set(c.id, c);
    const found = new Set(primary.map((c) => c.properties.email?.toLowerCase()));
    for (const c of await contactsByAlternate(emails.filter((e) => !found.has(e)))) byId.set(c.id, c);
    return {
      contacts: await Promise.all([...byId.values()].map(toContact)),
      companies: companies.map(toCompany),
    };
  }

  /** Companies whose domain is one of `domains`: one search for those not asked recently, then a batch read by id. */
  async function companiesByDomain(domains: string[]): Promise<HubSpotObject[]> {
    const unknown = domains.filter((d) => remembered('companies', d) === undefined);
    const fresh: HubSpotObject[] = [];
    if (unknown.length > 0) {
      fresh.push(
        ...(await searchAll('companies', {
          filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'IN', values: unknown }] }],
          properties: COMPANY_PROPERTIES,
        })),
      );
      for (const d of unknown)
        remember(
          'companies',
          d,
          fresh.filter((c) => c.properties.domain?.trim().toLowerCase() === d).map((c) => c.id),
        );
    }
    const freshIds = new Set(fresh.map((c) => c.id));
    const known = [...new Set(domains.flatMap((d) => remembered('companies', d) ?? []))].filter(
      (id) => !freshIds.has(id),
    );
    return [...fresh, ...(known.length > 0 ? await readBatch('companies', known, COMPANY_PROPERTIES) : [])];
  }

  /**
   * Contacts with one of `addresses` as an alternate: one filter group per address, five per
   * search, for the addresses not asked recently; those found before are read again by id.
   */
  async function contactsByAlternate(addresses: string[]): Promise<HubSpotObject[]> {
    const unknown = addresses.filter((a) => remembered('alternates', a) === undefined);
    const fresh: HubSpotObject[] = [];
    for (let i = 0; i < unknown.length; i += SEARCH_GROUPS) {
      const slice = unknown.slice(i, i + SEARCH_GROUPS);
      const answer = await searchAll('contacts', {
        filterGroups: slice.map((value) => ({
          filters: [{ propertyName: 'hs_additional_emails', operator: 'CONTAINS_TOKEN', value }],
        })),
        properties: CONTACT_PROPERTIES,
      });
      fresh.push(...answer);
      for (const a of slice)
        remember(
          'alternates',
          a,
          answer
            .filter((c) =>
              (c.properties.hs_additional_emails ?? '').split(';').some((e) => e.trim().toLowerCase() === a),
            )
            .map((c) => c.id),
        );
    }
    const freshIds = new Set(fresh.map((c) => c.id));
    const known = [...new Set(addresses.flatMap((a) => remembered('alternates', a) ?? []))].filter(
      (id) => !freshIds.has(id),
    );
    return [...fresh, ...(known.length > 0 ? await readBatch('contacts', known, CONTACT_PROPERTIES) : [])];
  }

  async function getContact(contactId: string): Promise<ContactDetail> {
    const object = await call(
      'GET',
      `/crm/v3/objects/contacts/${encodeURIComponent(contactId)}?${new URLSearchParams({
        properties: CONTACT_PROPERTIES.join(','),
        associations: 'companies,deals,emails',
      })}`,
      HubSpotObjectWithAssociations,
    );
    const ids = (type: string) => (object.associations?.[type]?.results ?? []).map((r) => r.id);
    const companyIds = [
      ...new Set([...ids('companies'), object.properties.associatedcompanyid].filter(Boolean)),
    ] as string[];
    const emailIds = ids('emails')
      .sort((a, b) => Number(b) - Number(a))
      .slice(0, MAX_BATCH);
    const [contact, companies, deals, emails] = await Promise.all([
      toContact(object),
      companyIds.length > 0 ? readBatch('companies', companyIds.slice(0, 1), COMPANY_PROPERTIES) : [],
      ids('deals').length > 0 ? readBatch('deals', ids('deals'), DEAL_PROPERTIES) : [],
      emailIds.length > 0 ? readBatch('emails', emailIds, EMAIL_PROPERTIES) : [],
    ]);
    const company = companies[0] ? toCompany(companies[0]) : null;
    const activities = await Promise.all(emails.map((e) => toActivity(e, contactId)));
    return {
      ...contact,
      companyId: company?.id ?? contact.companyId,
      company,
      deals: deals
        .filter((d) => d.properties.hs_is_closed !== 'true')
        .map((d) => toDeal(d, contactId, company?.id ?? null)),
      recentActivities: activities
        .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt))
        .slice(0, RECENT_EMAILS),
    };
  }

  async function createContact(request: CreateContactRequest): Promise<Contact> {
    const parsed = CreateContactRequest.safeParse(request);
    if (!parsed.success)
      throw new CrmError('invalid_request', 'The new contact needs a name and valid addresses.');
    const input = parsed.data;
    const conflict = async (existing: Contact) =>
      new CrmError('conflict', `${existing.name} already has one of these addresses in HubSpot.`, {
        status: 409,
        details: { contact: existing },
      });
    const taken = await lookup({ emails: input.emails });
    if (taken.contacts[0]) throw await conflict(taken.contacts[0]);
    const [firstname, ...last] = input.name.split(/\s+/);
    let created: HubSpotObject;
    try {
      created = await call('POST', '/crm/v3/objects/contacts', z.object({ id: z.string() }).passthrough(), {
        properties: {
          email: input.emails[0],
          firstname: firstname ?? '',
          lastname: last.join(' '),
          ...(input.title ? { jobtitle: input.title } : {}),
          ...(input.phone ? { phone: input.phone } : {}),
          ...(input.lifecycleStage ? { lifecyclestage: input.lifecycleStage } : {}),
        },
      }).then((o) => ({ id: o.id, properties: {}, createdAt: '', updatedAt: '' }));
    } catch (error) {
      // Someone created it between our lookup and our create: "Contact already exists. Existing ID: n".
      const existingId =
        error instanceof CrmError && error.kind === 'conflict'
          ? /Existing ID: (\d+)/.exec(error.message)?.[1]
          : undefined;
      if (existingId) {
        const [existing] = await readBatch('contacts', [existingId], CONTACT_PROPERTIES);
        if (existing) throw await conflict(await toContact(existing));
      }
      throw error;
    }
    for (const alternate of input.emails.slice(1))
      await call(
        'PUT',
        `/contacts/v1/secondary-email/${encodeURIComponent(created.id)}/email/${encodeURIComponent(alternate)}`,
        z.unknown(),
      );
    if (input.companyId)
      await associate('contacts', 'companies', [{ from: created.id, to: input.companyId }]);
    // Its addresses are now someone's: the next lookup asks HubSpot again.
    for (const address of input.emails) searchAnswers.alternates.delete(address.trim().toLowerCase());
    const [stored] = await readBatch('contacts', [created.id], CONTACT_PROPERTIES);
    if (!stored) throw new CrmError('invalid_response', 'HubSpot did not return the contact it created.');
    return toContact(stored);
  }

  async function listContactActivities(
    contactId: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<ActivityPage> {
    const detail = await call(
      'GET',
      `/crm/v3/objects/contacts/${encodeURIComponent(contactId)}?associations=emails&properties=email`,
      HubSpotObjectWithAssociations,
    );
    const ids = (detail.associations?.emails?.results ?? []).map((r) => r.id);
    const all = await Promise.all(
      (await readBatch('emails', ids, EMAIL_PROPERTIES)).map((e) => toActivity(e, contactId)),
    );
    all.sort((a, b) => b.occurredAt.localeCompare(a.occurredAt) || b.id.localeCompare(a.id));
    return offsetActivityPage(all, page);
  }

  return { lookup, getContact, createContact, listContactActivities };
}
