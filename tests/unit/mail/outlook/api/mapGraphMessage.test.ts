import { describe, expect, it } from 'vitest';
import {
  GraphDeltaPage,
  GraphMessage,
  isGraphRemovedItem,
} from '../../../../../lib/mail/outlook/api/GraphClient';
import { mapGraphMessage } from '../../../../../lib/mail/outlook/api/mapGraphMessage';

const SENT = GraphMessage.parse({
  '@odata.etag': 'W/"CQAAABYAAAA"',
  id: 'AAMkAGI2THVSAAA=',
  internetMessageId: '<DM6PR01MB1234ABCD@DM6PR01MB1234.namprd01.prod.outlook.com>',
  conversationId: 'AAQkAGI2conv=',
  subject: 'Your quote',
  bodyPreview: 'Hello Ana, here is the quote.',
  from: { emailAddress: { name: 'Sam Seller', address: 'Sam@Contoso.example' } },
  sender: { emailAddress: { name: 'Sam Seller', address: 'sam@contoso.example' } },
  toRecipients: [
    { emailAddress: { name: 'Ana Okafor', address: 'ana@fabrikam.example' } },
    { emailAddress: { name: 'Ana (dup)', address: 'ANA@fabrikam.example' } },
  ],
  ccRecipients: [{ emailAddress: { name: null, address: 'ben@northwind.example' } }],
  replyTo: [],
  sentDateTime: '2024-06-01T10:00:00Z',
  receivedDateTime: '2024-06-01T10:00:02Z',
  hasAttachments: true,
  isDraft: false,
  parentFolderId: 'AQMkAGI2folder',
});

describe('mapGraphMessage', () => {
  it('maps a Sent Items message', () => {
    expect(mapGraphMessage(SENT, 'sam@contoso.example', 'sent')).toMatchObject({
      provider: 'outlook',
      mailbox: 'sam@contoso.example',
      providerMessageId: 'AAMkAGI2THVSAAA=',
      providerThreadId: 'AAQkAGI2conv=',
      messageId: 'dm6pr01mb1234abcd@dm6pr01mb1234.namprd01.prod.outlook.com',
      messageIdSource: 'api',
      from: { name: 'Sam Seller', address: 'sam@contoso.example' },
      to: [{ name: 'Ana Okafor', address: 'ana@fabrikam.example' }],
      cc: [{ name: '', address: 'ben@northwind.example' }],
      subject: 'Your quote',
      date: '2024-06-01T10:00:00.000Z',
      snippet: 'Hello Ana, here is the quote.',
      hasAttachments: true,
      folderRole: 'sent',
      headers: {},
    });
  });

  it('treats drafts as drafts, dates received mail on arrival, reads threading headers when selected', () => {
    expect(mapGraphMessage({ ...SENT, isDraft: true }, 'sam@contoso.example', 'sent').folderRole).toBe(
      'drafts',
    );
    const received = mapGraphMessage(
      {
        ...SENT,
        internetMessageId: null,
        internetMessageHeaders: [
          { name: 'In-Reply-To', value: '<parent@contoso.example>' },
          { name: 'References', value: '<root@contoso.example> <parent@contoso.example>' },
          { name: 'List-Unsubscribe', value: '<https://x.example/u>' },
          { name: 'Received', value: 'not selected' },
        ],
      },
      'sam@contoso.example',
      'inbox',
    );
    expect(received).toMatchObject({
      folderRole: 'inbox',
      date: '2024-06-01T10:00:02.000Z',
      messageId: null,
      messageIdSource: 'none',
      inReplyTo: 'parent@contoso.example',
      references: ['root@contoso.example', 'parent@contoso.example'],
      headers: {
        'in-reply-to': '<parent@contoso.example>',
        references: '<root@contoso.example> <parent@contoso.example>',
        'list-unsubscribe': '<https://x.example/u>',
      },
    });
  });

  it('parses delta pages with @removed entries', () => {
    const page = GraphDeltaPage.parse({
      '@odata.context': 'x',
      value: [
        SENT,
        { '@odata.type': '#microsoft.graph.message', id: 'gone', '@removed': { reason: 'deleted' } },
      ],
      '@odata.deltaLink':
        'https://graph.microsoft.com/v1.0/me/mailFolders/sentitems/messages/delta?$deltatoken=abc',
    });
    expect(page.value.map(isGraphRemovedItem)).toEqual([false, true]);
    expect(() => GraphDeltaPage.parse({ value: [{ subject: 'no id' }] })).toThrow();
  });
});
