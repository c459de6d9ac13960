import { describe, expect, it } from 'vitest';
import { findGraphSentMessage } from '../../../../../lib/mail/outlook/api/findGraphSentMessage';
import type { GraphMessage, ListMessagesParams } from '../../../../../lib/mail/outlook/api/GraphClient';

const ME = 'dana.whitfield@northwind-trading.com';
const CONVERSATION = 'AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQAPnHs8M_Tk_l9vYwqJ5=';

/**
 * Sent Items messages in the shape of Graph's message resource
 * (https://learn.microsoft.com/en-us/graph/api/resources/message: id, internetMessageId,
 * conversationId, subject, toRecipients/ccRecipients of emailAddress {name, address},
 * sentDateTime/receivedDateTime as ISO 8601 UTC, isDraft). The values are ours.
 */
function item(n: number, overrides: Partial<GraphMessage> = {}): GraphMessage {
  return {
    id: `AAMkAGI2TG93AAA${n}=`,
    internetMessageId: `<SENT-${n}@NAMPRD01.PROD.OUTLOOK.COM>`,
    conversationId: CONVERSATION,
    subject: 'RE: Pilot results and next steps',
    from: { emailAddress: { name: 'Dana Whitfield', address: ME } },
    toRecipients: [{ emailAddress: { name: 'Alice Moreau', address: 'Alice.Moreau@acme-robotics.com' } }],
    ccRecipients: [],
    sentDateTime: '2026-11-20T10:00:03Z',
    receivedDateTime: '2026-11-20T10:00:03Z',
    isDraft: false,
    ...overrides,
  } as GraphMessage;
}

function client(value: GraphMessage[]) {
  const calls: ListMessagesParams[] = [];
  return {
    calls,
    listMessages: async (params: ListMessagesParams) => {
      calls.push(params);
      return { value };
    },
  };
}

const query = {
  subject: 'RE:  Pilot results and next steps',
  to: ['alice.moreau@acme-robotics.com'],
  conversationId: 'AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQAPnHs8M+Tk+l9vYwqJ5=',
  sentAt: new Date('2026-11-20T10:00:00Z'),
};

describe('findGraphSentMessage', () => {
  it('asks Sent Items for the minutes around the send and maps the match with its exact Message-ID', async () => {
    const graph = client([item(1)]);
    const found = await findGraphSentMessage(graph, query, ME);
    expect(graph.calls[0]).toMatchObject({
      folder: 'sentitems',
      receivedFrom: new Date('2026-11-20T09:50:00Z'),
      receivedThrough: new Date('2026-11-20T10:10:00Z'),
    });
    expect(found).toMatchObject({
      provider: 'outlook',
      mailbox: ME,
      providerMessageId: 'AAMkAGI2TG93AAA1=',
      messageId: 'sent-1@namprd01.prod.outlook.com',
      messageIdSource: 'api',
      folderRole: 'sent',
      to: [{ address: 'alice.moreau@acme-robotics.com' }],
    });
  });

  it('never takes another conversation, another subject, other recipients or a draft', async () => {
    const graph = client([
      item(1, { conversationId: 'AAQkADAwATM0OTHER=' }),
      item(2, { subject: 'Pilot results' }),
      item(3, { toRecipients: [{ emailAddress: { name: 'Ben', address: 'ben.ito@acme-robotics.com' } }] }),
      item(4, { isDraft: true }),
    ]);
    expect(await findGraphSentMessage(graph, query, ME)).toBeNull();
  });

  it('of two sends that look alike, takes the one sent closest to this send', async () => {
    const graph = client([
      item(1, { sentDateTime: '2026-11-20T09:58:00Z' }),
      item(2, { sentDateTime: '2026-11-20T10:00:04Z' }),
    ]);
    expect((await findGraphSentMessage(graph, query, ME))?.messageId).toBe(
      'sent-2@namprd01.prod.outlook.com',
    );
  });

  it('matches a new message (no conversation known) on its subject and To', async () => {
    const graph = client([item(5, { conversationId: 'AAQkNEWCONV=' })]);
    expect(await findGraphSentMessage(graph, { ...query, conversationId: null }, ME)).not.toBeNull();
  });
});
