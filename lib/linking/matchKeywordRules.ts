import { type TaskInput, TaskPriority } from '../crm/contract';
import type { MailMessage } from '../mail/MailMessage';
import type { KeywordRule, PrivacyLevel } from '../settings/Settings';

export interface TaskAction {
  ruleId: string;
  /** `propose_task`: the panel offers it; `create_task`: created without asking. */
  action: KeywordRule['action'];
  keyword: string;
  matchedIn: 'subject' | 'body';
  /** Contract-shaped, ready for `CrmConnector.createTask`. */
  task: TaskInput & { priority: TaskPriority; dueAt: string | null; sourceExternalId: string | null };
  reason: string;
}

const DAY_MS = 86_400_000;
const regexCache = new Map<string, RegExp>();

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A case-insensitive whole-word matcher. "Word" is Unicode-aware (letters, marks, digits,
 * underscore), so `urgent` matches "URGENT:" and "(urgent)" but not "urgently", and
 * `prüfung` does not match inside "vorprüfung". Spaces in a keyword match any whitespace.
 */
export function keywordPattern(keyword: string): RegExp {
  const key = keyword.normalize('NFC');
  let pattern = regexCache.get(key);
  if (!pattern) {
    const body = key.trim().split(/\s+/u).map(escapeRegExp).join('\\s+');
    pattern = new RegExp(`(?<![\\p{L}\\p{M}\\p{N}_])${body}(?![\\p{L}\\p{M}\\p{N}_])`, 'iu');
    regexCache.set(key, pattern);
  }
  return pattern;
}

export function containsKeyword(text: string, keyword: string): boolean {
  return keywordPattern(keyword).test(text.normalize('NFC'));
}

/**
 * The task actions a message triggers under the user's keyword rules (docs/ARCHITECTURE.md, "Follow-up rules"): one per
 * matching rule and linked contact, with the rule's priority and a due date `dueInDays`
 * after `now`. The body is read when present (matching runs locally, so the privacy level
 * does not apply to matching, only to what the task's notes quote), else the snippet. Pure: no clock of its own.
 */
export function matchKeywordRules(
  message: Pick<MailMessage, 'subject' | 'body' | 'snippet' | 'messageId'>,
  rules: readonly KeywordRule[],
  contactIds: readonly string[],
  now: Date,
  /** The privacy level: below `snippet` the task's notes do not quote the subject either. */
  privacyLevel: PrivacyLevel = 'snippet',
): TaskAction[] {
  if (contactIds.length === 0 || rules.length === 0) return [];
  const bodyText = message.body ?? message.snippet;
  const actions: TaskAction[] = [];
  for (const rule of rules) {
    let matchedIn: TaskAction['matchedIn'] | null = null;
    if (rule.field !== 'body' && containsKeyword(message.subject, rule.keyword)) matchedIn = 'subject';
    else if (rule.field !== 'subject' && containsKeyword(bodyText, rule.keyword)) matchedIn = 'body';
    if (matchedIn === null) continue;
    const dueAt =
      rule.dueInDays === null ? null : new Date(now.getTime() + rule.dueInDays * DAY_MS).toISOString();
    for (const contactId of contactIds) {
      actions.push({
        ruleId: rule.id,
        action: rule.action,
        keyword: rule.keyword,
        matchedIn,
        task: {
          contactId,
          title: rule.taskTitle,
          notes: (privacyLevel === 'metadata'
            ? `"${rule.keyword}" in the ${matchedIn} of an email`
            : `"${rule.keyword}" in the ${matchedIn} of "${message.subject}"`
          ).slice(0, 10_000),
          dueAt,
          priority: TaskPriority.parse(rule.priority),
          sourceExternalId: message.messageId,
        },
        reason: `keyword "${rule.keyword}" found in the ${matchedIn}`,
      });
    }
  }
  return actions;
}
