import { describe, expect, it } from 'vitest';
import { TaskInput } from '../../../lib/crm/contract';
import { containsKeyword, matchKeywordRules } from '../../../lib/linking/matchKeywordRules';
import { KeywordRule } from '../../../lib/settings/Settings';

const now = new Date('2024-05-14T10:00:00.000Z');
const rule = (r: Partial<KeywordRule> & Pick<KeywordRule, 'keyword'>): KeywordRule =>
  KeywordRule.parse({
    id: `r-${r.keyword}`,
    field: 'subject_or_body',
    action: 'propose_task',
    taskTitle: 'Follow up',
    ...r,
  });

const message = {
  subject: 'Re: Quote for Q3 – URGENT',
  snippet: 'Please send the revised pricing proposal',
  body: undefined,
  messageId: 'abc@mail.gmail.com',
};

describe('containsKeyword', () => {
  it('matches whole words case-insensitively', () => {
    expect(containsKeyword('URGENT: call me', 'urgent')).toBe(true);
    expect(containsKeyword('(urgent)', 'Urgent')).toBe(true);
    expect(containsKeyword('urgently needed', 'urgent')).toBe(false);
    expect(containsKeyword('nonurgent', 'urgent')).toBe(false);
  });

  it('is Unicode-aware', () => {
    expect(containsKeyword('Angebot für die Prüfung', 'PRÜFUNG')).toBe(true);
    expect(containsKeyword('Vorprüfung abgeschlossen', 'prüfung')).toBe(false);
    expect(containsKeyword('Ñandú pricing', 'ñandú')).toBe(true);
    // NFD input still matches an NFC keyword.
    expect(containsKeyword('Pru\u0308fung', 'Prüfung')).toBe(true);
  });

  it('treats regex characters literally and spaces as any whitespace', () => {
    expect(containsKeyword('price (v2.0) attached', '(v2.0)')).toBe(true);
    expect(containsKeyword('a c++ question', 'c++')).toBe(true);
    expect(containsKeyword('pricing\n  proposal', 'pricing proposal')).toBe(true);
    expect(containsKeyword('v2x0', 'v2.0')).toBe(false);
  });
});

describe('matchKeywordRules', () => {
  it('proposes a task per linked contact with priority and due date from now', () => {
    const actions = matchKeywordRules(
      message,
      [rule({ keyword: 'urgent', priority: 'high', dueInDays: 1 })],
      ['c1', 'c2'],
      now,
    );
    expect(actions).toHaveLength(2);
    expect(actions[0]).toMatchObject({
      ruleId: 'r-urgent',
      action: 'propose_task',
      matchedIn: 'subject',
      task: {
        contactId: 'c1',
        title: 'Follow up',
        priority: 'high',
        dueAt: '2024-05-15T10:00:00.000Z',
        sourceExternalId: 'abc@mail.gmail.com',
      },
    });
    for (const a of actions) expect(() => TaskInput.parse(a.task)).not.toThrow();
  });

  it('honours the field of the rule', () => {
    expect(matchKeywordRules(message, [rule({ keyword: 'pricing', field: 'subject' })], ['c1'], now)).toEqual(
      [],
    );
    expect(
      matchKeywordRules(
        message,
        [rule({ keyword: 'pricing', field: 'body', action: 'create_task' })],
        ['c1'],
        now,
      ),
    ).toEqual([
      expect.objectContaining({
        matchedIn: 'body',
        action: 'create_task',
        task: expect.objectContaining({ dueAt: null }),
      }),
    ]);
  });

  it('prefers the body when present and returns nothing without contacts', () => {
    const withBody = { ...message, body: 'We need a contract renewal soon.' };
    expect(
      matchKeywordRules(withBody, [rule({ keyword: 'renewal', field: 'body' })], ['c1'], now),
    ).toHaveLength(1);
    expect(matchKeywordRules(withBody, [rule({ keyword: 'renewal' })], [], now)).toEqual([]);
  });
});
