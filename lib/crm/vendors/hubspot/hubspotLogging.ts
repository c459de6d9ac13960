import { CrmError } from '../../CrmError';
import { checkedLogBatch } from '../../connectorKit/checkedLogBatch';
import { logKey, parseLogKey } from '../../connectorKit/logKey';
import {
  type ActivityResult,
  type EmailActivity,
  type EmailActivityInput,
  type LogActivitiesResponse,
  type LoggedMessage,
  MAX_BATCH,
  TaskInput,
  type TaskResponse,
} from '../../contract';
import type { HubSpotApi } from './hubspotApi';
import { MESSAGE_BATCH, MESSAGE_BATCH_WINDOW_MS } from './hubspotApi';
import type { HubSpotMapping } from './hubspotMapping';
import { EMAIL_PROPERTIES, emailProperties, HUBSPOT_PROPERTIES, isoOr } from './hubspotMapping';
import { type HubSpotObject, HubSpotUpsertResponse } from './hubspotSchemas';

/** Logging emails and tasks once, and finding what is logged for a Message-ID. */
export function hubspotLogging(api: HubSpotApi, mapping: HubSpotMapping) {
  const { call, search, searchAll, readBatch, associate, me, emailSchema, taskSchema } = api;
  const { toActivity } = mapping;
  async function logActivities(activities: EmailActivityInput[]): Promise<LogActivitiesResponse> {
    const items = checkedLogBatch(activities);
    const [{ user }] = await Promise.all([me(), emailSchema()]);
    const contactIds = [...new Set(items.map((i) => i.contactId))];
    const known = new Set((await readBatch('contacts', contactIds, ['email'])).map((c) => c.id));
    const keyOf = (i: (typeof items)[number]) => logKey(i.externalId, i.contactId);
    const valid = items.filter((i) => known.has(i.contactId));
    const keys = [...new Set(valid.map(keyOf))];
    // Already logged (by anyone): left as they are, so a colleague's email keeps its owner.
    const existing = new Map<string, string>();
    for (const e of await readBatch(
      'emails',
      keys,
      [HUBSPOT_PROPERTIES.emailLogKey],
      HUBSPOT_PROPERTIES.emailLogKey,
    ))
      existing.set(e.properties[HUBSPOT_PROPERTIES.emailLogKey] ?? '', e.id);
    const created = new Map<string, string>();
    const toWrite = valid.filter(
      (i, index) => !existing.has(keyOf(i)) && valid.findIndex((j) => keyOf(j) === keyOf(i)) === index,
    );
    if (toWrite.length > 0) {
      const answer = await call('POST', '/crm/v3/objects/emails/batch/upsert', HubSpotUpsertResponse, {
        inputs: toWrite.map((i) => ({
          idProperty: HUBSPOT_PROPERTIES.emailLogKey,
          id: keyOf(i),
          properties: emailProperties(i, user.id),
        })),
      });
      for (const r of answer.results) {
        const key = r.properties[HUBSPOT_PROPERTIES.emailLogKey] ?? '';
        (r.new ? created : existing).set(key, r.id);
      }
    }
    const idOf = (i: (typeof items)[number]) => created.get(keyOf(i)) ?? existing.get(keyOf(i));
    // Associations are separate writes: redone for every item, so a retry links what an
    // earlier, interrupted attempt left unlinked.
    const linked = valid.filter((i) => idOf(i));
    const failedContacts = await associate(
      'emails',
      'contacts',
      linked.map((i) => ({ from: idOf(i)!, to: i.contactId })),
    );
    await Promise.all([
      associate(
        'emails',
        'companies',
        linked.filter((i) => i.companyId).map((i) => ({ from: idOf(i)!, to: i.companyId! })),
      ),
      associate(
        'emails',
        'deals',
        linked.filter((i) => i.dealId).map((i) => ({ from: idOf(i)!, to: i.dealId! })),
      ),
    ]);
    const reported = new Set<string>();
    const results: ActivityResult[] = items.map((i) => {
      const id = idOf(i);
      if (!known.has(i.contactId) || !id || failedContacts.has(i.contactId))
        return {
          status: 'error',
          externalId: i.externalId,
          contactId: i.contactId,
          code: 'unknown_contact',
          message: `HubSpot has no contact ${i.contactId}.`,
        };
      const key = keyOf(i);
      const first = created.has(key) && !reported.has(key);
      reported.add(key);
      return { status: first ? 'created' : 'existing', externalId: i.externalId, contactId: i.contactId, id };
    });
    return { results };
  }

  /**
   * "Already logged, by anyone?" for the messages of an opened thread. Questions asked within
   * MESSAGE_BATCH_WINDOW_MS of each other (the panel asks for every message at once) are
   * answered together: those naming the thread's contacts by one batch read on the unique
   * log key (contact|Message-ID, not rate-limited like search), the others by one search with
   * an IN filter on the Message-ID property.
   */
  type MessageQuestion = {
    /** Lower-cased, as the Message-ID property is searched. */
    id: string;
    /** As given, as the log key was written. */
    externalId: string;
    contactIds: readonly string[] | null;
    resolve(a: EmailActivity[]): void;
    reject(e: unknown): void;
  };
  const messageQueue: { open: MessageQuestion[] | null } = { open: null };
  async function flushMessages(batch: MessageQuestion[]) {
    try {
      await emailSchema();
      const byKey = batch.filter((q) => q.contactIds !== null);
      const bySearch = [...new Set(batch.filter((q) => q.contactIds === null).map((q) => q.id))];
      const keys = [...new Set(byKey.flatMap((q) => q.contactIds!.map((c) => logKey(q.externalId, c))))];
      const [read, searched] = await Promise.all([
        keys.length > 0
          ? readBatch('emails', keys, EMAIL_PROPERTIES, HUBSPOT_PROPERTIES.emailLogKey)
          : Promise.resolve([]),
        bySearch.length > 0
          ? searchAll('emails', {
              filterGroups: [
                {
                  filters: [
                    { propertyName: HUBSPOT_PROPERTIES.emailMessageId, operator: 'IN', values: bySearch },
                  ],
                },
              ],
              properties: EMAIL_PROPERTIES,
            })
          : Promise.resolve([]),
      ]);
      const all = new Map([...read, ...searched].map((e) => [e.id, e]));
      const activities = await Promise.all(
        [...all.values()].map(async (e) => ({ e, a: await toActivity(e, '') })),
      );
      const messageIdOf = (e: HubSpotObject) =>
        (e.properties[HUBSPOT_PROPERTIES.emailMessageId] ?? '').trim().toLowerCase();
      for (const q of batch) {
        const wanted = q.contactIds ? new Set(q.contactIds.map((c) => logKey(q.externalId, c))) : null;
        q.resolve(
          activities
            .filter(({ e }) =>
              wanted
                ? wanted.has(e.properties[HUBSPOT_PROPERTIES.emailLogKey] ?? '')
                : messageIdOf(e) === q.id,
            )
            .map(({ a }) => a),
        );
      }
    } catch (error) {
      for (const q of batch) q.reject(error);
    }
  }

  function activitiesForMessage(
    externalId: string,
    options: { contactIds?: readonly string[] } = {},
  ): Promise<EmailActivity[]> {
    const id = externalId.trim().toLowerCase();
    const contactIds =
      options.contactIds && options.contactIds.length > 0 ? [...new Set(options.contactIds)] : null;
    return new Promise((resolve, reject) => {
      let batch = messageQueue.open;
      if (!batch) {
        const opened: MessageQuestion[] = [];
        batch = opened;
        messageQueue.open = opened;
        setTimeout(() => {
          if (messageQueue.open === opened) messageQueue.open = null;
          void flushMessages(opened);
        }, MESSAGE_BATCH_WINDOW_MS);
      }
      batch.push({ id, externalId: externalId.trim(), contactIds, resolve, reject });
      // A full batch takes no more questions; the next one opens a new batch.
      if (batch.length >= MESSAGE_BATCH) messageQueue.open = null;
    });
  }

  /**
   * The sync audit's batch question: one search on the Message-ID property with the IN
   * operator (its `values` list holds at most 100 entries, developers.hubspot.com/docs/api-reference/2026-03/crm/search-the-crm),
   * paged by `after` at 200 results a page; each email's log key names its contact.
   */
  async function findLoggedMessages(externalIds: readonly string[]): Promise<LoggedMessage[]> {
    if (externalIds.length > MAX_BATCH)
      throw new CrmError('invalid_request', `At most ${MAX_BATCH} Message-IDs can be checked at once.`, {
        status: 413,
      });
    const values = [...new Set(externalIds.map((id) => id.trim().toLowerCase()))];
    if (values.length === 0) return [];
    await emailSchema();
    const byId = new Map<string, Set<string>>();
    let after: string | undefined;
    do {
      const answer = await search('emails', {
        filterGroups: [
          { filters: [{ propertyName: HUBSPOT_PROPERTIES.emailMessageId, operator: 'IN', values }] },
        ],
        properties: [HUBSPOT_PROPERTIES.emailLogKey, HUBSPOT_PROPERTIES.emailMessageId],
        limit: 200,
        ...(after !== undefined ? { after } : {}),
      });
      for (const email of answer.results) {
        const key = parseLogKey(email.properties[HUBSPOT_PROPERTIES.emailLogKey]);
        if (!key) continue;
        const contacts = byId.get(key.externalId) ?? new Set<string>();
        contacts.add(key.contactId);
        byId.set(key.externalId, contacts);
      }
      after = answer.paging?.next?.after;
    } while (after !== undefined);
    return [...byId].map(([externalId, contacts]) => ({ externalId, contactIds: [...contacts] }));
  }

  async function createTask(task: TaskInput): Promise<TaskResponse> {
    const parsed = TaskInput.safeParse(task);
    if (!parsed.success) throw new CrmError('invalid_request', 'The task needs a contact and a title.');
    const input = parsed.data;
    const [{ user }] = await Promise.all([me(), taskSchema()]);
    const [contact] = await readBatch('contacts', [input.contactId], ['email']);
    if (!contact)
      throw new CrmError('not_found', `HubSpot has no contact ${input.contactId}.`, { status: 404 });
    // Without a source message a task has no natural key: each call is a new task.
    const key = input.sourceExternalId
      ? `${input.contactId}|${input.sourceExternalId}|${input.title}`
      : `${input.contactId}|${crypto.randomUUID()}`;
    const answer = await call('POST', '/crm/v3/objects/tasks/batch/upsert', HubSpotUpsertResponse, {
      inputs: [
        {
          idProperty: HUBSPOT_PROPERTIES.taskKey,
          id: key,
          properties: {
            hs_task_subject: input.title,
            hs_task_body: input.notes ?? '',
            hs_timestamp: input.dueAt ?? new Date().toISOString(),
            hs_task_priority: { low: 'LOW', normal: 'MEDIUM', high: 'HIGH' }[input.priority],
            hs_task_status: 'NOT_STARTED',
            hubspot_owner_id: user.id,
          },
        },
      ],
    });
    const result = answer.results[0];
    if (!result) throw new CrmError('invalid_response', 'HubSpot did not return the task.');
    await associate('tasks', 'contacts', [{ from: result.id, to: input.contactId }]);
    return {
      status: result.new ? 'created' : 'existing',
      task: {
        id: result.id,
        contactId: input.contactId,
        title: input.title,
        notes: input.notes ?? null,
        dueAt: input.dueAt ?? null,
        priority: input.priority,
        sourceExternalId: input.sourceExternalId ?? null,
        createdAt: isoOr(result.properties.hs_createdate, result.createdAt),
      },
    };
  }

  return { logActivities, activitiesForMessage, findLoggedMessages, createTask };
}
