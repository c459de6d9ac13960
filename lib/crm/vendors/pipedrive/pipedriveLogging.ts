import { CrmError } from '../../CrmError';
import { checkedLogBatch } from '../../connectorKit/checkedLogBatch';
import { offsetActivityPage } from '../../connectorKit/offsetActivityPage';
import {
  type ActivityPage,
  type ActivityResult,
  type EmailActivity,
  type EmailActivityInput,
  type LogActivitiesResponse,
  TaskInput,
  type TaskResponse,
} from '../../contract';
import type { PipedriveAccountReader } from './pipedriveAccount';
import type { PipedriveHttp } from './pipedriveHttp';
import { isPipedriveId, personsByIds } from './pipedriveLookups';
import {
  dueAt,
  type EmailToLog,
  emailActivityBody,
  escapeHtml,
  isoFrom,
  markerOf,
  markerParagraph,
  toEmailActivity,
} from './pipedriveMapping';
import { PipedriveActivity, PipedriveDeleted } from './pipedriveSchemas';

/** One record to hold once per key on a person: what to create when it is missing. */
interface KeyedWrite {
  key: string;
  body: Record<string, unknown>;
}
type WriteOutcome = { status: 'created' | 'existing'; id: number; addTime: string };

/** The key an activity this connector wrote is known by; null for activities logged otherwise. */
function keyOf(activity: PipedriveActivity): string | null {
  const marker = markerOf(activity.note);
  if (!marker) return null;
  if (activity.type === 'email' && marker.kind !== 'Follow-up') return emailKey(marker.externalId);
  if (activity.type === 'task' && marker.kind === 'Follow-up')
    return taskKey(marker.externalId, activity.subject ?? '');
  return null;
}
const emailKey = (externalId: string) => `email|${externalId}`;
const taskKey = (externalId: string, title: string) => `task|${externalId}|${title}`;

/**
 * Logging emails (and follow-up tasks) once per (Message-ID, person).
 *
 * Pipedrive has no unique field or upsert for activities and no search over them (item
 * search covers deals, persons, organizations, products, leads, files, mail attachments
 * and projects: src/versions/v2/api/item-search-api.ts), but it lists a person's
 * activities, by every user, straight from its store (GET /api/v2/activities?person_id=,
 * "activities whose primary participant is the given person"). So a write is:
 *  1. list the person's activities; an activity whose note ends with this Message-ID is
 *     the email, already logged (by anyone): answered `existing`, nothing written;
 *  2. otherwise create it, then list again: when several tabs (or a retry after a lost
 *     answer) created it at once, the lowest id wins; each writer deletes its own losers
 *     (and any other copy of the same user), so one activity stays and every writer
 *     answers with the winner's id, `created` only for the one whose copy won. A copy left
 *     by a tab that stopped in between is removed the next time that email is logged.
 * Ids grow with creation order, so every writer that sees the same copies picks the same one.
 */
