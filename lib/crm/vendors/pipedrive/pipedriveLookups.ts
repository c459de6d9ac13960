import { CrmError } from '../../CrmError';
import {
  type Contact,
  type ContactDetail,
  CreateContactRequest,
  LookupRequest,
  type LookupResponse,
  MAX_BATCH,
} from '../../contract';
import type { PipedriveAccountReader } from './pipedriveAccount';
import type { PipedriveHttp } from './pipedriveHttp';
import type { PipedriveLogging } from './pipedriveLogging';
import { toCompany, toContact, toDeal } from './pipedriveMapping';
import {
  type PipedrivePerson as Person,
  PipedriveDeal,
  PipedriveOrganization,
  PipedrivePerson,
  PipedrivePersonSearch,
} from './pipedriveSchemas';

const RECENT_EMAILS = 10;

/** Pipedrive ids are positive integers; anything else names no record. */
export function isPipedriveId(id: string): boolean {
  return /^[1-9]\d{0,15}$/.test(id);
}

/** Persons by id, 100 a request (GET /api/v2/persons?ids=); ids Pipedrive does not hold are left out. */
export async function personsByIds(http: PipedriveHttp, ids: readonly string[]): Promise<Person[]> {
  const out: Person[] = [];
  const valid = [...new Set(ids)].filter(isPipedriveId);
  for (let i = 0; i < valid.length; i += MAX_BATCH)
    out.push(
      ...(await http.all(
        '/api/v2/persons',
        { ids: valid.slice(i, i + MAX_BATCH).join(',') },
        PipedrivePerson,
      )),
    );
  return out;
}

/**
 * Finding people: by address through the person search (`fields=email`,
 * `exact_match=true`, which matches any of a person's addresses and ignores case,
 * src/versions/v2/api/persons-api.ts `searchPersons`), then the persons themselves by id
 * (GET /api/v2/persons?ids=, up to 100). Organizations have no domain field, so a lookup
 * by domain finds nothing (the connector declares `companiesByDomain: false`).
 */
export function createPipedriveLookups(
  http: PipedriveHttp,
  account: PipedriveAccountReader,
  logging: PipedriveLogging,
) {
  async function idsWithAddress(address: string): Promise<string[]> {
    const query = new URLSearchParams({ term: address, fields: 'email', exact_match: 'true', limit: '100' });
    const found = await http.get(`/api/v2/persons/search?${query}`, PipedrivePersonSearch);
    return found.items
      .filter((i) => (i.item.emails ?? []).some((e) => e.trim().toLowerCase() === address))
      .map((i) => String(i.item.id));
  }

  async function lookup(request: LookupRequest): Promise<LookupResponse> {
    const parsed = LookupRequest.safeParse(request);
    if (!parsed.success) throw new CrmError('invalid_request', 'The lookup request is not valid.');
    const emails = [...new Set(parsed.data.emails)];
    if (emails.length > MAX_BATCH || parsed.data.domains.length > MAX_BATCH)
      throw new CrmError(
        'invalid_request',
        `A lookup takes at most ${MAX_BATCH} addresses and ${MAX_BATCH} domains.`,
        { status: 413 },
      );
    const ids: string[] = [];
    // One search at a time: the search limit (10 per 2 s) is paced in pipedriveHttp.
    for (const address of emails) ids.push(...(await idsWithAddress(address)));
    const [persons, map] = await Promise.all([personsByIds(http, ids), account.mapping()]);
    return { contacts: persons.map((p) => toContact(p, map)), companies: [] };
  }

  async function person(contactId: string): Promise<Person> {
    if (!isPipedriveId(contactId))
      throw new CrmError('not_found', `Pipedrive has no person ${contactId}.`, { status: 404 });
    return http.get(`/api/v2/persons/${contactId}`, PipedrivePerson);
  }

  async function getContact(contactId: string): Promise<ContactDetail> {
    const found = await person(contactId);
    const [map, stageName, org, deals, recent] = await Promise.all([
      account.mapping(),
      account.stageName(),
      found.org_id ? http.get(`/api/v2/organizations/${found.org_id}`, PipedriveOrganization) : null,
      http.all('/api/v2/deals', { person_id: contactId, status: 'open' }, PipedriveDeal),
      logging.listContactActivities(contactId, { limit: RECENT_EMAILS }),
    ]);
    return {
      ...toContact(found, map),
      company: org ? toCompany(org, map) : null,
      deals: deals.map((d) => toDeal(d, stageName, map)),
      recentActivities: recent.activities,
    };
  }

  /**
   * Pipedrive lets two persons share an address, so the contract's "taken address" (409
   * with the existing contact) is found by a lookup first. Two reps creating the same
   * person at the same moment can still both succeed: Pipedrive has no unique field to
   * stop it (stated in README's capability notes).
   */
  async function createContact(request: CreateContactRequest): Promise<Contact> {
    const parsed = CreateContactRequest.safeParse(request);
    if (!parsed.success)
      throw new CrmError('invalid_request', 'The new contact needs a name and valid addresses.');
    const input = parsed.data;
    const taken = await lookup({ emails: input.emails });
    const existing = taken.contacts[0];
    if (existing)
      throw new CrmError('conflict', `${existing.name} already has one of these addresses in Pipedrive.`, {
        status: 409,
        details: { contact: existing },
      });
    if (input.companyId && !isPipedriveId(input.companyId))
      throw new CrmError('invalid_request', `Pipedrive has no organization ${input.companyId}.`);
    const created = await http.post('/api/v2/persons', PipedrivePerson, {
      name: input.name,
      emails: input.emails.map((value, i) => ({ value, primary: i === 0, label: 'work' })),
      ...(input.phone ? { phones: [{ value: input.phone, primary: true, label: 'work' }] } : {}),
      ...(input.companyId ? { org_id: Number(input.companyId) } : {}),
    });
    return toContact(created, await account.mapping());
  }

  return { lookup, getContact, createContact, person };
}

export type PipedriveLookups = ReturnType<typeof createPipedriveLookups>;
