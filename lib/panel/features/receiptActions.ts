import { z } from 'zod';
import type { CrmSession } from '../../background/CrmSession';
import { CrmError } from '../../crm/CrmError';
import { EmailActivityInput, RecordId } from '../../crm/contract';
import { definePanelFeature, type FeatureContext, type ThreadViewContext } from './PanelFeature';

/** The connector's handle on one logged activity (named through the session: features never import connectors). */
type LoggedActivityRef = Parameters<CrmSession['connector']['removeActivity']>[0];

/**
 * What the receipt offers after a log: Undo (remove from the CRM), Move (another deal or
 * another contact of the thread) and Redact (who and when only), each where the CRM can
 * (its capabilities) and for emails the rep logged, or anyone's when the CRM says the rep
 * is an admin (`GET /me` role).
 */
export const ReceiptActionsView = z.object({
  remove: z.boolean(),
  move: z.boolean(),
  /** A move to a deal also needs the CRM's deals. */
  moveToDeal: z.boolean(),
  redact: z.boolean(),
  /** The CRM says the rep is an admin: they may change colleagues' logged emails too. */
  admin: z.boolean(),
});
export type ReceiptActionsView = z.infer<typeof ReceiptActionsView>;

function buildActionsView({ session }: ThreadViewContext): ReceiptActionsView {
  const can = session.connector.info.capabilities;
  return {
    remove: can.removeActivity,
    move: can.moveActivity,
    moveToDeal: can.moveActivity && can.deals,
    redact: can.redactActivity,
    admin: session.me.user.role === 'admin',
  };
}

type StoredInput = z.output<typeof EmailActivityInput>;

const Target = z.object({
  externalId: z.string().min(1),
  /** The contacts to act on; empty: every contact the email is logged to (that the rep may change). */
  contactIds: z.array(RecordId).max(100).default([]),
});

const Changed = z.object({
  /** Per contact: what it was before, for the receipt's undo. */
  changed: z.array(
    z.object({
      contactId: z.string(),
      /** `remove`: the activity as it was, so Undo logs it again. */
      activity: EmailActivityInput.nullable(),
      /** `move`: where it was. */
      from: z.object({ contactId: z.string(), dealId: z.string().nullable() }).nullable(),
      /** `move`: where it is now. */
      to: z.object({ contactId: z.string(), dealId: z.string().nullable() }).nullable(),
    }),
  ),
  /** Already so (removed in another tab, moved already): nothing was changed for these. */
  unchanged: z.number(),
});
export type ReceiptChange = z.infer<typeof Changed>;

/**
 * The activities of one email the rep may change: their own (from the registry), and, for an
 * admin, colleagues' as the CRM lists them. Each with its stored content where the CRM shows it.
 */
async function activitiesOf(
  context: FeatureContext,
  session: CrmSession,
  externalId: string,
  contactIds: readonly string[],
) {
  const row = await context.registry.get(session.me.user.id, externalId);
  const wanted = (id: string) => contactIds.length === 0 || contactIds.includes(id);
  const stored = session.connector.info.capabilities.colleagueActivity
    ? await session.connector.activitiesForMessage(
        externalId,
        contactIds.length > 0 ? { contactIds } : undefined,
      )
    : [];
  const admin = session.me.user.role === 'admin';
  const byContact = new Map<
    string,
    { ref: LoggedActivityRef; dealId: string | null; input: StoredInput | null }
  >();
  for (const [contactId, logged] of Object.entries(row?.activities ?? {})) {
    if (!wanted(contactId)) continue;
    const found = stored.find((a) => a.id === logged.activityId);
    byContact.set(contactId, {
      ref: { id: logged.activityId, externalId, contactId },
      dealId: found?.dealId ?? null,
      input: found ? inputOf(found) : null,
    });
  }
  for (const a of stored) {
    if (byContact.has(a.contactId) || !wanted(a.contactId)) continue;
    if (a.loggedBy !== session.me.user.id && !admin) continue;
    byContact.set(a.contactId, {
      ref: { id: a.id, externalId, contactId: a.contactId },
      dealId: a.dealId,
      input: inputOf(a),
    });
  }
  if (byContact.size === 0)
    throw new CrmError(
      'not_found',
      `No logged email ${externalId} that you may change was found in the CRM.`,
    );
  return [...byContact.values()];
}

