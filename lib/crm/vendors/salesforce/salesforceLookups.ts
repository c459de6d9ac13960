import { CrmError } from '../../CrmError';
import { offsetActivityPage } from '../../connectorKit/offsetActivityPage';
import {
  type ActivityPage,
  type Contact,
  type ContactDetail,
  CreateContactRequest,
  type Deal,
  type EmailActivity,
  LookupRequest,
  type LookupResponse,
  MAX_BATCH,
} from '../../contract';
import type { SalesforceApi } from './salesforceApi';
import { SaveResult, soqlList, soqlString } from './salesforceApi';
import type { SalesforceMapping } from './salesforceMapping';
import { CONTACT_FIELDS, EMAIL_FIELDS, LEAD_FIELDS, RECENT, TASK_FIELDS } from './salesforceMapping';

/** Finding people and companies, and a contact's deals and emails: the panel's questions. */
export function salesforceLookups(api: SalesforceApi, mapping: SalesforceMapping) {
  const { toActivities, toCompany, toContacts } = mapping;
  const { call, dataBase, domainField, mode, query, recordById, recordUrl } = api;
  async function lookup(request: LookupRequest): Promise<LookupResponse> {
    const parsed = LookupRequest.safeParse(request);
    if (!parsed.success) throw new CrmError('invalid_request', 'The lookup request is not valid.');
    const emails = [...new Set(parsed.data.emails)];
    const domains = [...new Set(parsed.data.domains)];
    if (emails.length > MAX_BATCH || domains.length > MAX_BATCH)
      throw new CrmError(
        'invalid_request',
        `A lookup takes at most ${MAX_BATCH} addresses and ${MAX_BATCH} domains.`,
        { status: 413 },
      );
    const [contacts, leads, accounts] = await Promise.all([
      emails.length
        ? query(`SELECT ${CONTACT_FIELDS.join(', ')} FROM Contact WHERE Email IN ${soqlList(emails)}`)
        : [],
      emails.length
        ? query(
            `SELECT ${LEAD_FIELDS.join(', ')} FROM Lead WHERE Email IN ${soqlList(emails)} AND IsConverted = false`,
          )
        : [],
      domains.length
        ? query(
            `SELECT Id, Name, ${domainField} FROM Account WHERE ${domains.map((d) => `${domainField} LIKE ${soqlString(`%${d}%`)}`).join(' OR ')} LIMIT 200`,
          )
        : [],
    ]);
    const wanted = new Set(domains);
    return {
      contacts: await toContacts([...contacts, ...leads]),
      // LIKE is coarse (notacme.example matches acme.example): keep exact hosts and their subdomains.
      companies: accounts
        .map(toCompany)
        .filter((c) => c.domains.some((d) => [...wanted].some((w) => d === w || d.endsWith(`.${w}`)))),
    };
  }

  async function recentFor(contactId: string, limit: number): Promise<EmailActivity[]> {
    const m = await mode();
    if (m.object === 'Task') {
      const tasks = await query(
        `SELECT ${[...TASK_FIELDS, ...(m.keyField ? [m.keyField] : [])].join(', ')} FROM Task WHERE WhoId = ${soqlString(contactId)} AND TaskSubtype = 'Email' ORDER BY CreatedDate DESC LIMIT ${limit}`,
      );
      return toActivities(tasks, () => contactId);
    }
    const relations = await query(
      `SELECT Id, EmailMessageId FROM EmailMessageRelation WHERE RelationId = ${soqlString(contactId)} LIMIT 200`,
    );
    const ids = [...new Set(relations.map((r) => String(r.EmailMessageId)))];
    if (ids.length === 0) return [];
    const emails = await query(
      `SELECT ${EMAIL_FIELDS.join(', ')} FROM EmailMessage WHERE Id IN ${soqlList(ids)} ORDER BY MessageDate DESC LIMIT ${limit}`,
    );
    return toActivities(emails, () => contactId);
  }

  async function getContact(contactId: string): Promise<ContactDetail> {
    const record = await recordById(contactId);
    const [contact] = await toContacts([record]);
    const accountId = (record.AccountId as string | null | undefined) ?? null;
    const [accounts, opportunities, recentActivities] = await Promise.all([
      accountId
        ? query(`SELECT Id, Name, ${domainField} FROM Account WHERE Id = ${soqlString(accountId)}`)
        : [],
      accountId
        ? query(
            `SELECT Id, Name, StageName, Amount, CloseDate, AccountId FROM Opportunity WHERE AccountId = ${soqlString(accountId)} AND IsClosed = false ORDER BY CloseDate ASC LIMIT 20`,
          )
        : [],
      recentFor(contactId, RECENT),
    ]);
    const company = accounts[0] ? toCompany(accounts[0]) : null;
    const deals: Deal[] = opportunities.map((o) => ({
      id: o.Id,
      name: String(o.Name ?? o.Id),
      stage: String(o.StageName ?? ''),
      amount: typeof o.Amount === 'number' ? o.Amount : null,
      currency: null,
      closeDate: (o.CloseDate as string | null) ?? null,
      contactIds: [contactId],
      companyId: accountId,
      url: recordUrl({ kind: 'deal', id: o.Id }),
    }));
    return { ...contact!, company, deals, recentActivities };
  }

  async function createContact(request: CreateContactRequest): Promise<Contact> {
    const parsed = CreateContactRequest.safeParse(request);
    if (!parsed.success)
      throw new CrmError('invalid_request', 'The new contact needs a name and valid addresses.');
    const input = parsed.data;
    const taken = await lookup({ emails: input.emails });
    if (taken.contacts[0])
      throw new CrmError('conflict', `${taken.contacts[0].name} already has this address in Salesforce.`, {
        status: 409,
        details: { contact: taken.contacts[0] },
      });
    const words = input.name.split(/\s+/);
    const lastName = words.length > 1 ? words.slice(1).join(' ') : input.name;
    const created = await call('POST', `${dataBase}/sobjects/Contact`, SaveResult, {
      FirstName: words.length > 1 ? words[0] : null,
      LastName: lastName,
      Email: input.emails[0],
      Title: input.title ?? null,
      Phone: input.phone ?? null,
      ...(input.companyId ? { AccountId: input.companyId } : {}),
    });
    if (!created.id) throw new CrmError('invalid_response', 'Salesforce did not return the new contact id.');
    const [contact] = await toContacts([await recordById(created.id)]);
    return contact!;
  }

  async function listContactActivities(
    contactId: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<ActivityPage> {
    await recordById(contactId);
    const all = await recentFor(contactId, 200);
    return offsetActivityPage(all, page);
  }

  return { lookup, getContact, createContact, listContactActivities };
}
