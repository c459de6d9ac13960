import { normaliseMessageId } from '../../../mail/normaliseMessageId';
import { parseLogKey } from '../../connectorKit/logKey';
import { type Company, type Contact, type EmailActivity, SNIPPET_MAX } from '../../contract';
import type { SalesforceApi, SalesforceRecord } from './salesforceApi';
import { SALESFORCE_KEY_FIELDS } from './salesforceApi';

export const CONTACT_FIELDS = [
  'Id',
  'FirstName',
  'LastName',
  'Name',
  'Email',
  'Title',
  'Phone',
  'AccountId',
  'OwnerId',
  'CreatedDate',
  'LastModifiedDate',
];
export const LEAD_FIELDS = [
  'Id',
  'FirstName',
  'LastName',
  'Name',
  'Email',
  'Title',
  'Phone',
  'OwnerId',
  'CreatedDate',
  'LastModifiedDate',
];
export const EMAIL_FIELDS = [
  'Id',
  'Subject',
  'TextBody',
  'FromAddress',
  'FromName',
  'ToAddress',
  'CcAddress',
  'MessageDate',
  'Incoming',
  'MessageIdentifier',
  'CreatedById',
  'CreatedDate',
];
export const TASK_FIELDS = [
  'Id',
  'Subject',
  'Description',
  'WhoId',
  'OwnerId',
  'ActivityDate',
  'CreatedDate',
  'CreatedById',
];
export const RECENT = 10;

/** Salesforce rows as contract records, linked into Lightning and named by their users. */
export function salesforceMapping(api: SalesforceApi) {
  const { domainField, namesOf, recordUrl } = api;
  async function toContacts(records: SalesforceRecord[]): Promise<Contact[]> {
    const names = await namesOf(records.map((r) => String(r.OwnerId ?? '')));
    return records.map((r) => ({
      id: r.Id,
      name: String(r.Name || [r.FirstName, r.LastName].filter(Boolean).join(' ') || r.Email || r.Id),
      emails: r.Email ? [String(r.Email).toLowerCase()] : [`unknown-${r.Id}@salesforce.invalid`],
      title: (r.Title as string | null) ?? null,
      phone: (r.Phone as string | null) ?? null,
      companyId: (r.AccountId as string | null | undefined) ?? null,
      ownerName: r.OwnerId ? (names.get(String(r.OwnerId)) ?? null) : null,
      lifecycleStage: r.Id.startsWith('00Q') ? 'Lead' : null,
      url: recordUrl({ kind: 'contact', id: r.Id }),
      createdAt: iso(r.CreatedDate),
      updatedAt: iso(r.LastModifiedDate ?? r.CreatedDate),
    }));
  }

  function toCompany(r: SalesforceRecord): Company {
    const domain = hostOf(String(r[domainField] ?? ''));
    return {
      id: r.Id,
      name: String(r.Name ?? r.Id),
      domains: domain ? [domain] : [],
      url: recordUrl({ kind: 'company', id: r.Id }),
    };
  }

  async function toActivities(
    records: SalesforceRecord[],
    contactOf: (r: SalesforceRecord) => string,
  ): Promise<EmailActivity[]> {
    const names = await namesOf(records.map((r) => String(r.CreatedById ?? r.OwnerId ?? '')));
    return records.map((r) => {
      const isEmail = 'MessageIdentifier' in r;
      const loggedBy = String(r.CreatedById ?? r.OwnerId ?? '');
      const key = parseLogKey(r[SALESFORCE_KEY_FIELDS.Task] as string | undefined);
      const description = String(r.Description ?? '');
      const externalId = isEmail
        ? (normaliseMessageId(String(r.MessageIdentifier ?? '')) ?? `salesforce-email:${r.Id}`)
        : (key?.externalId ?? /^Message-ID: <([^>]+)>/.exec(description)?.[1] ?? `salesforce-task:${r.Id}`);
      const to = String(r.ToAddress ?? '')
        .split(/;\s*/)
        .filter(Boolean)
        .map((address) => ({ name: '', address }));
      const cc = String(r.CcAddress ?? '')
        .split(/;\s*/)
        .filter(Boolean)
        .map((address) => ({ name: '', address }));
      return {
        id: r.Id,
        type: 'email' as const,
        externalId,
        contactId: contactOf(r),
        companyId: null,
        dealId: null,
        direction: r.Incoming === true ? ('incoming' as const) : ('outgoing' as const),
        subject: String(r.Subject ?? '').replace(/^Email: /, ''),
        snippet: String(
          isEmail ? (r.TextBody ?? '') : description.replace(/^Message-ID: <[^>]+>\n?/, ''),
        ).slice(0, SNIPPET_MAX),
        occurredAt: iso(r.MessageDate ?? r.ActivityDate ?? r.CreatedDate),
        from: { name: String(r.FromName ?? ''), address: String(r.FromAddress ?? '') },
        to,
        cc,
        hasAttachments: false,
        threadId: null,
        source: 'crm' as const,
        loggedBy,
        loggedByName: names.get(loggedBy),
        createdAt: iso(r.CreatedDate),
      };
    });
  }

  return { toContacts, toCompany, toActivities };
}

export type SalesforceMapping = ReturnType<typeof salesforceMapping>;

/** `https://www.acme.example/about` or `acme.example` -> `acme.example`. */
export function hostOf(value: string): string | null {
  const trimmed = value.trim().toLowerCase();
  if (!trimmed) return null;
  try {
    return new URL(/^[a-z]+:\/\//.test(trimmed) ? trimmed : `https://${trimmed}`).hostname.replace(
      /^www\./,
      '',
    );
  } catch {
    return null;
  }
}

/** Salesforce datetimes look like 2024-01-31T10:00:00.000+0000; dates like 2024-01-31. */
export function iso(value: unknown): string {
  const ms =
    typeof value === 'string' ? Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : Number.NaN;
  return new Date(Number.isNaN(ms) ? 0 : ms).toISOString();
}
