import { z } from 'zod';
import type { EmailActivity } from '../../crm/contract';
import { definePanelFeature, type ThreadViewContext } from './PanelFeature';

/**
 * Who in the organisation last emailed someone, and when ("Sam Okafor, 3 days ago"), from the
 * CRM's own logged emails. Only who and when: the "metadata" privacy level every logged email
 * has at least, so the line never shows more than the email's own level allows (no subject,
 * no preview).
 */
export const LastTeamEmail = z.object({
  /** The CRM user who logged the email (the sender of sent mail logged by the extension). */
  userId: z.string(),
  name: z.string(),
  /** The signed-in rep: the panel says "You". */
  self: z.boolean(),
  at: z.string(),
});
export type LastTeamEmail = z.infer<typeof LastTeamEmail>;

export const TeamContactsView = z.object({
  /** By contact id: the newest outgoing email to the person the CRM holds. */
  byContact: z.record(z.string(), LastTeamEmail),
  /** By company id: the newest outgoing email to anyone of the company among the thread's people. */
  byCompany: z.record(z.string(), LastTeamEmail),
});
export type TeamContactsView = z.infer<typeof TeamContactsView>;

function newestOutgoing(activities: readonly EmailActivity[]): EmailActivity | null {
  let newest: EmailActivity | null = null;
  for (const a of activities) {
    if (a.direction !== 'outgoing') continue;
    if (!newest || Date.parse(a.occurredAt) > Date.parse(newest.occurredAt)) newest = a;
  }
  return newest;
}

function lastEmail(activity: EmailActivity, meId: string, meName: string): LastTeamEmail {
  const self = activity.loggedBy === meId;
  return {
    userId: activity.loggedBy,
    name: self ? meName : activity.loggedByName || activity.from.name || 'A colleague',
    self,
    at: activity.occurredAt,
  };
}

/** From the cards' recent activities (the contact detail the card already loaded): no extra CRM call. */
function buildTeamContacts({ session, cards }: ThreadViewContext): TeamContactsView {
  const { id: meId, name: meName } = session.me.user;
  const byContact: Record<string, LastTeamEmail> = {};
  const byCompanyActivity = new Map<string, EmailActivity>();
  for (const card of cards) {
    if (!card.detailLoaded) continue;
    const newest = newestOutgoing(card.recentActivities);
    if (!newest) continue;
    byContact[card.contact.id] = lastEmail(newest, meId, meName);
    const companyId = card.company?.id;
    if (!companyId) continue;
    const current = byCompanyActivity.get(companyId);
    if (!current || Date.parse(newest.occurredAt) > Date.parse(current.occurredAt))
      byCompanyActivity.set(companyId, newest);
  }
  const byCompany: Record<string, LastTeamEmail> = {};
  for (const [companyId, activity] of byCompanyActivity)
    byCompany[companyId] = lastEmail(activity, meId, meName);
  return { byContact, byCompany };
}

/** "Who on the team knows them": a line on each card, read-only (no messages). */
export const teamContacts = definePanelFeature({
  messages: {},
  handlers: () => ({}),
  view: {
    schema: TeamContactsView.default({ byContact: {}, byCompany: {} }),
    build: buildTeamContacts,
  },
});
