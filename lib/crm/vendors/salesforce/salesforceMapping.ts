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
      const task = parseTaskDescription(String(r.Description ?? ''));
      const externalId = isEmail
        ? (normaliseMessageId(String(r.MessageIdentifier ?? '')) ?? `salesforce-email:${r.Id}`)
        : (key?.externalId ?? task.externalId ?? `salesforce-task:${r.Id}`);
      const list = (value: unknown) =>
        String(value ?? '')
          .split(/;\s*/)
          .filter(Boolean)
          .map((address) => ({ name: '', address }));
      const to = list(isEmail ? r.ToAddress : task.headers.To);
      const cc = list(isEmail ? r.CcAddress : task.headers.Cc);
      const from = isEmail
        ? { name: String(r.FromName ?? ''), address: String(r.FromAddress ?? '') }
        : parseMailbox(task.headers.From ?? '');
      const incoming = isEmail ? r.Incoming === true : task.headers.Direction === 'incoming';
      return {
        id: r.Id,
        type: 'email' as const,
        externalId,
        contactId: contactOf(r),
        companyId: null,
        dealId: null,
        direction: incoming ? ('incoming' as const) : ('outgoing' as const),
        subject: String(r.Subject ?? '').replace(/^Email: /, ''),
        snippet: String(isEmail ? (r.TextBody ?? '') : task.text).slice(0, SNIPPET_MAX),
        occurredAt: iso(r.MessageDate ?? r.ActivityDate ?? r.CreatedDate),
        from,
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

const TASK_HEADERS = ['From', 'To', 'Cc', 'Direction'] as const;
type TaskHeader = (typeof TASK_HEADERS)[number];

/**
 * A logged email's Task Description: the Message-ID line (what finds it again without the
 * log key field), the sender, recipients and direction (a Task has no fields for them), a
 * blank line, then the text. Redaction keeps the lines before the blank line.
 */
export function taskDescription(
  input: Pick<EmailActivity, 'externalId' | 'from' | 'to' | 'cc' | 'direction'>,
  text: string,
): string {
  const from = input.from.name ? `${input.from.name} <${input.from.address}>` : input.from.address;
  const head = [
    `Message-ID: <${input.externalId}>`,
    `From: ${from}`,
    ...(input.to.length ? [`To: ${input.to.map((p) => p.address).join('; ')}`] : []),
    ...(input.cc.length ? [`Cc: ${input.cc.map((p) => p.address).join('; ')}`] : []),
    `Direction: ${input.direction}`,
  ];
  return `${head.join('\n')}\n\n${text}`;
}

/** The parts of a Task Description written by taskDescription (or, before the headers, `Message-ID: <id>\ntext`). */
export function parseTaskDescription(description: string) {
  const lines = description.split('\n');
  let i = 0;
  const externalId = /^Message-ID: <([^>]+)>$/.exec(lines[0] ?? '')?.[1] ?? null;
  if (externalId) i = 1;
  const headers: Partial<Record<TaskHeader, string>> = {};
  while (externalId && i < lines.length) {
    const match = /^(From|To|Cc|Direction): (.*)$/.exec(lines[i] ?? '');
    if (!match) break;
    headers[match[1] as TaskHeader] = match[2];
    i += 1;
  }
  const headEnd = i;
  if (Object.keys(headers).length > 0 && lines[i] === '') i += 1;
  return {
    externalId,
    headers,
    /** The lines before the text: what a redacted Task keeps. */
    head: lines.slice(0, headEnd).join('\n'),
    text: lines.slice(i).join('\n'),
  };
}

/** `Jane Buyer <jane@acme.example>` or `jane@acme.example` as a name and address. */
function parseMailbox(value: string): { name: string; address: string } {
  const match = /^(.*?)\s*<([^>]+)>$/.exec(value.trim());
  return match ? { name: match[1] ?? '', address: match[2] ?? '' } : { name: '', address: value.trim() };
}

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
