import { describe, expect, it } from 'vitest';
import { linkMessages } from '../../../lib/background/MessagePipeline';
import { LinkIndex } from '../../../lib/linking/LinkIndex';
import { createLinkingContext } from '../../../lib/linking/linkMessage';
import {
  type FolderRole,
  type MailAddress,
  MailMessage,
  type MailMessageInput,
} from '../../../lib/mail/MailMessage';
import { company, contact, settings } from '../linking/linkingFixtures';

// The rep's mailbox is riley@ourco.example; Riley sends as the team alias sales@ourco.example
// (Gmail "Send mail as"), which is not a connected mailbox, so a reply to the alias is not
// "addressed to the user" by its recipients. Only the Message-ID it answers says it is.
const REP = 'riley@ourco.example';
const ALIAS = 'sales@ourco.example';
const GLOBEX = company('com_globex', 'Globex', ['globex.example']);
const SUPPORT = contact('con_support', 'Globex Support', ['support@globex.example'], GLOBEX.id);
const index = new LinkIndex([SUPPORT], [GLOBEX]);
const context = createLinkingContext({
  ownAddresses: [REP],
  orgDomains: ['ourco.example'],
  settings: settings(),
});

// Zendesk stamps these on all its outbound mail, agents' replies included
// (https://support.zendesk.com/hc/en-us/articles/4408836366362); the same values as the
// helpdesk case in tests/unit/mail/detectAutomatedMail.test.ts.
const ZENDESK_HEADERS = {
  'auto-submitted': 'auto-generated',
  'x-auto-response-suppress': 'All',
  'x-mailer': 'Zendesk Mailer',
};

function message(
  input: Partial<MailMessageInput> & Pick<MailMessageInput, 'providerMessageId'>,
): MailMessage {
  return MailMessage.parse({
    provider: 'gmail',
    mailbox: REP,
    providerThreadId: 'thread-1',
    messageId: `${input.providerMessageId}@mail.example`,
    date: '2025-03-10T09:00:00.000Z',
    folderRole: 'inbox',
    ...input,
  });
}

const SUPPORT_ADDRESS = { name: 'Globex Support', address: 'support@globex.example' };

/** A message to Globex Support whose Message-ID is `<id>@ourco.example`. */
function toSupport(id: string, folderRole: FolderRole, from: MailAddress): MailMessage {
  return message({
    providerMessageId: id,
    messageId: `${id}@ourco.example`,
    folderRole,
    from,
    to: [SUPPORT_ADDRESS],
    subject: 'Order 4411 arrived damaged',
  });
}

const sent = toSupport('q1', 'sent', { name: 'Sales at Ourco', address: ALIAS });

function replyTo(inReplyTo: string, headers: Record<string, string> = ZENDESK_HEADERS): MailMessage {
  return message({
    providerMessageId: 'r1',
    date: '2025-03-10T10:00:00.000Z',
    from: { ...SUPPORT_ADDRESS, name: 'Dana (Globex Support)' },
    to: [{ name: 'Sales at Ourco', address: ALIAS }],
    subject: 'Re: Order 4411 arrived damaged',
    snippet: 'Hi Riley, sorry about the damaged parcel…',
    inReplyTo,
    references: [inReplyTo],
    headers,
  });
}

describe('linkMessages: a received reply to the rep’s own message', () => {
  it('is logged although its helpdesk headers look automated, when the rep’s message is in the same view', () => {
    const reply = replyTo('q1@ourco.example');
    const [, linked] = linkMessages([sent, reply], index, context);
    expect(linked?.message).toBe(reply);
    expect(linked?.links.automated).toMatchObject({ automated: false });
    expect(linked?.links.automated.counter.map((c) => c.signal)).toContain('reply_to_user');
    expect(linked?.links.automated.reason).toContain('a reply to a message you sent');
    expect(linked?.links.autoLog.log).toBe(true);
    expect(linked?.links.contacts.map((c) => c.contact.id)).toEqual([SUPPORT.id]);
  });

  it('is known from the Message-IDs the caller read before the batch (a sync pass’s Sent folder)', () => {
    const withSent = { ...context, sentMessageIds: new Set(['q1@ourco.example']) };
    const [linked] = linkMessages([replyTo('q1@ourco.example')], index, withSent);
    expect(linked?.links.automated.automated).toBe(false);
    expect(linked?.links.autoLog.log).toBe(true);
  });

  it('without the rep’s message in sight the same reply is skipped as automated', () => {
    const [linked] = linkMessages([replyTo('q1@ourco.example')], index, context);
    expect(linked?.links.automated).toMatchObject({ automated: true, signal: 'auto_submitted' });
    expect(linked?.links.autoLog).toMatchObject({ log: false, skip: { rule: 'automated' } });
  });

  it('answering someone else’s message, or a draft of the rep’s, is not a reply to the rep', () => {
    const colleague = toSupport('c1', 'inbox', { name: 'Sam', address: 'sam@ourco.example' });
    const draft = toSupport('d1', 'drafts', { name: 'Riley', address: REP });
    for (const [earlier, answered] of [
      [colleague, 'c1@ourco.example'],
      [draft, 'd1@ourco.example'],
    ] as const) {
      const [, linked] = linkMessages([earlier, replyTo(answered)], index, context);
      expect(linked?.links.autoLog).toMatchObject({ log: false, skip: { rule: 'automated' } });
    }
  });

  it('an out-of-office answer to the rep’s message stays skipped: decisive evidence is never offset', () => {
    const [, linked] = linkMessages(
      [sent, replyTo('q1@ourco.example', { 'auto-submitted': 'auto-replied' })],
      index,
      context,
    );
    expect(linked?.links.automated).toMatchObject({ automated: true, category: 'auto_reply' });
    expect(linked?.links.autoLog.log).toBe(false);
  });
});
