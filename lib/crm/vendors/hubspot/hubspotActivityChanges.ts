import { z } from 'zod';
import type { ActivityChange, ActivityRemoval, LoggedActivityRef } from '../../CrmConnector';
import { CrmError } from '../../CrmError';
import { activityChange } from '../../connectorKit/activityChange';
import type { HubSpotApi } from './hubspotApi';
import type { HubSpotMapping } from './hubspotMapping';
import { EMAIL_PROPERTIES } from './hubspotMapping';

/**
 * The receipt's Undo and Redact on HubSpot. The connector logs one email object per
 * (Message-ID, contact) (hubspotLogging.ts), so each acts on that object:
 * - remove: archive it, DELETE /crm/v3/objects/emails/{emailId} (204,
 *   https://developers.hubspot.com/docs/api-reference/crm-emails-v3/basic/delete-crm-v3-objects-emails-emailId);
 *   one no longer there is `absent`.
 * - redact: PATCH /crm/v3/objects/emails/{emailId} with `hs_email_subject` and
 *   `hs_email_text` emptied; the headers (who), `hs_timestamp` (when), owner, log key and
 *   associations kept.
 * Move is not offered yet (capability off): it would replace the email's contact or deal
 * association through the associations v4 API, which this connector does not write beyond
 * the default labels it creates.
 */
export function hubspotActivityChanges(api: HubSpotApi, mapping: HubSpotMapping) {
  const { call, readBatch } = api;

  async function stored(ref: LoggedActivityRef) {
    if (!/^\d{1,20}$/.test(ref.id)) return undefined;
    const [email] = await readBatch('emails', [ref.id], EMAIL_PROPERTIES);
    return email;
  }

  const changed = activityChange;

  async function removeActivity(ref: LoggedActivityRef): Promise<ActivityRemoval> {
    if (!(await stored(ref))) return { status: 'absent' };
    try {
      await call('DELETE', `/crm/v3/objects/emails/${encodeURIComponent(ref.id)}`, z.unknown());
      return { status: 'removed' };
    } catch (error) {
      // Archived by someone else between the read and the delete.
      if (error instanceof CrmError && error.kind === 'not_found') return { status: 'absent' };
      throw error;
    }
  }

  async function redactActivity(ref: LoggedActivityRef): Promise<ActivityChange> {
    const before = await stored(ref);
    if (!before) throw new CrmError('not_found', `HubSpot has no logged email ${ref.id}.`, { status: 404 });
    const current = await mapping.toActivity(before, ref.contactId);
    if (current.subject === '' && current.snippet === '' && !current.body)
      return changed('unchanged', current);
    await call('PATCH', `/crm/v3/objects/emails/${encodeURIComponent(ref.id)}`, z.unknown(), {
      properties: { hs_email_subject: '', hs_email_text: '' },
    });
    const after = await stored(ref);
    if (!after) throw new CrmError('not_found', `HubSpot has no logged email ${ref.id}.`, { status: 404 });
    return changed('changed', await mapping.toActivity(after, ref.contactId));
  }

  async function moveActivity(): Promise<ActivityChange> {
    throw new CrmError('unsupported', 'HubSpot: the extension cannot move a logged email there yet.');
  }

  return { removeActivity, redactActivity, moveActivity };
}
