import { z } from 'zod';
import type { ActivityChange, ActivityMove, ActivityRemoval, LoggedActivityRef } from '../../CrmConnector';
import { CrmError } from '../../CrmError';
import { activityChange } from '../../connectorKit/activityChange';
import { logKey as kitLogKey } from '../../connectorKit/logKey';
import type { SalesforceApi, SalesforceRecord } from './salesforceApi';
import { SalesforceErrorBody, SaveResult, soqlList, soqlString } from './salesforceApi';
import type { SalesforceMapping } from './salesforceMapping';
import { EMAIL_FIELDS, parseTaskDescription, TASK_FIELDS } from './salesforceMapping';

/** A Salesforce record id: 15 or 18 case-sensitive letters and digits. */
const RECORD_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
/** Refusals that mean "not yours to change" (sharing, or the profile's edit/delete rights). */
const DENIED = new Set(['INSUFFICIENT_ACCESS_OR_READONLY', 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY']);
/** The record is already gone (deleted by someone else between our read and write). */
const GONE = new Set(['ENTITY_IS_DELETED', 'NOT_FOUND']);
/**
 * What a sent EmailMessage is copied with when it has to be written again: its createable
 * standard fields (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_emailmessage.htm).
 */
const EMAIL_COPY_FIELDS = [
  ...EMAIL_FIELDS.filter((f) => !['Id', 'CreatedById', 'CreatedDate'].includes(f)),
  'HtmlBody',
  'Status',
  'ThreadIdentifier',
  'RelatedToId',
];

const isDeal = (id: unknown): id is string => typeof id === 'string' && id.startsWith('006');
const isUser = (id: unknown) => typeof id === 'string' && id.startsWith('005');

function errorCodeOf(error: unknown): string | undefined {
  if (!(error instanceof CrmError)) return undefined;
  const parsed = z.object({ errors: SalesforceErrorBody }).safeParse(error.options.details);
  return parsed.success ? parsed.data.errors[0]?.errorCode : undefined;
}

/**
 * The receipt's Undo, Move and Redact on Salesforce, for both ways the connector logs
 * (salesforceLogging.ts):
 *
 * Enhanced Email (an EmailMessage per Message-ID and contact, linked by EmailMessageRelation):
 * - remove: DELETE /sobjects/EmailMessageRelation/{id} when other contacts or leads share the
 *   email (only this contact's link goes), DELETE /sobjects/EmailMessage/{id} otherwise.
 * - move to a contact: a relation to the new contact is created and the old one deleted
 *   (RelationAddress is create-only, so the link is written anew rather than updated,
 *   .../sforce_api_objects_emailmessagerelation.htm).
 * - move to a deal, redact: "When the email record isn't in Draft status, the
 *   IsExternallyVisible field and custom fields only can be updated"
 *   (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_emailmessage.htm,
 *   Special Access Rules), and a logged email is sent (Status 3). RelatedToId, Subject and
 *   the bodies therefore cannot be PATCHed: the email is written again with the change
 *   (a new EmailMessage, its relations copied), then the old one deleted, then the log key
 *   (a custom field, so updateable) moved onto the copy. The copy has a new id and is
 *   created by the rep who made the change. An email shared by several contacts has one
 *   RelatedToId, so a deal move or redaction applies to all of them.
 *
 * Completed Task: the Task is updateable, so remove is DELETE /sobjects/Task/{id}, move is
 * PATCH WhatId (deal) or WhoId (contact, and its log key), redact is PATCH Subject to empty
 * and Description to its head only (Message-ID, sender, recipients, direction: taskDescription).
 *
 * A refusal for want of rights (INSUFFICIENT_ACCESS_OR_READONLY) is `auth` /
 * `activity_not_yours`; a record already deleted (ENTITY_IS_DELETED, NOT_FOUND) is absent.
 */
export function salesforceActivityChanges(api: SalesforceApi, mapping: SalesforceMapping) {
  const { call, collection, dataBase, mode, query, recordById } = api;
  const sobject = (type: string, id: string) => `${dataBase}/sobjects/${type}/${encodeURIComponent(id)}`;
  const logKey = (externalId: string, contactId: string) => kitLogKey(externalId, contactId, 255);

  async function write(method: 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<void> {
    try {
      await call(method, url, z.unknown(), body);
    } catch (error) {
      if (DENIED.has(errorCodeOf(error) ?? ''))
        throw new CrmError(
          'auth',
          `Salesforce lets only the rep who logged this email, or an admin, change it (${(error as Error).message}).`,
          { status: 403, code: 'activity_not_yours' },
        );
      throw error;
    }
  }
  /** DELETE that treats "already gone" as done. */
  async function remove(type: string, id: string): Promise<boolean> {
    try {
      await write('DELETE', sobject(type, id));
      return true;
    } catch (error) {
      if (GONE.has(errorCodeOf(error) ?? '') || (error instanceof CrmError && error.kind === 'not_found'))
        return false;
      throw error;
    }
  }
  const notFound = (ref: LoggedActivityRef) =>
    new CrmError('not_found', `Salesforce has no logged email ${ref.id} for ${ref.contactId}.`, {
      status: 404,
    });

  async function targetContact(contactId: string): Promise<SalesforceRecord> {
    try {
      return await recordById(contactId);
    } catch (error) {
      if (error instanceof CrmError && error.kind === 'not_found')
        throw new CrmError('invalid_request', `Salesforce has no contact or lead ${contactId}.`);
      throw error;
    }
  }
  async function checkDeal(dealId: string | null) {
    if (dealId === null) return;
    const found = RECORD_ID.test(dealId)
      ? await query(`SELECT Id FROM Opportunity WHERE Id = ${soqlString(dealId)}`)
      : [];
    if (found.length === 0) throw new CrmError('invalid_request', `Salesforce has no opportunity ${dealId}.`);
  }

  // ---- Enhanced Email ----

  type Stored = { email: SalesforceRecord; relations: SalesforceRecord[] };

  /** The EmailMessage the ref names, linked to its contact; by id, else by Message-ID (a copy has a new id). */
  async function storedEmail(ref: Pick<LoggedActivityRef, 'id' | 'externalId' | 'contactId'>) {
    const { keyField } = await mode();
    const fields = [...new Set([...EMAIL_FIELDS, ...EMAIL_COPY_FIELDS, ...(keyField ? [keyField] : [])])];
    let emails = RECORD_ID.test(ref.id)
      ? await query(`SELECT ${fields.join(', ')} FROM EmailMessage WHERE Id = ${soqlString(ref.id)}`)
      : [];
    const linkedTo = async (candidates: SalesforceRecord[]): Promise<Stored | undefined> => {
      if (candidates.length === 0) return undefined;
      const relations = await query(
        `SELECT Id, EmailMessageId, RelationId, RelationType, RelationAddress FROM EmailMessageRelation WHERE EmailMessageId IN ${soqlList(candidates.map((e) => e.Id))}`,
      );
      const email = candidates.find((e) =>
        relations.some((r) => r.EmailMessageId === e.Id && r.RelationId === ref.contactId),
      );
      return email && { email, relations: relations.filter((r) => r.EmailMessageId === email.Id) };
    };
    const byId = await linkedTo(emails);
    if (byId) return byId;
    emails = await query(
      `SELECT ${fields.join(', ')} FROM EmailMessage WHERE MessageIdentifier = ${soqlString(`<${ref.externalId}>`)}`,
    );
    return linkedTo(emails);
  }

  async function emailActivity(stored: Stored, contactId: string) {
    const [activity] = await mapping.toActivities([stored.email], () => contactId);
    return { ...activity!, dealId: isDeal(stored.email.RelatedToId) ? stored.email.RelatedToId : null };
  }

  /** Writes the email again with `changes` (what a sent EmailMessage cannot take as an update). */
  async function rewrite(stored: Stored, changes: Record<string, string | null>): Promise<Stored> {
    const { keyField } = await mode();
    const copy: Record<string, unknown> = {};
    for (const field of EMAIL_COPY_FIELDS)
      if (stored.email[field] !== null && stored.email[field] !== undefined)
        copy[field] = stored.email[field];
    Object.assign(copy, changes);
    const created = await call('POST', `${dataBase}/sobjects/EmailMessage`, SaveResult, copy);
    const id = created.id;
    if (!created.success || !id)
      throw new CrmError(
        'invalid_request',
        `Salesforce refused to write the email again: ${created.errors[0]?.message ?? 'unknown error'}`,
      );
    const saved = await collection(
      'POST',
      '/composite/sobjects',
      stored.relations.map((r) => ({
        attributes: { type: 'EmailMessageRelation' },
        EmailMessageId: id,
        RelationId: r.RelationId,
        RelationType: r.RelationType,
        ...(r.RelationAddress ? { RelationAddress: r.RelationAddress } : {}),
      })),
      true,
    );
    const failed = saved.find((r) => !r.success);
    if (failed) {
      await remove('EmailMessage', id);
      throw new CrmError(
        'invalid_request',
        `Salesforce refused to link the email again: ${failed.errors[0]?.message ?? 'unknown error'}`,
      );
    }
    await remove('EmailMessage', stored.email.Id);
    const key = keyField ? stored.email[keyField] : undefined;
    if (keyField && typeof key === 'string' && key !== '')
      await write('PATCH', sobject('EmailMessage', id), { [keyField]: key });
    const after = await storedEmail({
      id,
      externalId: '',
      contactId: String(stored.relations[0]?.RelationId ?? ''),
    });
    if (!after) throw new CrmError('invalid_response', `Salesforce did not keep the rewritten email ${id}.`);
    return after;
  }

  async function removeEmail(ref: LoggedActivityRef): Promise<ActivityRemoval> {
    const stored = await storedEmail(ref);
    if (!stored) return { status: 'absent' };
    const mine = stored.relations.filter((r) => r.RelationId === ref.contactId);
    const others = stored.relations.filter(
      (r) => r.RelationId && r.RelationId !== ref.contactId && !isUser(r.RelationId),
    );
    let removed = false;
    if (others.length > 0)
      for (const r of mine) removed = (await remove('EmailMessageRelation', r.Id)) || removed;
    else removed = await remove('EmailMessage', stored.email.Id);
    return { status: removed ? 'removed' : 'absent' };
  }

  async function moveEmail(ref: LoggedActivityRef, to: ActivityMove): Promise<ActivityChange> {
    const stored = await storedEmail(ref);
    if (!stored) throw notFound(ref);
    if ('dealId' in to) {
      const current = isDeal(stored.email.RelatedToId) ? stored.email.RelatedToId : null;
      if (current === to.dealId)
        return activityChange('unchanged', await emailActivity(stored, ref.contactId));
      if (ref.contactId.startsWith('00Q') && to.dealId !== null)
        throw new CrmError(
          'invalid_request',
          'Salesforce relates an email logged to a lead to no opportunity.',
        );
      await checkDeal(to.dealId);
      const after = await rewrite(stored, { RelatedToId: to.dealId });
      return activityChange('changed', await emailActivity(after, ref.contactId));
    }
    if (to.contactId === ref.contactId)
      return activityChange('unchanged', await emailActivity(stored, ref.contactId));
    const target = await targetContact(to.contactId);
    const already = await storedEmail({ ...ref, contactId: to.contactId });
    if (already) {
      await removeEmail(ref);
      return activityChange('changed', await emailActivity(already, to.contactId));
    }
    const mine = stored.relations.filter((r) => r.RelationId === ref.contactId);
    const saved = await collection(
      'POST',
      '/composite/sobjects',
      [
        {
          attributes: { type: 'EmailMessageRelation' },
          EmailMessageId: stored.email.Id,
          RelationId: to.contactId,
          RelationType: mine[0]?.RelationType ?? 'ToAddress',
          RelationAddress: String(target.Email ?? ''),
        },
      ],
      true,
    );
    if (!saved[0]?.success)
      throw new CrmError(
        'invalid_request',
        `Salesforce refused to link the email: ${saved[0]?.errors[0]?.message ?? 'unknown error'}`,
      );
    for (const r of mine) await remove('EmailMessageRelation', r.Id);
    const { keyField } = await mode();
    if (keyField && stored.email[keyField] === logKey(ref.externalId, ref.contactId))
      await write('PATCH', sobject('EmailMessage', stored.email.Id), {
        [keyField]: logKey(ref.externalId, to.contactId),
      });
    const after = await storedEmail({ ...ref, contactId: to.contactId });
    if (!after) throw notFound(ref);
    return activityChange('changed', await emailActivity(after, to.contactId));
  }

  async function redactEmail(ref: LoggedActivityRef): Promise<ActivityChange> {
    const stored = await storedEmail(ref);
    if (!stored) throw notFound(ref);
    if (!stored.email.Subject && !stored.email.TextBody && !stored.email.HtmlBody)
      return activityChange('unchanged', await emailActivity(stored, ref.contactId));
    const after = await rewrite(stored, { Subject: null, TextBody: null, HtmlBody: null });
    return activityChange('changed', await emailActivity(after, ref.contactId));
  }

  // ---- Completed Task ----

  async function storedTask(ref: Pick<LoggedActivityRef, 'id' | 'externalId' | 'contactId'>) {
    const { keyField } = await mode();
    const fields = [...TASK_FIELDS, 'WhatId', ...(keyField ? [keyField] : [])].join(', ');
    const [byId] = RECORD_ID.test(ref.id)
      ? await query(`SELECT ${fields} FROM Task WHERE Id = ${soqlString(ref.id)}`)
      : [];
    if (byId && byId.WhoId === ref.contactId) return byId;
    if (!keyField) return undefined;
    const [byKey] = await query(
      `SELECT ${fields} FROM Task WHERE ${keyField} = ${soqlString(logKey(ref.externalId, ref.contactId))}`,
    );
    return byKey;
  }
  async function taskActivity(task: SalesforceRecord) {
    const [activity] = await mapping.toActivities([task], (t) => String(t.WhoId ?? ''));
    return { ...activity!, dealId: isDeal(task.WhatId) ? task.WhatId : null };
  }

  async function removeTask(ref: LoggedActivityRef): Promise<ActivityRemoval> {
    const task = await storedTask(ref);
    if (!task) return { status: 'absent' };
    return { status: (await remove('Task', task.Id)) ? 'removed' : 'absent' };
  }

  async function moveTask(ref: LoggedActivityRef, to: ActivityMove): Promise<ActivityChange> {
    const task = await storedTask(ref);
    if (!task) throw notFound(ref);
    const { keyField } = await mode();
    if ('dealId' in to) {
      const current = isDeal(task.WhatId) ? task.WhatId : null;
      if (current === to.dealId) return activityChange('unchanged', await taskActivity(task));
      if (ref.contactId.startsWith('00Q') && to.dealId !== null)
        throw new CrmError('invalid_request', 'Salesforce relates a task on a lead to no opportunity.');
      await checkDeal(to.dealId);
      await write('PATCH', sobject('Task', task.Id), { WhatId: to.dealId });
    } else {
      if (to.contactId === ref.contactId) return activityChange('unchanged', await taskActivity(task));
      await targetContact(to.contactId);
      const already = await storedTask({ id: '', externalId: ref.externalId, contactId: to.contactId });
      if (already) {
        await remove('Task', task.Id);
        return activityChange('changed', await taskActivity(already));
      }
      await write('PATCH', sobject('Task', task.Id), {
        WhoId: to.contactId,
        ...(keyField ? { [keyField]: logKey(ref.externalId, to.contactId) } : {}),
        // A task on a lead carries no WhatId.
        ...(to.contactId.startsWith('00Q') ? { WhatId: null } : {}),
      });
    }
    const after = await storedTask({ ...ref, contactId: 'dealId' in to ? ref.contactId : to.contactId });
    if (!after) throw notFound(ref);
    return activityChange('changed', await taskActivity(after));
  }

  async function redactTask(ref: LoggedActivityRef): Promise<ActivityChange> {
    const task = await storedTask(ref);
    if (!task) throw notFound(ref);
    const description = parseTaskDescription(String(task.Description ?? ''));
    const current = await taskActivity(task);
    if (current.subject === '' && description.text === '') return activityChange('unchanged', current);
    await write('PATCH', sobject('Task', task.Id), { Subject: null, Description: description.head || null });
    const after = await storedTask(ref);
    if (!after) throw notFound(ref);
    return activityChange('changed', await taskActivity(after));
  }

  const byMode =
    <A extends unknown[], R>(email: (...a: A) => Promise<R>, task: (...a: A) => Promise<R>) =>
    async (...args: A): Promise<R> =>
      (await mode()).object === 'Task' ? task(...args) : email(...args);

  return {
    removeActivity: byMode(removeEmail, removeTask),
    moveActivity: byMode(moveEmail, moveTask),
    redactActivity: byMode(redactEmail, redactTask),
  };
}
