import type { z } from 'zod';
import type { CrmRecordRef } from '../../CrmCapabilities';
import {
  type Company,
  type Contact,
  type Deal,
  type EmailActivity,
  type LogActivitiesRequest,
  type Party,
  SNIPPET_MAX,
} from '../../contract';
import type {
  PipedriveActivity,
  PipedriveDeal,
  PipedriveOrganization,
  PipedrivePerson,
} from './pipedriveSchemas';

/** One email to log, as the contract's schema parsed it. */
export type EmailToLog = z.output<typeof LogActivitiesRequest>['activities'][number];

/** What mapping needs from the account: record links and user names. */
export interface PipedriveAccount {
  recordUrl(record: CrmRecordRef): string | null;
  userName(userId: number | null | undefined): string | undefined;
}

/**
 * Deep links into the Pipedrive web app, `https://<company_domain>.pipedrive.com/<kind>/<id>`
 * (the company domain from GET /v1/users/me, https://pipedrive.readme.io/docs/how-to-get-the-company-domain).
 * The path per record kind is what the web app shows in its address bar; Pipedrive's API
 * documents no link format. Activities have no page of their own.
 */
export function pipedriveRecordUrl(companyDomain: string | undefined, record: CrmRecordRef): string | null {
  const path = { contact: 'person', company: 'organization', deal: 'deal' }[record.kind as string];
  if (!companyDomain || !path) return null;
  return `https://${companyDomain}.pipedrive.com/${path}/${encodeURIComponent(record.id)}`;
}

export function toContact(person: PipedrivePerson, account: PipedriveAccount): Contact {
  const id = String(person.id);
  const emails = orderedValues(person.emails).map((e) => e.toLowerCase());
  const unique = emails.filter((e, i) => emails.indexOf(e) === i);
  return {
    id,
    name: person.name?.trim() || unique[0] || `Person ${id}`,
    emails: unique.length > 0 ? unique : [`unknown-${id}@pipedrive.invalid`],
    // Pipedrive persons have no job title or lifecycle stage among their standard fields.
    title: null,
    phone: orderedValues(person.phones)[0] ?? null,
    companyId: person.org_id ? String(person.org_id) : null,
    ownerName: account.userName(person.owner_id) ?? null,
    lifecycleStage: null,
    url: account.recordUrl({ kind: 'contact', id }) ?? '',
    createdAt: isoFrom(person.add_time),
    updatedAt: isoFrom(person.update_time ?? person.add_time),
  };
}

export function toCompany(org: PipedriveOrganization, account: PipedriveAccount): Company {
  const id = String(org.id);
  // Organizations have no domain among their standard fields (v2 models/organization-item.ts).
  return { id, name: org.name, domains: [], url: account.recordUrl({ kind: 'company', id }) ?? '' };
}

export function toDeal(
  deal: PipedriveDeal,
  stageName: (id: number | null | undefined) => string,
  account: PipedriveAccount,
): Deal {
  const id = String(deal.id);
  return {
    id,
    name: deal.title,
    stage: stageName(deal.stage_id),
    amount: deal.value ?? null,
    currency: deal.currency || null,
    closeDate: deal.expected_close_date || null,
    contactIds: deal.person_id ? [String(deal.person_id)] : [],
    companyId: deal.org_id ? String(deal.org_id) : null,
    url: account.recordUrl({ kind: 'deal', id }) ?? '',
  };
}

/**
 * An email as a Pipedrive activity of type `email` (an activity type's `key_string` is the
 * activity's `type`, https://developers.pipedrive.com/docs/api/v1/ActivityTypes), done, due
 * when it was sent, with the person as primary participant. Activities have no custom
 * fields (https://pipedrive.readme.io/docs/core-api-concepts-custom-fields lists deals,
 * organizations, persons, products and projects), so the note carries who wrote to whom
 * and, in its last paragraph, the Message-ID that makes the log idempotent.
 */
export function emailActivityBody(item: EmailToLog, ownerId: number) {
  const text = item.body ?? item.snippet;
  const cc = item.cc.length > 0 ? `<br>Cc: ${item.cc.map(partyHtml).join('; ')}` : '';
  const note = [
    text ? `<p>${escapeHtml(text).replace(/\r?\n/g, '<br>')}</p>` : '',
    `<p>From: ${partyHtml(item.from)}<br>To: ${item.to.map(partyHtml).join('; ')}${cc}</p>`,
    markerParagraph(item.direction === 'incoming' ? 'Received' : 'Sent', item.externalId),
  ].join('');
  return {
    subject: item.subject || NO_SUBJECT,
    type: 'email',
    owner_id: ownerId,
    done: true,
    ...dueAt(item.occurredAt),
    participants: [{ person_id: Number(item.contactId), primary: true }],
    ...(item.companyId ? { org_id: Number(item.companyId) } : {}),
    ...(item.dealId ? { deal_id: Number(item.dealId) } : {}),
    note,
  };
}

