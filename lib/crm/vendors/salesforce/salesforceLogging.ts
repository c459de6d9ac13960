import type { z } from 'zod';
import { normaliseMessageId } from '../../../mail/normaliseMessageId';
import { CrmError } from '../../CrmError';
import { checkedLogBatch } from '../../connectorKit/checkedLogBatch';
import { logKey as kitLogKey, sameLogItem } from '../../connectorKit/logKey';
import {
  type ActivityResult,
  type EmailActivity,
  type EmailActivityInput,
  type LogActivitiesRequest,
  type LogActivitiesResponse,
  type LoggedMessage,
  MAX_BATCH,
  TaskInput,
  type TaskResponse,
} from '../../contract';
import type { SalesforceApi } from './salesforceApi';
import { chunkByLength, SALESFORCE_KEY_FIELDS, SaveResult, soqlList, soqlString } from './salesforceApi';
import type { SalesforceMapping } from './salesforceMapping';
import { EMAIL_FIELDS, TASK_FIELDS, taskDescription } from './salesforceMapping';

/** Logging emails (EmailMessage or Task) and tasks once, and finding what is logged for a Message-ID. */
export function salesforceLogging(api: SalesforceApi, mapping: SalesforceMapping) {
  const { toActivities } = mapping;
  const { call, collection, dataBase, describe, keyFieldOf, me, mode, query, recordById } = api;
  async function logActivities(activities: EmailActivityInput[]): Promise<LogActivitiesResponse> {
    const items = checkedLogBatch(activities);
    const [{ user }, m] = await Promise.all([me(), mode()]);
    const ids = [...new Set(items.map((i) => i.contactId))];
    const contactIds = ids.filter((id) => !id.startsWith('00Q'));
    const leadIds = ids.filter((id) => id.startsWith('00Q'));
    const [contacts, leads] = await Promise.all([
      contactIds.length ? query(`SELECT Id, Email FROM Contact WHERE Id IN ${soqlList(contactIds)}`) : [],
      leadIds.length ? query(`SELECT Id, Email FROM Lead WHERE Id IN ${soqlList(leadIds)}`) : [],
    ]);
    const known = new Map([...contacts, ...leads].map((r) => [r.Id, String(r.Email ?? '')]));
    const valid = items.filter(
      (i, index) => known.has(i.contactId) && items.findIndex((j) => sameLogItem(i, j)) === index,
    );
    const outcome = new Map<string, { id: string; created: boolean }>();
    if (valid.length > 0) {
      if (m.object === 'Task') await logAsTasks(valid, m.keyField, user.id, outcome);
      else await logAsEmailMessages(valid, m.keyField, known, outcome);
    }
    const reported = new Set<string>();
    const results: ActivityResult[] = items.map((i) => {
      const key = logKey(i.externalId, i.contactId);
      const done = outcome.get(key);
      if (!known.has(i.contactId) || !done)
        return {
          status: 'error',
          externalId: i.externalId,
          contactId: i.contactId,
          code: 'unknown_contact',
          message: `Salesforce has no contact or lead ${i.contactId}.`,
        };
      const first = done.created && !reported.has(key);
      reported.add(key);
      return {
        status: first ? 'created' : 'existing',
        externalId: i.externalId,
        contactId: i.contactId,
        id: done.id,
      };
    });
    return { results };
  }

  type Item = z.output<typeof LogActivitiesRequest>['activities'][number];

  async function logAsTasks(
    items: Item[],
    keyField: string | null,
    ownerId: string,
    outcome: Map<string, { id: string; created: boolean }>,
  ) {
    const record = (i: Item) => ({
      attributes: { type: 'Task' },
      WhoId: i.contactId,
      ...(i.contactId.startsWith('00Q') ? {} : { WhatId: i.dealId ?? i.companyId ?? null }),
      Subject: `Email: ${i.subject}`.slice(0, 255),
      Description: taskDescription(i, i.body ?? i.snippet).slice(0, 32_000),
      ActivityDate: i.occurredAt.slice(0, 10),
      Status: 'Completed',
      Priority: 'Normal',
      TaskSubtype: 'Email',
      OwnerId: ownerId,
    });
    if (keyField) {
      // One atomic upsert per (Message-ID, contact): no window for a duplicate.
      const saved = await collection(
        'PATCH',
        `/composite/sobjects/Task/${keyField}`,
        items.map((i) => ({ ...record(i), [keyField]: logKey(i.externalId, i.contactId) })),
        false,
      );
      saved.forEach((r, n) => {
        if (r.success && r.id)
          outcome.set(logKey(items[n]!.externalId, items[n]!.contactId), {
            id: r.id,
            created: r.created === true,
          });
      });
      return;
    }
    // Query-then-create (README: two writers in the same instant can both create).
    const subjects = [...new Set(items.map((i) => record(i).Subject))];
    const existing = await query(
      `SELECT Id, WhoId, Description FROM Task WHERE WhoId IN ${soqlList([...new Set(items.map((i) => i.contactId))])} AND TaskSubtype = 'Email' AND Subject IN ${soqlList(subjects)}`,
    );
    const missing: Item[] = [];
    for (const i of items) {
      const found = existing.find(
        (t) =>
          t.WhoId === i.contactId && String(t.Description ?? '').startsWith(`Message-ID: <${i.externalId}>`),
      );
      if (found) outcome.set(logKey(i.externalId, i.contactId), { id: found.Id, created: false });
      else missing.push(i);
    }
    const saved = await collection('POST', '/composite/sobjects', missing.map(record), false);
    saved.forEach((r, n) => {
      if (r.success && r.id)
        outcome.set(logKey(missing[n]!.externalId, missing[n]!.contactId), { id: r.id, created: true });
    });
  }

  /**
   * Enhanced Email: an EmailMessage per (Message-ID, contact) and its EmailMessageRelation to
   * the contact, written separately; the relation is checked and written again on every
   * attempt, so a retry links what an interrupted one left unlinked.
   */
  async function logAsEmailMessages(
    items: Item[],
    keyField: string | null,
    known: Map<string, string>,
    outcome: Map<string, { id: string; created: boolean }>,
  ) {
    const record = (i: Item) => ({
      attributes: { type: 'EmailMessage' },
      Subject: i.subject.slice(0, 3000),
      TextBody: (i.body ?? i.snippet).slice(0, 32_000),
      FromAddress: i.from.address,
      FromName: i.from.name,
      ToAddress: i.to.map((p) => p.address).join('; '),
      CcAddress: i.cc.map((p) => p.address).join('; '),
      MessageDate: i.occurredAt,
      Incoming: i.direction === 'incoming',
      Status: '3',
      MessageIdentifier: `<${i.externalId}>`,
      RelatedToId: i.contactId.startsWith('00Q') ? null : (i.dealId ?? i.companyId ?? null),
    });
    const messageOf = new Map<string, string>();
    if (keyField) {
      const saved = await collection(
        'PATCH',
        `/composite/sobjects/EmailMessage/${keyField}`,
        items.map((i) => ({ ...record(i), [keyField]: logKey(i.externalId, i.contactId) })),
        false,
      );
      saved.forEach((r, n) => {
        const key = logKey(items[n]!.externalId, items[n]!.contactId);
        if (r.success && r.id) {
          messageOf.set(key, r.id);
          outcome.set(key, { id: r.id, created: r.created === true });
        }
      });
    } else {
      // Query-then-create (README: two writers in the same instant can both create).
      const found = await query(
        `SELECT Id, MessageIdentifier FROM EmailMessage WHERE MessageIdentifier IN ${soqlList(items.map((i) => `<${i.externalId}>`))}`,
      );
      const linked = found.length
        ? await query(
            `SELECT Id, EmailMessageId, RelationId FROM EmailMessageRelation WHERE EmailMessageId IN ${soqlList(found.map((f) => f.Id))}`,
          )
        : [];
      const missing: Item[] = [];
      for (const i of items) {
        const message = found.find(
          (f) =>
            normaliseMessageId(String(f.MessageIdentifier)) === i.externalId &&
            linked.some((l) => l.EmailMessageId === f.Id && l.RelationId === i.contactId),
        );
        if (message) {
          messageOf.set(logKey(i.externalId, i.contactId), message.Id);
          outcome.set(logKey(i.externalId, i.contactId), { id: message.Id, created: false });
        } else missing.push(i);
      }
      const saved = await collection('POST', '/composite/sobjects', missing.map(record), false);
      saved.forEach((r, n) => {
        const key = logKey(missing[n]!.externalId, missing[n]!.contactId);
        if (r.success && r.id) {
          messageOf.set(key, r.id);
          outcome.set(key, { id: r.id, created: true });
        }
      });
    }
    const messageIds = [...new Set(messageOf.values())];
    if (messageIds.length === 0) return;
    const relations = await query(
      `SELECT Id, EmailMessageId, RelationId FROM EmailMessageRelation WHERE EmailMessageId IN ${soqlList(messageIds)}`,
    );
    const toLink = items.filter((i) => {
      const id = messageOf.get(logKey(i.externalId, i.contactId));
      return id && !relations.some((r) => r.EmailMessageId === id && r.RelationId === i.contactId);
    });
    // All-or-none: the relations of one batch land together or not at all (then the retry redoes them).
    const saved = await collection(
      'POST',
      '/composite/sobjects',
      toLink.map((i) => ({
        attributes: { type: 'EmailMessageRelation' },
        EmailMessageId: messageOf.get(logKey(i.externalId, i.contactId)),
        RelationId: i.contactId,
        RelationType: i.direction === 'incoming' ? 'FromAddress' : 'ToAddress',
        RelationAddress: known.get(i.contactId) ?? '',
      })),
      true,
    );
    const failed = saved.find((r) => !r.success);
    if (failed)
      throw new CrmError(
        'invalid_request',
        `Salesforce refused to link the emails: ${failed.errors[0]?.message ?? 'unknown error'}`,
      );
  }

  async function activitiesForMessage(externalId: string): Promise<EmailActivity[]> {
    const id = externalId.trim().toLowerCase();
    const m = await mode();
    if (m.object === 'Task') {
      if (!m.keyField)
        throw new CrmError(
          'unsupported',
          `Without the ${SALESFORCE_KEY_FIELDS.Task} field on Activity, emails logged by colleagues cannot be found; ask your Salesforce admin to add it (see the README).`,
        );
      const tasks = await query(
        `SELECT ${[...TASK_FIELDS, m.keyField].join(', ')} FROM Task WHERE ${m.keyField} LIKE ${soqlString(`%|${id}`)}`,
      );
      return toActivities(tasks, (t) => String(t.WhoId ?? ''));
    }
    const emails = await query(
      `SELECT ${EMAIL_FIELDS.join(', ')} FROM EmailMessage WHERE MessageIdentifier = ${soqlString(`<${id}>`)}`,
    );
    if (emails.length === 0) return [];
    const relations = await query(
      `SELECT Id, EmailMessageId, RelationId FROM EmailMessageRelation WHERE EmailMessageId IN ${soqlList(emails.map((e) => e.Id))}`,
    );
    const out: EmailActivity[] = [];
    for (const email of emails) {
      // A relation to a contact or lead (not to a user) is one activity; duplicates of a relation count once.
      const contacts = [
        ...new Set(relations.filter((r) => r.EmailMessageId === email.Id).map((r) => String(r.RelationId))),
      ].filter((c) => !c.startsWith('005'));
      for (const contactId of contacts) out.push(...(await toActivities([email], () => contactId)));
    }
    return out;
  }

  /**
   * The sync audit's batch question, at most 100 Message-IDs: EmailMessage by
   * `MessageIdentifier IN (...)` and their contact relations, or Tasks by their log key
   * (`contactId|Message-ID`, so one `LIKE` per Message-ID joined by OR). Queries travel in the
   * URL, whose length with the headers is limited to 16,384 bytes (414 / 431 beyond,
   * help.salesforce.com/s/articleView?id=000386264): they are split to keep the condition's
   * encoded length under `SOQL_CONDITION_BUDGET`.
   */
  async function findLoggedMessages(externalIds: readonly string[]): Promise<LoggedMessage[]> {
    if (externalIds.length > MAX_BATCH)
      throw new CrmError('invalid_request', `At most ${MAX_BATCH} Message-IDs can be checked at once.`, {
        status: 413,
      });
    const ids = [...new Set(externalIds.map((id) => id.trim().toLowerCase()))].filter((id) => id !== '');
    if (ids.length === 0) return [];
    const m = await mode();
    const byId = new Map<string, Set<string>>();
    const add = (externalId: string, contactId: string) => {
      if (contactId === '' || contactId.startsWith('005')) return; // a relation to a user is no activity
      const contacts = byId.get(externalId) ?? new Set<string>();
      contacts.add(contactId);
      byId.set(externalId, contacts);
    };
    if (m.object === 'Task') {
      const keyField = m.keyField;
      if (!keyField)
        throw new CrmError(
          'unsupported',
          `Without the ${SALESFORCE_KEY_FIELDS.Task} field on Activity, logged emails cannot be found; ask your Salesforce admin to add it (see the README).`,
        );
      for (const chunk of chunkByLength(ids, (id) => soqlString(`%|${id}`).length + keyField.length + 10)) {
        const where = chunk.map((id) => `${keyField} LIKE ${soqlString(`%|${id}`)}`).join(' OR ');
        for (const t of await query(`SELECT Id, WhoId, ${keyField} FROM Task WHERE ${where}`)) {
          const key = String(t[keyField] ?? '');
          const bar = key.indexOf('|');
          if (bar > 0) add(key.slice(bar + 1), String(t.WhoId ?? key.slice(0, bar)));
        }
      }
    } else {
      for (const chunk of chunkByLength(ids, (id) => soqlString(`<${id}>`).length + 2)) {
        const emails = await query(
          `SELECT Id, MessageIdentifier FROM EmailMessage WHERE MessageIdentifier IN ${soqlList(chunk.map((id) => `<${id}>`))}`,
        );
        if (emails.length === 0) continue;
        const relations = await query(
          `SELECT Id, EmailMessageId, RelationId FROM EmailMessageRelation WHERE EmailMessageId IN ${soqlList(emails.map((e) => String(e.Id)))}`,
        );
        for (const email of emails) {
          const externalId = normaliseMessageId(String(email.MessageIdentifier ?? ''));
          if (!externalId) continue;
          for (const r of relations)
            if (r.EmailMessageId === email.Id) add(externalId, String(r.RelationId ?? ''));
        }
      }
    }
    return [...byId].map(([externalId, contacts]) => ({ externalId, contactIds: [...contacts] }));
  }

  async function createTask(task: TaskInput): Promise<TaskResponse> {
    const parsed = TaskInput.safeParse(task);
    if (!parsed.success) throw new CrmError('invalid_request', 'The task needs a contact and a title.');
    const input = parsed.data;
    const [{ user }, m] = await Promise.all([me(), mode()]);
    await recordById(input.contactId);
    const fields = {
      attributes: { type: 'Task' },
      WhoId: input.contactId,
      Subject: input.title.slice(0, 255),
      Description: input.notes ?? null,
      ActivityDate: input.dueAt ? input.dueAt.slice(0, 10) : null,
      Priority: { low: 'Low', normal: 'Normal', high: 'High' }[input.priority],
      Status: 'Not Started',
      OwnerId: user.id,
    };
    const taskKeyField =
      m.object === 'Task'
        ? m.keyField
        : await describe('Task').then((d) => keyFieldOf(d, SALESFORCE_KEY_FIELDS.Task));
    let result: { id: string; created: boolean };
    if (taskKeyField && input.sourceExternalId) {
      const [saved] = await collection(
        'PATCH',
        `/composite/sobjects/Task/${taskKeyField}`,
        [
          {
            ...fields,
            [taskKeyField]: `task|${input.contactId}|${input.sourceExternalId}|${input.title}`.slice(0, 255),
          },
        ],
        false,
      );
      if (!saved?.success || !saved.id)
        throw new CrmError(
          'invalid_request',
          `Salesforce refused the task: ${saved?.errors[0]?.message ?? 'unknown error'}`,
        );
      result = { id: saved.id, created: saved.created === true };
    } else {
      const existing = input.sourceExternalId
        ? await query(
            `SELECT Id, Description FROM Task WHERE WhoId = ${soqlString(input.contactId)} AND Subject = ${soqlString(fields.Subject)}`,
          )
        : [];
      const marker = `Source: <${input.sourceExternalId}>`;
      const found = existing.find((t) => String(t.Description ?? '').includes(marker));
      if (found) result = { id: found.Id, created: false };
      else {
        const saved = await call('POST', `${dataBase}/sobjects/Task`, SaveResult, {
          ...fields,
          attributes: undefined,
          Description: input.sourceExternalId
            ? `${input.notes ?? ''}\n\n${marker}`.trim()
            : fields.Description,
        });
        result = { id: saved.id ?? '', created: true };
      }
    }
    return {
      status: result.created ? 'created' : 'existing',
      task: {
        id: result.id,
        contactId: input.contactId,
        title: input.title,
        notes: input.notes ?? null,
        dueAt: input.dueAt ?? null,
        priority: input.priority,
        sourceExternalId: input.sourceExternalId ?? null,
        createdAt: new Date().toISOString(),
      },
    };
  }

  return { logActivities, activitiesForMessage, findLoggedMessages, createTask };
}

/** The log key, cut to the length of a Salesforce text field (255). */
function logKey(externalId: string, contactId: string): string {
  return kitLogKey(externalId, contactId, 255);
}
