import { z } from 'zod';
import { parseLogKey } from '../../connectorKit/logKey';
import {
  type Company,
  type Contact,
  type Deal,
  type EmailActivity,
  type LogActivitiesRequest,
  type Party,
  SNIPPET_MAX,
} from '../../contract';
import { parseJsonOrUndefined } from '../../crmJsonRequest';
import type { HubSpotApi } from './hubspotApi';
import type { HubSpotObject } from './hubspotSchemas';

/**
 * Our own properties, created on first use. The log key is unique, so a batch upsert on
 * it gives one email per (Message-ID, contact) whatever retries, tabs or reps do; the
 * Message-ID property is searchable, for "logged by a colleague".
 */
export const HUBSPOT_PROPERTIES = {
  emailLogKey: 'crm_sidebar_log_key',
  emailMessageId: 'crm_sidebar_message_id',
  taskKey: 'crm_sidebar_task_key',
} as const;

export const CONTACT_PROPERTIES = [
  'email',
  'hs_additional_emails',
  'firstname',
  'lastname',
  'jobtitle',
  'phone',
  'lifecyclestage',
  'hubspot_owner_id',
  'associatedcompanyid',
  'createdate',
  'lastmodifieddate',
];
export const COMPANY_PROPERTIES = ['name', 'domain', 'hs_additional_domains'];
export const DEAL_PROPERTIES = [
  'dealname',
  'dealstage',
  'amount',
  'deal_currency_code',
  'closedate',
  'hs_is_closed',
];
export const EMAIL_PROPERTIES = [
  'hs_timestamp',
  'hs_email_direction',
  'hs_email_subject',
  'hs_email_text',
  'hs_email_headers',
  'hubspot_owner_id',
  'hs_createdate',
  HUBSPOT_PROPERTIES.emailLogKey,
  HUBSPOT_PROPERTIES.emailMessageId,
];

/** HubSpot objects as contract records, linked into HubSpot's UI and named by their owners. */
export function hubspotMapping(api: HubSpotApi) {
  const { portal, owners, recordUrl } = api;
  async function toContact(object: HubSpotObject): Promise<Contact> {
    const [, names] = await Promise.all([portal(), owners()]);
    const p = object.properties;
    const emails = [p.email, ...(p.hs_additional_emails ?? '').split(';')]
      .map((e) => e?.trim().toLowerCase() ?? '')
      .filter((e, i, all) => e !== '' && all.indexOf(e) === i);
    const name = [p.firstname, p.lastname].filter(Boolean).join(' ').trim();
    return {
      id: object.id,
      name: name || emails[0] || `Contact ${object.id}`,
      emails: emails.length > 0 ? emails : [`unknown-${object.id}@hubspot.invalid`],
      title: p.jobtitle || null,
      phone: p.phone || null,
      companyId: p.associatedcompanyid || null,
      ownerName: p.hubspot_owner_id ? (names.get(p.hubspot_owner_id) ?? null) : null,
      lifecycleStage: p.lifecyclestage || null,
      url: recordUrl({ kind: 'contact', id: object.id }) ?? '',
      createdAt: isoOr(p.createdate, object.createdAt),
      updatedAt: isoOr(p.lastmodifieddate, object.updatedAt),
    };
  }

  function toCompany(object: HubSpotObject): Company {
    const p = object.properties;
    const domains = [p.domain, ...(p.hs_additional_domains ?? '').split(';')]
      .map((d) => d?.trim().toLowerCase() ?? '')
      .filter((d, i, all) => d !== '' && all.indexOf(d) === i);
    return {
      id: object.id,
      name: p.name || domains[0] || `Company ${object.id}`,
      domains,
      url: recordUrl({ kind: 'company', id: object.id }) ?? '',
    };
  }

  function toDeal(object: HubSpotObject, contactId: string, companyId: string | null): Deal {
    const p = object.properties;
    const amount = p.amount ? Number(p.amount) : null;
    return {
      id: object.id,
      name: p.dealname || `Deal ${object.id}`,
      stage: p.dealstage ?? '',
      amount: amount !== null && Number.isFinite(amount) ? amount : null,
      currency: p.deal_currency_code || null,
      closeDate: p.closedate || null,
      contactIds: [contactId],
      companyId,
      url: recordUrl({ kind: 'deal', id: object.id }) ?? '',
    };
  }

  async function toActivity(object: HubSpotObject, fallbackContactId: string): Promise<EmailActivity> {
    const names = await owners();
    const p = object.properties;
    const key = parseLogKey(p[HUBSPOT_PROPERTIES.emailLogKey]);
    const headers = parseEmailHeaders(p.hs_email_headers);
    const ownerId = p.hubspot_owner_id ?? '';
    const occurredAt = isoOr(p.hs_timestamp, object.createdAt);
    return {
      id: object.id,
      type: 'email',
      externalId: p[HUBSPOT_PROPERTIES.emailMessageId] || headers.messageId || `hubspot-email:${object.id}`,
      contactId: key?.contactId ?? fallbackContactId,
      companyId: null,
      dealId: null,
      direction: p.hs_email_direction === 'INCOMING_EMAIL' ? 'incoming' : 'outgoing',
      subject: p.hs_email_subject ?? '',
      snippet: (p.hs_email_text ?? '').slice(0, SNIPPET_MAX),
      occurredAt,
      from: headers.from,
      to: headers.to,
      cc: headers.cc,
      hasAttachments: false,
      threadId: null,
      source: 'crm',
      loggedBy: ownerId,
      loggedByName: names.get(ownerId),
      createdAt: isoOr(p.hs_createdate, object.createdAt),
    };
  }

  return { toContact, toCompany, toDeal, toActivity };
}

