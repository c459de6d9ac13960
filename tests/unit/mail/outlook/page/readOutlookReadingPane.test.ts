// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ThreadSnapshot } from '../../../../../lib/mail/MailMessage';
import { parseOutlookUrl } from '../../../../../lib/mail/outlook/page/parseOutlookUrl';
import {
  readOutlookAccountAddress,
  readOutlookReadingPane,
} from '../../../../../lib/mail/outlook/page/readOutlookReadingPane';

// The same fixture page the end-to-end tests serve at https://outlook.office.com/mail/...
const FIXTURE = readFileSync(
  resolve(import.meta.dirname, '../../../../e2e/fixtures/outlook/reading-pane.html'),
  'utf8',
);
const BODY = FIXTURE.slice(FIXTURE.indexOf('<body>') + 6, FIXTURE.indexOf('<script>'));

interface FixturePerson {
  name: string;
  address: string;
}

/** Builds the reading pane the way the fixture page's script does. */
function renderConversation(conv: {
  id: string;
  subject: string;
  messages: {
    itemId?: string;
    from: FixturePerson;
    to: FixturePerson[];
    cc?: FixturePerson[];
    date: string;
    body: string;
    attachments?: boolean;
  }[];
}): void {
  const pane = document.getElementById('ReadingPaneContainerId')!;
  pane.setAttribute('data-app-section', 'MailReadCompose');
  const persona = (p: FixturePerson) =>
    `<span class="persona" role="button" title="${p.address}">${p.name}</span>`;
  const list = (section: string, people: FixturePerson[] = []) =>
    people.length
      ? `<div data-app-section="${section}" aria-label="${section}">${section}: ${people.map(persona).join('; ')}</div>`
      : '';
  pane.innerHTML = `<div role="heading" aria-level="2" title="${conv.subject}"><span>${conv.subject}</span></div>
    <div data-convid="${conv.id}" role="list">${conv.messages
      .map(
        (m) => `<div class="msg" aria-label="Email message" ${m.itemId ? `data-item-id="${m.itemId}"` : ''}>
          <div data-app-section="From" aria-label="From">${persona(m.from)}</div>
          ${list('To', m.to)}${list('Cc', m.cc)}
          <div><time data-testid="SentReceivedSavedTime" datetime="${m.date}">x</time></div>
          ${m.attachments ? '<div aria-label="Attachments">a.pdf</div>' : ''}
          <div role="document" aria-label="Message body">${m.body}</div></div>`,
      )
      .join('')}</div>`;
}

const dana = { name: 'Dana Whitfield', address: 'dana.whitfield@northwind-trading.com' };
const alice = { name: 'Alice Moreau', address: 'Alice.Moreau@Acme-Robotics.com' };

describe('readOutlookReadingPane', () => {
  beforeEach(() => {
    document.body.innerHTML = BODY;
  });

  it('returns null when no message is open', () => {
    expect(
      readOutlookReadingPane(document, parseOutlookUrl('https://outlook.office.com/mail/inbox'), {
        mailbox: null,
        url: '',
      }),
    ).toBeNull();
  });

  it('reads sender, recipients, subject, date, snippet and ids of every message', () => {
    renderConversation({
      id: 'CONV1',
      subject: 'Pilot results',
      messages: [
        {
          itemId: 'ITEM1',
          from: alice,
          to: [dana],
          cc: [{ name: 'Ben', address: 'ben.carter@brightwater.co.uk' }],
          date: '2026-11-20T09:14:00Z',
          body: '  Hello   Dana, '.repeat(40),
          attachments: true,
        },
        { from: dana, to: [alice], date: '2026-11-20T10:00:00Z', body: 'Thanks!' },
      ],
    });
    const url = 'https://outlook.office.com/mail/inbox/id/ITEM1';
    const raw = readOutlookReadingPane(document, parseOutlookUrl(url), { mailbox: dana.address, url });
    const snapshot = ThreadSnapshot.parse(raw);
    expect(snapshot.threadId).toBe('CONV1');
    expect(snapshot.subject).toBe('Pilot results');
    expect(snapshot.messages).toHaveLength(2);
    const [first, second] = snapshot.messages;
    expect(first!.from).toEqual({ name: 'Alice Moreau', address: 'alice.moreau@acme-robotics.com' });
    expect(first!.to.map((a) => a.address)).toEqual([dana.address]);
    expect(first!.cc.map((a) => a.address)).toEqual(['ben.carter@brightwater.co.uk']);
    expect(first!.providerMessageId).toBe('ITEM1');
    expect(first!.date).toBe('2026-11-20T09:14:00.000Z');
    expect(first!.snippet.length).toBeLessThanOrEqual(200);
    expect(first!.snippet.startsWith('Hello Dana,')).toBe(true);
    expect(first!.hasAttachments).toBe(true);
    expect(first!.folderRole).toBe('inbox');
    expect(first!.messageId).toBeNull();
    // The user's own reply inside an inbox conversation is outgoing mail.
    expect(second!.folderRole).toBe('sent');
    expect(second!.providerMessageId).toMatch(/^dom-[0-9a-f]{8}$/);
  });

  it('gives DOM-only messages a key that is stable across reads', () => {
    const conv = {
      id: 'C2',
      subject: 'S',
      messages: [{ from: alice, to: [dana], date: '2026-11-01T00:00:00Z', body: 'b' }],
    };
    renderConversation(conv);
    const loc = parseOutlookUrl('https://outlook.office.com/mail/inbox/id/C2');
    const a = readOutlookReadingPane(document, loc, { mailbox: null, url: '' });
    renderConversation(conv);
    const b = readOutlookReadingPane(document, loc, { mailbox: null, url: '' });
    expect(a!.messages[0]!.providerMessageId).toBe(b!.messages[0]!.providerMessageId);
  });

  it('keeps HTML in names and subjects as text', () => {
    renderConversation({
      id: 'C3',
      subject: '&lt;img src=x onerror=alert(1)&gt;',
      messages: [
        {
          from: { name: '&lt;script&gt;alert(1)&lt;/script&gt;', address: 'x@evil.example' },
          to: [dana],
          date: '2026-11-01T00:00:00Z',
          body: 'b',
        },
      ],
    });
    const snapshot = readOutlookReadingPane(
      document,
      parseOutlookUrl('https://outlook.office.com/mail/inbox/id/C3'),
      { mailbox: null, url: '' },
    );
    expect(snapshot!.subject).toBe('<img src=x onerror=alert(1)>');
    expect(snapshot!.messages[0]!.from!.name).toBe('<script>alert(1)</script>');
  });

  it('reads the signed-in account from the header', () => {
    expect(readOutlookAccountAddress(document)).toBe(dana.address);
  });
});

describe('parseOutlookUrl', () => {
  it.each([
    ['https://outlook.office.com/mail/inbox/id/AAQk%2FAB%3D', 'AAQk/AB=', 'inbox', 'inbox', null],
    ['https://outlook.live.com/mail/0/sentitems/id/XYZ', 'XYZ', 'sentitems', 'sent', 0],
    ['https://outlook.office365.com/mail/id/ABC', 'ABC', null, 'other', null],
    ['https://outlook.office.com/mail/deeplink/read/DEF', 'DEF', null, 'other', null],
    ['https://outlook.office.com/mail/junkemail', null, 'junkemail', 'junk', null],
    ['https://outlook.office.com/calendar/view/day', null, null, 'other', null],
  ])('%s', (url, itemId, folder, role, account) => {
    expect(parseOutlookUrl(url)).toEqual({ itemId, folder, folderRole: role, accountIndex: account });
  });
});
