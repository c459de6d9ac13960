// @vitest-environment happy-dom
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ThreadSnapshot } from '../../../../../lib/mail/MailMessage';
import { parseOutlookUrl } from '../../../../../lib/mail/outlook/page/parseOutlookUrl';
import {
  readOutlookAccount,
  readOutlookAttachments,
  readOutlookReadingPane,
} from '../../../../../lib/mail/outlook/page/readOutlookReadingPane';

// Pages rebuilt from public evidence of the live Outlook on the web (sources in SOURCES.md
// next to them); each has a truth file written from what a person reading the page sees.
const DIR = resolve(import.meta.dirname, '../../../../fixtures/outlook');

interface Person {
  name: string;
  address: string;
}
interface TruthMessage {
  state: 'expanded' | 'collapsed';
  from: Person;
  to: Person[];
  cc: Person[];
  recipientsIncomplete: boolean;
  date: string | null;
  snippetStartsWith?: string;
  preview?: string;
  attachments: string[];
  direction: 'incoming' | 'outgoing';
}
interface Truth {
  fixture: string;
  url: string;
  account: { address: string | null; name: string | null };
  threadId: string;
  subject: string;
  messages: TruthMessage[];
}

const truths: Truth[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.truth.json'))
  .map((f) => JSON.parse(readFileSync(resolve(DIR, f), 'utf8')) as Truth);

function load(truth: Truth): Document {
  const html = readFileSync(resolve(DIR, truth.fixture), 'utf8');
  return new DOMParser().parseFromString(html, 'text/html');
}

function read(truth: Truth, doc = load(truth)) {
  const raw = readOutlookReadingPane(doc, parseOutlookUrl(truth.url), { url: truth.url });
  expect(raw).not.toBeNull();
  return ThreadSnapshot.parse(raw);
}

/** Local wall-clock text as shown ("2026-11-19T09:14") as the instant the reader returns. */
const instant = (local: string | null) => (local === null ? null : new Date(local).toISOString());

describe('Outlook reading pane: every fixture against its truth file', () => {
  it('has the corpus the issue asks for', () => {
    expect(truths.length).toBeGreaterThanOrEqual(8);
  });

  for (const truth of truths) {
    describe(truth.fixture, () => {
      it('reads the signed-in account from the page', () => {
        expect(readOutlookAccount(load(truth))).toEqual(truth.account);
      });

      it('reads the thread, subject and every message the page shows', () => {
        const snapshot = read(truth);
        expect(snapshot.threadId).toBe(truth.threadId);
        expect(snapshot.subject).toBe(truth.subject);
        expect(snapshot.mailbox).toBe(truth.account.address);
        expect(snapshot.source).toBe('page');
        expect(snapshot.messages).toHaveLength(truth.messages.length);
        const attachments = readOutlookAttachments(load(truth));
        truth.messages.forEach((want, i) => {
          const got = snapshot.messages[i]!;
          expect(got.partial, `message ${i} partial`).toBe(want.state === 'collapsed');
          expect(got.from, `message ${i} from`).toEqual(want.from);
          expect(got.to, `message ${i} to`).toEqual(want.to);
          expect(got.cc, `message ${i} cc`).toEqual(want.cc);
          expect(got.recipientsIncomplete, `message ${i} incomplete`).toBe(want.recipientsIncomplete);
          expect(got.date, `message ${i} date`).toBe(instant(want.date));
          if (want.snippetStartsWith) expect(got.snippet.startsWith(want.snippetStartsWith)).toBe(true);
          if (want.preview) expect(got.snippet).toBe(want.preview);
          // The full text (for the "full text" privacy level) only of a message the page shows open.
          if (want.state === 'collapsed') expect(got.body, `message ${i} body`).toBeUndefined();
          else if (want.snippetStartsWith) expect(got.body?.startsWith(want.snippetStartsWith)).toBe(true);
          if (got.body !== undefined) expect(got.body.length).toBeGreaterThanOrEqual(got.snippet.length);
          expect(got.hasAttachments).toBe(want.attachments.length > 0);
          expect(attachments[i]).toEqual(want.attachments);
          expect(got.folderRole === 'sent' ? 'outgoing' : 'incoming', `message ${i} direction`).toBe(
            want.direction,
          );
          expect(got.providerThreadId).toBe(truth.threadId);
        });
        expect(new Set(snapshot.messages.map((m) => m.providerMessageId)).size).toBe(
          snapshot.messages.length,
        );
      });
    });
  }
});

const byName = (name: string) => truths.find((t) => t.fixture === name)!;

describe('Outlook reading pane: what must never happen', () => {
  it('never reads header hooks from inside a message body', () => {
    const snapshot = read(byName('single-external.html'));
    const text = JSON.stringify(snapshot.messages.map(({ from, to, cc, date }) => ({ from, to, cc, date })));
    expect(text).not.toContain('evil.example');
    expect(text).not.toContain('1990');
    expect(snapshot.mailbox).toBe('dana.whitfield@northwind-trading.com');
  });

  it('never reads a Cc from inside a message body (aria-label="Cc" in mail HTML)', () => {
    // single-external.html (sources in SOURCES.md) with sender-controlled markup added to its
    // body: an element labelled "Cc" the way a header is ([S1] aria-label, [S8] persona spans,
    // [S6] the _CC id suffix, the localised "Cc:" line of a recipient well), and a body whose
    // own container is the only thing around it. Mail HTML can carry any of these attributes.
    const truth = byName('single-external.html');
    const doc = load(truth);
    const body = doc.querySelector('#UniqueMessageBody_1');
    expect(body).not.toBeNull();
    body!.insertAdjacentHTML(
      'beforeend',
      [
        '<div aria-label="Cc"><span aria-label="Cc: Spoof One &lt;cc-one@evil.example&gt;">Spoof One &lt;cc-one@evil.example&gt;</span></div>',
        '<div id="MSG_QAEIJBK8QAA_CC"><span>Cc:</span> <span data-lpc-hover-target-id="cc">Spoof Two &lt;cc-two@evil.example&gt;;</span></div>',
        '<div data-testid="RecipientWell"><div>Cc: Spoof Three &lt;cc-three@evil.example&gt;</div></div>',
      ].join(''),
    );
    const snapshot = read(truth, doc);
    expect(snapshot.messages).toHaveLength(1);
    const [message] = snapshot.messages;
    // What a person reading the page sees in the header: Alice to Dana, nobody in Cc.
    expect(message!.cc).toEqual([]);
    expect(message!.from?.address).toBe('alice.moreau@acme-robotics.com');
    expect(JSON.stringify(snapshot.messages.map(({ from, to, cc }) => ({ from, to, cc })))).not.toContain(
      'evil.example',
    );
  });

  it('never gives a colleague shown by name only the address of an outsider who uses the same name', () => {
    // colleague-name-only.html (sources in SOURCES.md): Sam Okafor, a colleague, is shown by
    // name only [S7][S8]. An outsider's reply is added above it, sent as
    // "Sam Okafor" <alice.moreau@…> (a display name is whatever the sender writes, RFC 5322
    // section 3.4); the page shows it as a persona "Name <address>" [S6][S8] like any external sender.
    const truth = byName('colleague-name-only.html');
    const doc = load(truth);
    const container = doc.querySelector('[data-app-section="ConversationContainer"]')!;
    const outsider = container.firstElementChild!.cloneNode(true) as Element;
    outsider.querySelector('.OZZZK')!.textContent = 'Sam Okafor <alice.moreau@acme-robotics.com>';
    outsider
      .querySelector('[aria-label^="From:"]')!
      .setAttribute('aria-label', 'From: Sam Okafor <alice.moreau@acme-robotics.com>');
    outsider.querySelector('[data-testid="SentReceivedSavedTime"]')!.textContent = 'Tue 11/17/2026 9:05 AM';
    container.prepend(outsider);

    const snapshot = read(truth, doc);
    expect(snapshot.messages).toHaveLength(2);
    const [fromOutsider, fromColleague] = snapshot.messages;
    expect(fromOutsider!.from).toEqual({ name: 'Sam Okafor', address: 'alice.moreau@acme-robotics.com' });
    // What a person sees of the colleague's message: a name, no address. Nothing links it to Alice.
    expect(fromColleague!.from).toEqual({ name: 'Sam Okafor', address: '' });
  });

  it('never takes the signed-in account from an account hook inside a message body', () => {
    // deeplink-read.html (sources in SOURCES.md) has no folder pane, so the account comes from
    // the header's account hooks [S8][S11]; a sender puts the same ids into the mail HTML.
    const truth = byName('deeplink-read.html');
    const doc = load(truth);
    doc.querySelector('#mectrl_main_trigger')?.remove();
    const body = doc.querySelector('[id^="UniqueMessageBody"]')!;
    body.insertAdjacentHTML(
      'afterbegin',
      [
        '<span id="mectrl_currentAccount_primary">Mallory Spoof</span>',
        '<span id="mectrl_currentAccount_secondary">mallory@evil.example</span>',
        '<button id="mectrl_main_trigger" aria-label="Account manager for Mallory Spoof">MS</button>',
        '<div id="primaryMailboxRoot_spoof" title="mallory@evil.example" data-folder-name="mallory@evil.example"></div>',
      ].join(''),
    );
    const account = readOutlookAccount(doc);
    expect(account.address).toBeNull();
    expect(account.name).not.toBe('Mallory Spoof');
    const snapshot = read(truth, doc);
    expect(snapshot.mailbox).toBeNull();
    expect(snapshot.messages.map((m) => m.mailbox)).not.toContain('mallory@evil.example');
    expect(snapshot.messages.every((m) => m.folderRole !== 'sent')).toBe(true);
  });

  it('keeps per-message keys when a reply arrives on top and when a message expands', () => {
    const truth = byName('conversation-collapsed.html');
    const doc = load(truth);
    const before = read(truth, doc).messages.map((m) => m.providerMessageId);

    // A new reply arrives on top (newest first).
    const container = doc.querySelector('[data-app-section="ConversationContainer"]')!;
    const reply = container.firstElementChild!.cloneNode(true) as Element;
    reply.querySelector('[data-testid="SentReceivedSavedTime"]')!.textContent = 'Fri 11/20/2026 11:30 AM';
    container.prepend(reply);
    const withReply = read(truth, doc).messages.map((m) => m.providerMessageId);
    expect(withReply.slice(1)).toEqual(before);

    // The oldest collapsed message is expanded: the same sender and time, now with headers.
    const collapsed = Array.from(container.querySelectorAll('[aria-expanded="false"]')).at(-1)!;
    const expanded = reply.cloneNode(true) as Element;
    expanded.querySelector('.OZZZK')!.textContent = 'Alice Moreau <alice.moreau@acme-robotics.com>';
    expanded.querySelector('[data-testid="SentReceivedSavedTime"]')!.textContent = 'Wed 11/18/2026 8:02 AM';
    collapsed.parentElement!.replaceWith(expanded);
    const afterExpand = read(truth, doc).messages;
    expect(afterExpand.map((m) => m.providerMessageId)).toEqual(withReply);
    expect(afterExpand.at(-1)!.partial).toBe(false);
  });

  it('returns null dates rather than inventing one', () => {
    const truth = byName('german-ui.html');
    const doc = load(truth);
    doc.querySelector('[data-testid="SentReceivedSavedTime"]')!.textContent = 'Gestern 08:51';
    const snapshot = read(truth, doc);
    expect(snapshot.messages[0]!.date).toBeNull();
  });

  it('returns null when no message is open', () => {
    const doc = new DOMParser().parseFromString(
      '<div role="main" aria-label="Reading Pane"><div id="ReadingPaneContainerId"></div></div>',
      'text/html',
    );
    expect(
      readOutlookReadingPane(doc, parseOutlookUrl('https://outlook.office.com/mail/inbox'), { url: '' }),
    ).toBeNull();
  });
});
