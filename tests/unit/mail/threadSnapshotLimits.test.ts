import { describe, expect, it } from 'vitest';
import { ThreadSnapshot, type ThreadSnapshotInput } from '../../../lib/mail/MailMessage';

/**
 * What a (possibly hostile) page may make a content script send: docs/SECURITY.md's threat
 * model, "Mail content is hostile" (subject, recipient and message limits).
 */
function snapshot(
  overrides: { subject?: string; recipients?: number; messages?: number } = {},
): ThreadSnapshotInput {
  const to = Array.from({ length: overrides.recipients ?? 1 }, (_, i) => ({
    name: '',
    address: `p${i}@acme.example`,
  }));
  return {
    provider: 'outlook',
    mailbox: 'rep@ourco.example',
    threadId: 't1',
    subject: overrides.subject ?? 'Hello',
    messages: Array.from({ length: overrides.messages ?? 1 }, (_, i) => ({
      provider: 'outlook',
      mailbox: 'rep@ourco.example',
      providerMessageId: `m${i}`,
      providerThreadId: 't1',
      messageId: null,
      messageIdSource: 'none',
      from: { name: 'Jane', address: 'jane@acme.example' },
      to,
      subject: overrides.subject ?? 'Hello',
      date: '2026-11-20T09:14:00Z',
      folderRole: 'inbox',
    })),
  };
}

function problems(input: ThreadSnapshotInput): string[] {
  const parsed = ThreadSnapshot.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
}

describe('ThreadSnapshot limits at the messaging boundary', () => {
  it('accepts real-sized threads up to the limits', () => {
    expect(problems(snapshot({ subject: 'x'.repeat(998), recipients: 500, messages: 100 }))).toEqual([]);
  });

  it('refuses a 1 MB subject, 20,000 recipients and 101 messages, saying which limit', () => {
    expect(problems(snapshot({ subject: 'x'.repeat(1_000_000) }))).toContain(
      'a subject is at most 998 characters',
    );
    expect(problems(snapshot({ recipients: 20_000 }))).toContain(
      'a message has at most 500 recipients (this one has 20000)',
    );
    expect(problems(snapshot({ messages: 101 }))).toContain('a thread has at most 100 messages');
  });
});