/** What Pipedrive shows for a logged email without a subject (or redacted to who and when). */
export const NO_SUBJECT = '(no subject)';

const MARKER = /<p>(Received|Sent|Follow-up) · Message-ID: ([^<]+)<\/p>\s*$/;

export function markerParagraph(kind: 'Received' | 'Sent' | 'Follow-up', externalId: string): string {
  return `<p>${kind} · Message-ID: ${escapeHtml(externalId)}</p>`;
}

/** The Message-ID (and direction) an activity's note ends with, or null for activities logged otherwise. */
export function markerOf(note: string | null | undefined): { kind: string; externalId: string } | null {
  const match = MARKER.exec(note ?? '');
  return match ? { kind: match[1]!, externalId: unescapeHtml(match[2]!).trim() } : null;
}

export function toEmailActivity(activity: PipedriveActivity, account: PipedriveAccount): EmailActivity {
  const marker = markerOf(activity.note);
  const note = activity.note ?? '';
  const headers = /<p>From: (.*?)<br>To: (.*?)(?:<br>Cc: (.*?))?<\/p>/.exec(note);
  const text = /^<p>(.*?)<\/p><p>From: /.exec(note)?.[1] ?? '';
  const ownerId = activity.owner_id ? String(activity.owner_id) : '';
  return {
    id: String(activity.id),
    type: 'email',
    externalId: marker?.externalId ?? `pipedrive-activity:${activity.id}`,
    contactId: activity.person_id ? String(activity.person_id) : '',
    companyId: activity.org_id ? String(activity.org_id) : null,
    dealId: activity.deal_id ? String(activity.deal_id) : null,
    direction: marker?.kind === 'Received' ? 'incoming' : 'outgoing',
    // "(no subject)" is the placeholder emailActivityBody writes for an email without one.
    subject: activity.subject === NO_SUBJECT ? '' : (activity.subject ?? ''),
    snippet: unescapeHtml(text.replace(/<br>/g, '\n')).slice(0, SNIPPET_MAX),
    occurredAt: occurredAt(activity),
    from: parseParties(headers?.[1])[0] ?? { name: '', address: '' },
    to: parseParties(headers?.[2]),
    cc: parseParties(headers?.[3]),
    hasAttachments: false,
    threadId: null,
    source: 'crm',
    loggedBy: ownerId,
    loggedByName: account.userName(activity.owner_id),
    createdAt: isoFrom(activity.add_time),
  };
}

/** `due_date` YYYY-MM-DD and `due_time` HH:MM, both UTC (v2 models/add-activity-request.ts). */
export function dueAt(iso: string): { due_date: string; due_time: string } {
  const at = new Date(iso).toISOString();
  return { due_date: at.slice(0, 10), due_time: at.slice(11, 16) };
}

function occurredAt(activity: PipedriveActivity): string {
  if (activity.due_date) return isoFrom(`${activity.due_date}T${activity.due_time || '00:00'}:00Z`);
  return isoFrom(activity.add_time);
}

function partyHtml(p: Party): string {
  return p.name ? `${escapeHtml(p.name)} &lt;${escapeHtml(p.address)}&gt;` : escapeHtml(p.address);
}

function parseParties(html: string | undefined): Party[] {
  if (!html) return [];
  return html
    .split('; ')
    .filter(Boolean)
    .map((part) => {
      const named = /^(.*) &lt;(.*)&gt;$/.exec(part);
      return named
        ? { name: unescapeHtml(named[1]!), address: unescapeHtml(named[2]!) }
        : { name: '', address: unescapeHtml(part) };
    });
}

/** Primary first, then the others in their order. */
function orderedValues(values: PipedrivePerson['emails']): string[] {
  const list = (values ?? []).filter((v) => v.value.trim() !== '');
  return [...list.filter((v) => v.primary), ...list.filter((v) => !v.primary)].map((v) => v.value.trim());
}

/** Pipedrive v2 times are RFC 3339; v1 answers "YYYY-MM-DD HH:MM:SS" in UTC. */
export function isoFrom(value: string | null | undefined): string {
  const text = value?.includes('T') ? value : value ? `${value.replace(' ', 'T')}Z` : '';
  const ms = Date.parse(text);
  return new Date(Number.isNaN(ms) ? 0 : ms).toISOString();
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
