import { z } from 'zod';
import { TaskInput } from '../../crm/contract';
import { matchKeywordRules } from '../../linking/matchKeywordRules';
import { definePanelFeature, type ThreadViewContext } from './PanelFeature';

/** A keyword rule's "propose task" for a contact of this thread (docs/ARCHITECTURE.md, "Follow-up rules"); the user decides. */
export const SuggestedTask = z.object({
  key: z.string(),
  contactId: z.string(),
  contactName: z.string(),
  title: z.string(),
  priority: z.enum(['low', 'normal', 'high']),
  dueAt: z.string().nullable(),
  sourceExternalId: z.string().nullable(),
  /** Why it is suggested ("“urgent” in the subject"). */
  reason: z.string(),
});
export type SuggestedTask = z.infer<typeof SuggestedTask>;

/** Every distinct propose-task action of the thread's messages, oldest message first. */
export function suggestTasks({ session, linked, now }: ThreadViewContext): SuggestedTask[] {
  // A CRM without tasks gets no suggestions (the panel hides what the CRM cannot do).
  if (!session.connector.info.capabilities.tasks) return [];
  const seen = new Set<string>();
  const result: SuggestedTask[] = [];
  for (const { message, links } of linked.messages) {
    const contacts = links.contacts.map((c) => c.contact);
    const actions = matchKeywordRules(
      message,
      session.settings.keywordRules,
      contacts.map((c) => c.id),
      now,
      session.settings.privacyLevel,
    );
    for (const action of actions) {
      if (action.action !== 'propose_task') continue;
      const key = `${action.task.sourceExternalId ?? message.providerMessageId} ${action.task.contactId} ${action.task.title}`;
      if (seen.has(key)) continue;
      seen.add(key);
      result.push({
        key,
        contactId: action.task.contactId,
        contactName: contacts.find((c) => c.id === action.task.contactId)?.name ?? '',
        title: action.task.title,
        priority: action.task.priority,
        dueAt: action.task.dueAt,
        sourceExternalId: action.task.sourceExternalId,
        reason: action.reason,
      });
    }
  }
  return result;
}

/** Suggested follow-ups: proposed by keyword rules in the thread view, created on a click. */
export const suggestedFollowUps = definePanelFeature({
  messages: {
    /** Creates a suggested follow-up; the CRM makes it idempotent on (source email, contact, title). */
    'task.create': {
      request: z.object({ task: TaskInput }),
      response: z.object({ status: z.enum(['created', 'existing']) }),
      senders: ['extension'],
    },
  },
  handlers: (context) => ({
    'task.create': async ({ task }) => {
      const session = await context.session();
      const { status } = await session.connector.createTask(task);
      return { status };
    },
  }),
  view: { schema: z.array(SuggestedTask).default([]), build: suggestTasks },
});