function inputOf(activity: z.input<typeof EmailActivityInput> & object): StoredInput | null {
  const parsed = EmailActivityInput.safeParse(activity);
  return parsed.success ? parsed.data : null;
}

/**
 * Undo, Move and Redact on a receipt. Each runs only from the panel (extension UI, after the
 * click guard), acts through the connector, and keeps the registry true to what the CRM
 * holds: a removal is remembered as "removed by you", so the sync, another tab and the audit's
 * "Log missing" never log it there again; logging it again (Undo) clears that.
 */
export const receiptActions = definePanelFeature({
  messages: {
    'activity.remove': { request: Target, response: Changed, senders: ['extension'] },
    /** Undo of a removal: logs the activities again and forgets that the rep removed them. */
    'activity.restore': {
      request: z.object({ activities: z.array(EmailActivityInput).min(1).max(100) }),
      response: z.object({ restored: z.number() }),
      senders: ['extension'],
    },
    'activity.move': {
      request: Target.extend({
        to: z.union([z.object({ dealId: RecordId.nullable() }), z.object({ contactId: RecordId })]),
      }),
      response: Changed,
      senders: ['extension'],
    },
    'activity.redact': { request: Target, response: Changed, senders: ['extension'] },
  },
  handlers: (context) => ({
    'activity.remove': async ({ externalId, contactIds }) => {
      const session = await context.session();
      const result: ReceiptChange = { changed: [], unchanged: 0 };
      for (const a of await activitiesOf(context, session, externalId, contactIds)) {
        const removed = await session.connector.removeActivity(a.ref);
        await context.registry.markRemoved(session.me.user.id, externalId, a.ref.contactId);
        if (removed.status === 'absent') result.unchanged++;
        else result.changed.push({ contactId: a.ref.contactId, activity: a.input, from: null, to: null });
      }
      context.forgetThreadViews();
      return result;
    },
    'activity.restore': async ({ activities }) => {
      const session = await context.session();
      const crmUserId = session.me.user.id;
      for (const a of activities)
        await context.registry.unmarkRemoved(crmUserId, a.externalId, [a.contactId]);
      const answer = await session.connector.logActivities(activities);
      await context.registry.markLogged(crmUserId, answer.results);
      context.forgetThreadViews();
      return { restored: answer.results.filter((r) => r.status !== 'error').length };
    },
    'activity.move': async ({ externalId, contactIds, to }) => {
      const session = await context.session();
      const result: ReceiptChange = { changed: [], unchanged: 0 };
      for (const a of await activitiesOf(context, session, externalId, contactIds)) {
        const moved = await session.connector.moveActivity(a.ref, to);
        if (moved.status === 'unchanged') {
          result.unchanged++;
          continue;
        }
        if ('contactId' in to)
          await context.registry.markMoved(session.me.user.id, externalId, a.ref.contactId, {
            contactId: moved.activity.contactId,
            activityId: moved.activity.id,
          });
        result.changed.push({
          contactId: a.ref.contactId,
          activity: null,
          from: { contactId: a.ref.contactId, dealId: a.dealId },
          to: { contactId: moved.activity.contactId, dealId: moved.activity.dealId },
        });
      }
      context.forgetThreadViews();
      return result;
    },
    'activity.redact': async ({ externalId, contactIds }) => {
      const session = await context.session();
      const result: ReceiptChange = { changed: [], unchanged: 0 };
      for (const a of await activitiesOf(context, session, externalId, contactIds)) {
        const redacted = await session.connector.redactActivity(a.ref);
        if (redacted.status === 'unchanged') result.unchanged++;
        else result.changed.push({ contactId: a.ref.contactId, activity: null, from: null, to: null });
      }
      context.forgetThreadViews();
      return result;
    },
  }),
  view: { schema: ReceiptActionsView.nullable().default(null), build: buildActionsView },
});