export function createPipedriveLogging(http: PipedriveHttp, account: PipedriveAccountReader) {
  async function activitiesOf(personId: string): Promise<PipedriveActivity[]> {
    return http.all(
      '/api/v2/activities',
      { person_id: personId, sort_by: 'id', sort_direction: 'asc' },
      PipedriveActivity,
    );
  }

  function index(activities: PipedriveActivity[]): Map<string, PipedriveActivity[]> {
    const byKey = new Map<string, PipedriveActivity[]>();
    for (const a of activities) {
      const key = keyOf(a);
      if (key) byKey.set(key, [...(byKey.get(key) ?? []), a]);
    }
    for (const list of byKey.values()) list.sort((a, b) => a.id - b.id);
    return byKey;
  }

  async function deleteCopy(id: number) {
    try {
      await http.delete(`/api/v2/activities/${id}`, PipedriveDeleted);
    } catch (error) {
      // Another tab removed the same copy first.
      if (!(error instanceof CrmError && error.kind === 'not_found')) throw error;
    }
  }

  async function writeOnce(personId: string, writes: KeyedWrite[]): Promise<Map<string, WriteOutcome>> {
    const { id: myUserId } = await account.user();
    const outcomes = new Map<string, WriteOutcome>();
    const before = index(await activitiesOf(personId));
    const created = new Map<string, PipedriveActivity>();
    for (const write of writes) {
      if (outcomes.has(write.key) || created.has(write.key)) continue;
      const [found, ...copies] = before.get(write.key) ?? [];
      if (found) {
        outcomes.set(write.key, { status: 'existing', id: found.id, addTime: found.add_time });
        // Copies a tab left when it stopped between its create and its second list.
        for (const copy of copies) if (copy.owner_id === myUserId) await deleteCopy(copy.id);
      } else created.set(write.key, await http.post('/api/v2/activities', PipedriveActivity, write.body));
    }
    if (created.size === 0) return outcomes;
    const after = index(await activitiesOf(personId));
    for (const [key, own] of created) {
      const copies = [own, ...(after.get(key) ?? []).filter((c) => c.id !== own.id)];
      const winner = copies.reduce((low, c) => (c.id < low.id ? c : low));
      outcomes.set(key, {
        status: winner.id === own.id ? 'created' : 'existing',
        id: winner.id,
        addTime: winner.add_time,
      });
      const losers = new Set(
        copies.filter((c) => c.id !== winner.id && (c === own || c.owner_id === myUserId)).map((c) => c.id),
      );
      for (const id of losers) await deleteCopy(id);
    }
    return outcomes;
  }

  async function logActivities(activities: EmailActivityInput[]): Promise<LogActivitiesResponse> {
    const items = checkedLogBatch(activities);
    const { id: ownerId } = await account.user();
    const known = new Set(
      (
        await personsByIds(
          http,
          items.map((i) => i.contactId),
        )
      ).map((p) => String(p.id)),
    );
    const outcomes = new Map<string, WriteOutcome>();
    for (const contactId of new Set(items.map((i) => i.contactId).filter((c) => known.has(c)))) {
      const writes = items
        .filter((i) => i.contactId === contactId)
        .map((i) => ({ key: emailKey(i.externalId), body: emailActivityBody(validIds(i), ownerId) }));
      for (const [key, outcome] of await writeOnce(contactId, writes))
        outcomes.set(`${contactId}|${key}`, outcome);
    }
    const reported = new Set<string>();
    const results: ActivityResult[] = items.map((i) => {
      const key = `${i.contactId}|${emailKey(i.externalId)}`;
      const outcome = outcomes.get(key);
      if (!outcome)
        return {
          status: 'error',
          externalId: i.externalId,
          contactId: i.contactId,
          code: 'unknown_contact',
          message: `Pipedrive has no person ${i.contactId}.`,
        };
      // The same email twice in one batch: the first is what happened, the rest "existing".
      const status = reported.has(key) ? 'existing' : outcome.status;
      reported.add(key);
      return { status, externalId: i.externalId, contactId: i.contactId, id: String(outcome.id) };
    });
    return { results };
  }

  /** A person's emails, newest first: every activity of type `email`, logged here or in Pipedrive. */
  async function emailsOf(contactId: string): Promise<EmailActivity[]> {
    if (!isPipedriveId(contactId)) return [];
    const [activities, map] = await Promise.all([activitiesOf(contactId), account.mapping()]);
    return activities
      .filter((a) => a.type === 'email')
      .map((a) => toEmailActivity(a, map))
      .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt) || Number(b.id) - Number(a.id));
  }

  async function listContactActivities(
    contactId: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<ActivityPage> {
    const all = await emailsOf(contactId);
    return offsetActivityPage(all, page);
  }

  /**
   * What is logged for a Message-ID on the given persons, by anyone. Pipedrive can answer
   * this per person only (see above): without `contactIds` the question is account-wide,
   * which is why the connector declares no `colleagueActivity`.
   */
  async function activitiesForMessage(
    externalId: string,
    options: { contactIds?: readonly string[] } = {},
  ): Promise<EmailActivity[]> {
    if (!options.contactIds || options.contactIds.length === 0)
      throw new CrmError(
        'unsupported',
        'Pipedrive cannot find a logged email by its Message-ID across all persons: activities are not searchable.',
      );
    const id = externalId.trim();
    const out: EmailActivity[] = [];
    for (const contactId of new Set(options.contactIds))
      out.push(...(await emailsOf(contactId)).filter((a) => a.externalId === id));
    return out;
  }

  /**
   * A follow-up as an activity of type `task`, not done, due when asked. With a source
   * message it is held once per (person, Message-ID, title) like an email; without one each
   * call is a new task. Pipedrive's activity priorities are account-specific options
   * (GET activityFields), so the priority is not sent.
   */
  async function createTask(task: TaskInput): Promise<TaskResponse> {
    const parsed = TaskInput.safeParse(task);
    if (!parsed.success) throw new CrmError('invalid_request', 'The task needs a contact and a title.');
    const input = parsed.data;
    const known = isPipedriveId(input.contactId) ? await personsByIds(http, [input.contactId]) : [];
    if (known.length === 0)
      throw new CrmError('not_found', `Pipedrive has no person ${input.contactId}.`, { status: 404 });
    const { id: ownerId } = await account.user();
    const source = input.sourceExternalId ?? null;
    const body = {
      subject: input.title,
      type: 'task',
      owner_id: ownerId,
      done: false,
      ...(input.dueAt ? dueAt(input.dueAt) : {}),
      participants: [{ person_id: Number(input.contactId), primary: true }],
      note: [
        input.notes ? `<p>${escapeHtml(input.notes).replace(/\r?\n/g, '<br>')}</p>` : '',
        source ? markerParagraph('Follow-up', source) : '',
      ].join(''),
    };
    let outcome: WriteOutcome;
    if (source) {
      const key = taskKey(source, input.title);
      outcome = (await writeOnce(input.contactId, [{ key, body }])).get(key)!;
    } else {
      const created = await http.post('/api/v2/activities', PipedriveActivity, body);
      outcome = { status: 'created', id: created.id, addTime: created.add_time };
    }
    return {
      status: outcome.status,
      task: {
        id: String(outcome.id),
        contactId: input.contactId,
        title: input.title,
        notes: input.notes ?? null,
        dueAt: input.dueAt ?? null,
        priority: input.priority,
        sourceExternalId: source,
        createdAt: isoFrom(outcome.addTime),
      },
    };
  }

  /**
   * Moves a logged email to another deal, or off any (PATCH /api/v2/activities/{id},
   * "Update an activity", src/versions/v2/api/activities-api.ts).
   */
  async function relinkActivityDeal(activityId: string, dealId: string | null): Promise<void> {
    if (!isPipedriveId(activityId))
      throw new CrmError('not_found', `Pipedrive has no activity ${activityId}.`, { status: 404 });
    if (dealId !== null && !isPipedriveId(dealId))
      throw new CrmError('invalid_request', `Pipedrive has no deal ${dealId}.`);
    await http.patch(`/api/v2/activities/${activityId}`, PipedriveActivity, {
      deal_id: dealId === null ? null : Number(dealId),
    });
  }

  return { logActivities, listContactActivities, activitiesForMessage, createTask, relinkActivityDeal };
}

/** Company and deal ids go out as numbers; one that is not a Pipedrive id is left off. */
function validIds(item: EmailToLog): EmailToLog {
  return {
    ...item,
    companyId: item.companyId && isPipedriveId(item.companyId) ? item.companyId : null,
    dealId: item.dealId && isPipedriveId(item.dealId) ? item.dealId : null,
  };
}

export type PipedriveLogging = ReturnType<typeof createPipedriveLogging>;
