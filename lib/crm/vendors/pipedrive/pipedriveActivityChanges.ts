import type { ActivityChange, ActivityMove, ActivityRemoval, LoggedActivityRef } from '../../CrmConnector';
import { CrmError } from '../../CrmError';
import { activityChange } from '../../connectorKit/activityChange';
import type { EmailActivity } from '../../contract';
import type { PipedriveAccountReader } from './pipedriveAccount';
import type { PipedriveHttp } from './pipedriveHttp';
import type { PipedriveLogging } from './pipedriveLogging';
import { isPipedriveId, personsByIds } from './pipedriveLookups';
import { emailActivityBody, NO_SUBJECT, toEmailActivity } from './pipedriveMapping';
import { PipedriveActivity, PipedriveDeleted } from './pipedriveSchemas';

/**
 * The receipt's Undo, Move and Redact on Pipedrive. An email is one activity per person
 * (pipedriveLogging.ts), so each change acts on that activity:
 * - remove: DELETE /api/v2/activities/{id} ("marks an activity as deleted", client-nodejs
 *   src/versions/v2/api/activities-api.ts); one already gone answers 404, read as `absent`.
 * - move to a deal: PATCH /api/v2/activities/{id} `deal_id` ("Update an activity").
 * - move to a person: the email is logged to that person (once, like any log) and this
 *   person's activity deleted; the activity's primary participant is not changed in place,
 *   since the once-per-person key lives in each person's own list.
 * - redact: PATCH `subject` and `note` to the who-and-when form (no subject, no text), the
 *   Message-ID marker kept so the email stays logged once.
 */
export function createPipedriveActivityChanges(
  http: PipedriveHttp,
  account: PipedriveAccountReader,
  logging: PipedriveLogging,
) {
  async function current(ref: LoggedActivityRef): Promise<{ raw: PipedriveActivity; email: EmailActivity }> {
    if (isPipedriveId(ref.id) && isPipedriveId(ref.contactId)) {
      const list = await http.all(
        '/api/v2/activities',
        { person_id: ref.contactId, sort_by: 'id', sort_direction: 'asc' },
        PipedriveActivity,
      );
      const raw = list.find((a) => String(a.id) === ref.id);
      if (raw) return { raw, email: toEmailActivity(raw, await account.mapping()) };
    }
    throw new CrmError('not_found', `Pipedrive has no logged email ${ref.id} for person ${ref.contactId}.`, {
      status: 404,
    });
  }

  const changed = activityChange;

  async function removeActivity(ref: LoggedActivityRef): Promise<ActivityRemoval> {
    if (!isPipedriveId(ref.id)) return { status: 'absent' };
    try {
      await http.delete(`/api/v2/activities/${ref.id}`, PipedriveDeleted);
      return { status: 'removed' };
    } catch (error) {
      if (error instanceof CrmError && error.kind === 'not_found') return { status: 'absent' };
      throw error;
    }
  }

  async function moveActivity(ref: LoggedActivityRef, to: ActivityMove): Promise<ActivityChange> {
    const { email } = await current(ref);
    if ('dealId' in to) {
      if (email.dealId === to.dealId) return changed('unchanged', email);
      if (to.dealId !== null && !isPipedriveId(to.dealId))
        throw new CrmError('invalid_request', `Pipedrive has no deal ${to.dealId}.`);
      await logging.relinkActivityDeal(ref.id, to.dealId);
      return changed('changed', { ...email, dealId: to.dealId });
    }
    if (to.contactId === ref.contactId) return changed('unchanged', email);
    if ((await personsByIds(http, [to.contactId])).length === 0)
      throw new CrmError('invalid_request', `Pipedrive has no person ${to.contactId}.`);
    const { id: _id, loggedBy: _by, loggedByName: _name, createdAt: _at, ...input } = email;
    const [result] = (await logging.logActivities([{ ...input, contactId: to.contactId }])).results;
    if (!result || result.status === 'error')
      throw new CrmError('invalid_response', `Pipedrive did not log the email to person ${to.contactId}.`);
    await removeActivity(ref);
    return changed('changed', { ...email, id: result.id, contactId: to.contactId });
  }

  async function redactActivity(ref: LoggedActivityRef): Promise<ActivityChange> {
    const { raw, email } = await current(ref);
    if (email.subject === '' && email.snippet === '' && !email.body) return changed('unchanged', email);
    const { id: ownerId } = await account.user();
    const { note } = emailActivityBody({ ...email, subject: '', snippet: '', body: undefined }, ownerId);
    const updated = await http.patch(`/api/v2/activities/${raw.id}`, PipedriveActivity, {
      subject: NO_SUBJECT,
      note,
    });
    return changed('changed', toEmailActivity(updated, await account.mapping()));
  }

  return { removeActivity, moveActivity, redactActivity };
}
