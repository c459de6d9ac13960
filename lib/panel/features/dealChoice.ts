import { z } from 'zod';
import type { Deal } from '../../crm/contract';
import { ThreadDealChoice, threadKeyOfMessage } from '../../logging/ThreadDealChoices';
import { definePanelFeature, type ThreadViewContext } from './PanelFeature';

/**
 * Deal stages are free text per CRM; closed deals are recognised by the names the
 * common CRMs use ("closedwon" in HubSpot, "Closed Won"/"Closed Lost" elsewhere).
 */
const CLOSED_STAGE = /^closed[\s_-]?(won|lost)?$|^(won|lost)$/i;

export function isOpenDeal(deal: Pick<Deal, 'stage'>): boolean {
  return !CLOSED_STAGE.test(deal.stage.trim());
}

export const OfferedDeal = z.object({
  id: z.string(),
  name: z.string(),
  stage: z.string(),
  url: z.string(),
  /** Whose deal it is in this thread ("Jane Doe, Sam Lee"). */
  people: z.array(z.string()),
});
export type OfferedDeal = z.infer<typeof OfferedDeal>;

export const DealChoiceView = z.object({
  /** The conversation the choice is stored for; null when the webmail gave no thread id. */
  threadKey: z.string().nullable(),
  /** The open deals of the thread's contacts, each once. */
  offered: z.array(OfferedDeal),
  /** The stored choice; null when the rep has not chosen (then nothing is guessed). */
  chosen: ThreadDealChoice.nullable(),
  /** Whether the CRM lets the extension move already-logged emails to another deal. */
  relinkSupported: z.boolean(),
});
export type DealChoiceView = z.infer<typeof DealChoiceView>;

function latestThreadKey({ linked }: ThreadViewContext): string | null {
  for (let i = linked.messages.length - 1; i >= 0; i--) {
    const key = threadKeyOfMessage(linked.messages[i]!.message);
    if (key) return key;
  }
  return null;
}

async function buildDealChoice(context: ThreadViewContext): Promise<DealChoiceView> {
  const byId = new Map<string, OfferedDeal>();
  for (const card of context.cards) {
    for (const deal of card.deals) {
      if (!isOpenDeal(deal)) continue;
      const offered = byId.get(deal.id) ?? { ...pickDeal(deal), people: [] };
      if (!offered.people.includes(card.contact.name)) offered.people.push(card.contact.name);
      byId.set(deal.id, offered);
    }
  }
  const threadKey = latestThreadKey(context);
  return {
    threadKey,
    offered: [...byId.values()],
    chosen: threadKey ? await context.threadDeals.get(threadKey) : null,
    relinkSupported: typeof context.session.connector.relinkActivityDeal === 'function',
  };
}

function pickDeal(deal: Deal): Omit<OfferedDeal, 'people'> {
  return { id: deal.id, name: deal.name, stage: deal.stage, url: deal.url };
}

export const DealChoiceResult = z.object({
  chosen: ThreadDealChoice.nullable(),
  /** Already-logged activities of the thread moved to the new deal. */
  relinked: z.number(),
  /** Already-logged activities left on their earlier deal, and why. */
  notRelinked: z.number(),
  notice: z.string().nullable(),
});
export type DealChoiceResult = z.infer<typeof DealChoiceResult>;

/**
 * Log to a chosen deal: the rep picks one of the thread's open deals (or "no deal"); it is
 * stored for the thread in the background, so the panel's logs, the sync and other tabs
 * link later messages to it without asking. Changing it moves the thread's logged emails
 * where the CRM allows it and says so where it does not.
 */
export const dealChoice = definePanelFeature({
  messages: {
    'deal.choose': {
      request: z.object({
        threadKey: z.string().min(1),
        /** null: "no deal" (a choice: nothing is guessed later). */
        dealId: z.string().nullable(),
        dealName: z.string().nullable(),
        /** The Message-IDs (externalIds) of the thread's messages, to move what is already logged. */
        externalIds: z.array(z.string()).max(500).default([]),
      }),
      response: DealChoiceResult,
      senders: ['extension'],
    },
    /** Forgets the choice (undo of a first choice): later messages are again logged without a deal. */
    'deal.clear': {
      request: z.object({ threadKey: z.string().min(1) }),
      response: z.object({}),
      senders: ['extension'],
    },
  },
  handlers: (context) => ({
    'deal.choose': async ({ threadKey, dealId, dealName, externalIds }) => {
      const session = await context.session();
      const chosen = await context.threadDeals.set(threadKey, { dealId, dealName });
      context.forgetThreadViews();
      const activityIds: string[] = [];
      for (const externalId of new Set(externalIds)) {
        const row = await context.registry.get(session.me.user.id, externalId);
        for (const logged of Object.values(row?.activities ?? {})) activityIds.push(logged.activityId);
      }
      if (activityIds.length === 0) return { chosen, relinked: 0, notRelinked: 0, notice: null };
      const relink = session.connector.relinkActivityDeal?.bind(session.connector);
      if (!relink) {
        return {
          chosen,
          relinked: 0,
          notRelinked: activityIds.length,
          notice: `${plural(activityIds.length, 'email already logged keeps', 'emails already logged keep')} the earlier deal: this CRM does not let the sidebar change the deal of a logged email. Change it in the CRM; new messages of this thread go to the new choice.`,
        };
      }
      let relinked = 0;
      for (const id of activityIds) {
        try {
          await relink(id, dealId);
          relinked++;
        } catch {
          // Counted and said below; the choice itself is stored either way.
        }
      }
      const notRelinked = activityIds.length - relinked;
      return {
        chosen,
        relinked,
        notRelinked,
        notice:
          notRelinked > 0
            ? `${plural(notRelinked, 'logged email', 'logged emails')} could not be moved to the new deal. Try again, or change it in the CRM.`
            : null,
      };
    },
    'deal.clear': async ({ threadKey }) => {
      await context.threadDeals.clear(threadKey);
      context.forgetThreadViews();
      return {};
    },
  }),
  view: { schema: DealChoiceView.nullable().default(null), build: buildDealChoice },
});

function plural(n: number, one: string, many: string): string {
  return n === 1 ? `1 ${one}` : `${n} ${many}`;
}
