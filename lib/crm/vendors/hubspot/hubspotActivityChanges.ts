import { z } from 'zod';
import type { ActivityChange, ActivityMove, ActivityRemoval, LoggedActivityRef } from '../../CrmConnector';
import { CrmError } from '../../CrmError';
import { activityChange } from '../../connectorKit/activityChange';
import { logKey } from '../../connectorKit/logKey';
import type { HubSpotApi } from './hubspotApi';
import type { HubSpotMapping } from './hubspotMapping';
import { EMAIL_PROPERTIES, HUBSPOT_PROPERTIES } from './hubspotMapping';
import { HubSpotObject } from './hubspotSchemas';

/**
 * A v3 object read with `associations=deals`: `associations.deals.results[].id`
 * (https://developers.hubspot.com/docs/api-reference/crm-emails-v3/basic/get-crm-v3-objects-emails-emailId).
 */
const EmailWithDeals = HubSpotObject.extend({
  associations: z.record(z.string(), z.object({ results: z.array(z.object({ id: z.string() })) })).optional(),
});

/**
 * The receipt's Undo and Redact on HubSpot. The connector logs one email object per
 * (Message-ID, contact) (hubspotLogging.ts), so each acts on that object:
 * - remove: archive it, DELETE /crm/v3/objects/emails/{emailId} (204,
 *   https://developers.hubspot.com/docs/api-reference/crm-emails-v3/basic/delete-crm-v3-objects-emails-emailId);
 *   one no longer there is `absent`.
 * - redact: PATCH /crm/v3/objects/emails/{emailId} with `hs_email_subject` and
 *   `hs_email_text` emptied; the headers (who), `hs_timestamp` (when), owner, log key and
 *   associations kept.
 * - move: the email's associations change through the associations v4 API
 *   (https://developers.hubspot.com/docs/api-reference/latest/crm/associations/associate-records/guide):
 *   PUT /crm/v4/objects/emails/{id}/associations/default/{deals|contacts}/{toId} creates the
 *   default (unlabelled) association, DELETE /crm/v4/objects/emails/{id}/associations/{type}/{toId}
 *   removes every association between the two records. To a deal: the new deal associated,
 *   the others removed (null removes them all). To a contact: the new contact associated, the
 *   old one removed, and the log key moved to the new (contact, Message-ID); when the new
 *   contact already has this email logged, the source is archived and the target's answered.
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

  const notFound = (ref: LoggedActivityRef) =>
    new CrmError('not_found', `HubSpot has no logged email ${ref.id}.`, { status: 404 });
  const association = (id: string, toType: 'deals' | 'contacts', toId: string, label = '') =>
    `/crm/v4/objects/emails/${encodeURIComponent(id)}/associations/${label}${toType}/${encodeURIComponent(toId)}`;

  async function withDeals(id: string) {
    const email = await call(
      'GET',
      `/crm/v3/objects/emails/${encodeURIComponent(id)}?${new URLSearchParams({
        properties: EMAIL_PROPERTIES.join(','),
        associations: 'deals',
      })}`,
      EmailWithDeals,
    );
    return { email, deals: (email.associations?.deals?.results ?? []).map((r) => r.id) };
  }
  async function answer(status: ActivityChange['status'], id: string, contactId: string) {
    const { email, deals } = await withDeals(id);
    const activity = await mapping.toActivity(email, contactId);
    return changed(status, { ...activity, contactId, dealId: deals[0] ?? null });
  }
  async function mustExist(type: 'deals' | 'contacts', id: string) {
    const found = /^\d{1,20}$/.test(id) ? await readBatch(type, [id], []) : [];
    if (found.length === 0)
      throw new CrmError('invalid_request', `HubSpot has no ${type === 'deals' ? 'deal' : 'contact'} ${id}.`);
  }

  async function moveActivity(ref: LoggedActivityRef, to: ActivityMove): Promise<ActivityChange> {
    if (!(await stored(ref))) throw notFound(ref);
    if ('dealId' in to) {
      const { deals } = await withDeals(ref.id);
      const same = to.dealId === null ? deals.length === 0 : deals.length === 1 && deals[0] === to.dealId;
      if (same) return answer('unchanged', ref.id, ref.contactId);
      if (to.dealId !== null) {
        await mustExist('deals', to.dealId);
        await call('PUT', association(ref.id, 'deals', to.dealId, 'default/'), z.unknown());
      }
      for (const deal of deals.filter((d) => d !== to.dealId))
        await call('DELETE', association(ref.id, 'deals', deal), z.unknown());
      return answer('changed', ref.id, ref.contactId);
    }
    if (to.contactId === ref.contactId) return answer('unchanged', ref.id, ref.contactId);
    await mustExist('contacts', to.contactId);
    const [already] = await readBatch(
      'emails',
      [logKey(ref.externalId, to.contactId)],
      EMAIL_PROPERTIES,
      HUBSPOT_PROPERTIES.emailLogKey,
    );
    if (already && already.id !== ref.id) {
      await removeActivity(ref);
      return answer('changed', already.id, to.contactId);
    }
    await call('PUT', association(ref.id, 'contacts', to.contactId, 'default/'), z.unknown());
    await call('DELETE', association(ref.id, 'contacts', ref.contactId), z.unknown());
    await call('PATCH', `/crm/v3/objects/emails/${encodeURIComponent(ref.id)}`, z.unknown(), {
      properties: { [HUBSPOT_PROPERTIES.emailLogKey]: logKey(ref.externalId, to.contactId) },
    });
    return answer('changed', ref.id, to.contactId);
  }

  return { removeActivity, redactActivity, moveActivity };
}