export type HubSpotMapping = ReturnType<typeof hubspotMapping>;

/**
 * An email engagement as HubSpot's email API documents it
 * (https://developers.hubspot.com/docs/api/crm/email): direction EMAIL (sent) or
 * INCOMING_EMAIL, headers as a JSON string. The body is sent only when the privacy
 * setting let it through (buildActivities leaves it out otherwise).
 *
 * `hs_email_headers` is "the email's headers", a JSON-escaped string whose documented keys
 * are `from` `{email, firstName, lastName}`, `to`, `cc` and `bcc` (arrays of the same)
 * (same page, "Set email headers"; public client code writes the same shape, and also
 * `sender`). HubSpot documents no key for the Message-ID: it is written as `messageId` (our
 * choice of name, unsourced) so the record carries it where a person reading the headers
 * looks, and in the searchable HUBSPOT_PROPERTIES.emailMessageId that the sidebar queries.
 */
export function emailProperties(
  i: z.output<typeof LogActivitiesRequest>['activities'][number],
  ownerId: string,
) {
  const person = (p: Party) => {
    const [firstName, ...last] = p.name.split(/\s+/);
    return { email: p.address, firstName: firstName ?? '', lastName: last.join(' ') };
  };
  return {
    hs_timestamp: i.occurredAt,
    hs_email_direction: i.direction === 'incoming' ? 'INCOMING_EMAIL' : 'EMAIL',
    hs_email_status: 'SENT',
    hs_email_subject: i.subject,
    hs_email_text: i.body ?? i.snippet,
    hs_email_headers: JSON.stringify({
      from: person(i.from),
      to: i.to.map(person),
      cc: i.cc.map(person),
      bcc: [],
      messageId: i.externalId,
    }),
    hubspot_owner_id: ownerId,
    [HUBSPOT_PROPERTIES.emailMessageId]: i.externalId,
  };
}

const EmailHeaders = z.object({
  messageId: z.string().optional(),
  from: z
    .object({
      email: z.string().optional(),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
    })
    .optional(),
  to: z
    .array(
      z.object({
        email: z.string().optional(),
        firstName: z.string().optional(),
        lastName: z.string().optional(),
      }),
    )
    .optional(),
  cc: z
    .array(
      z.object({
        email: z.string().optional(),
        firstName: z.string().optional(),
        lastName: z.string().optional(),
      }),
    )
    .optional(),
});

export function parseEmailHeaders(value: string | null | undefined): {
  from: Party;
  to: Party[];
  cc: Party[];
  messageId?: string;
} {
  const parsed = EmailHeaders.safeParse(value ? parseJsonOrUndefined(value) : undefined);
  const party = (p?: { email?: string; firstName?: string; lastName?: string }): Party => ({
    name: [p?.firstName, p?.lastName].filter(Boolean).join(' '),
    address: p?.email ?? '',
  });
  if (!parsed.success) return { from: party(), to: [], cc: [] };
  return {
    ...(parsed.data.messageId ? { messageId: parsed.data.messageId } : {}),
    from: party(parsed.data.from),
    to: (parsed.data.to ?? []).map(party),
    cc: (parsed.data.cc ?? []).map(party),
  };
}

export function ownerName(o: {
  id: string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}) {
  return [o.firstName, o.lastName].filter(Boolean).join(' ') || o.email || `Owner ${o.id}`;
}

/** HubSpot dates are ISO strings or epoch milliseconds (as strings). */
export function isoOr(value: string | null | undefined, fallback: string): string {
  const candidate = value && /^\d+$/.test(value) ? new Date(Number(value)).toISOString() : value;
  const ms = candidate ? Date.parse(candidate) : Number.NaN;
  if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  const fb = Date.parse(fallback);
  return Number.isNaN(fb) ? new Date(0).toISOString() : new Date(fb).toISOString();
}
