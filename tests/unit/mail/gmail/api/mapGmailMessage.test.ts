import { describe, expect, it } from 'vitest';
import { GmailMessage } from '../../../../../lib/mail/gmail/api/GmailApiClient';
import { decodeGmailSnippet, mapGmailMessage } from '../../../../../lib/mail/gmail/api/mapGmailMessage';

function payload(overrides: Partial<GmailMessage> = {}, headers: [string, string][] = []): GmailMessage {
  return GmailMessage.parse({
    id: '18f3a0c2b1d4e5f6',
    threadId: '18f3a0c2b1d4e000',
    labelIds: ['SENT'],
    snippet: 'Hi Ana, it&#39;s the proposal &amp; pricing',
    historyId: '123456',
    internalDate: '1717236000000',
    sizeEstimate: 4211,
    payload: {
      partId: '',
      mimeType: 'multipart/alternative',
      filename: '',
      headers: headers.map(([name, value]) => ({ name, value })),
    },
    ...overrides,
  });
}

const SENT_HEADERS: [string, string][] = [
  ['From', 'Sam Seller <Sam@Seller.example>'],
  ['To', '"Okafor, Ana" <ana.okafor@acme-corp.example>, ben@globex.example'],
  ['Cc', '=?UTF-8?B?Q2hsb8OpIExlZsOodnJl?= <chloe@initech.example>'],
  ['Reply-To', 'sales@seller.example'],
  ['Subject', 'Re: Proposal for Q3'],
  ['Date', 'Sat, 1 Jun 2024 10:00:00 +0000'],
  ['Message-ID', '<CA+Abc123@mail.gmail.com>'],
  ['In-Reply-To', '<parent@acme-corp.example>'],
  ['References', '<root@acme-corp.example> <parent@acme-corp.example>'],
  ['Content-Type', 'multipart/alternative; boundary="x"'],
];

describe('mapGmailMessage', () => {
  it('maps the metadata payload to a MailMessage', () => {
    const message = mapGmailMessage(payload({}, SENT_HEADERS), 'Sam@Seller.example');
    expect(message).toMatchObject({
      provider: 'gmail',
      mailbox: 'sam@seller.example',
      providerMessageId: '18f3a0c2b1d4e5f6',
      providerThreadId: '18f3a0c2b1d4e000',
      messageId: 'ca+abc123@mail.gmail.com',
      messageIdSource: 'header',
      inReplyTo: 'parent@acme-corp.example',
      references: ['root@acme-corp.example', 'parent@acme-corp.example'],
      from: { name: 'Sam Seller', address: 'sam@seller.example' },
      to: [
        { name: 'Okafor, Ana', address: 'ana.okafor@acme-corp.example' },
        { name: '', address: 'ben@globex.example' },
      ],
      cc: [{ name: 'Chloé Lefèvre', address: 'chloe@initech.example' }],
      replyTo: [{ name: '', address: 'sales@seller.example' }],
      subject: 'Re: Proposal for Q3',
      date: '2024-06-01T10:00:00.000Z',
      snippet: "Hi Ana, it's the proposal & pricing",
      hasAttachments: false,
      folderRole: 'sent',
    });
    expect(message.headers).toEqual({
      'message-id': '<CA+Abc123@mail.gmail.com>',
      'in-reply-to': '<parent@acme-corp.example>',
      references: '<root@acme-corp.example> <parent@acme-corp.example>',
      'content-type': 'multipart/alternative; boundary="x"',
    });
  });

  it('derives the folder role from labels, the forbidding role winning', () => {
    const role = (labelIds: string[]) => mapGmailMessage(payload({ labelIds }), 'me@x.example').folderRole;
    expect(role(['SENT', 'INBOX'])).toBe('sent');
    expect(role(['INBOX', 'UNREAD', 'CATEGORY_UPDATES'])).toBe('inbox');
    expect(role(['DRAFT'])).toBe('drafts');
    expect(role(['SENT', 'TRASH'])).toBe('trash');
    expect(role(['SPAM', 'INBOX'])).toBe('junk');
    expect(role(['Label_12'])).toBe('archive');
    expect(mapGmailMessage(payload({ labelIds: ['DRAFT', 'UNREAD'] }), 'me@x.example').flags).toEqual([
      '\\Draft',
    ]);
  });

  it('has no Message-ID when the header is missing, and keeps automated-mail headers', () => {
    const message = mapGmailMessage(
      payload({}, [
        ['From', 'me@x.example'],
        ['Auto-Submitted', 'auto-replied'],
        ['X-Autoreply', 'yes'],
        ['X-Originating-IP', 'not selected'],
      ]),
      'me@x.example',
    );
    expect(message.messageId).toBeNull();
    expect(message.messageIdSource).toBe('none');
    expect(message.headers).toEqual({ 'auto-submitted': 'auto-replied', 'x-autoreply': 'yes' });
  });

  it('flags attachments from multipart/mixed in metadata, and from named parts in full payloads', () => {
    const mixed = payload({ payload: { mimeType: 'multipart/mixed', headers: [] } });
    expect(mapGmailMessage(mixed, 'me@x.example').hasAttachments).toBe(true);
    const full = payload({
      payload: {
        mimeType: 'multipart/related',
        parts: [
          { mimeType: 'text/html', filename: '' },
          { mimeType: 'multipart/mixed', parts: [{ mimeType: 'application/pdf', filename: 'quote.pdf' }] },
        ],
      },
    });
    expect(mapGmailMessage(full, 'me@x.example').hasAttachments).toBe(true);
    const fullWithout = payload({
      payload: { mimeType: 'multipart/mixed', parts: [{ mimeType: 'text/plain' }] },
    });
    expect(mapGmailMessage(fullWithout, 'me@x.example').hasAttachments).toBe(false);
  });

  it('rejects payloads that do not match the schema', () => {
    expect(() => GmailMessage.parse({ id: 'x', threadId: 'y', internalDate: 'yesterday' })).toThrow();
  });

  it('decodes the HTML escaping in snippets', () => {
    expect(decodeGmailSnippet('a &lt;b&gt; &quot;c&quot; &#x27;d&#39; &bogus; &#128512;')).toBe(
      `a <b> "c" 'd' &bogus; 😀`,
    );
  });
});
