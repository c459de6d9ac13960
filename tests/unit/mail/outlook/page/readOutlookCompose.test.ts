// @vitest-environment happy-dom
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOutlookUrl } from '../../../../../lib/mail/outlook/page/parseOutlookUrl';
import {
  findOutlookComposeForms,
  findOutlookSendButton,
  readOutlookCompose,
} from '../../../../../lib/mail/outlook/page/readOutlookCompose';

// Compose forms rebuilt from public evidence of the live Outlook on the web (SOURCES.md next to
// them); each truth file is written from what a person writing the message sees.
const DIR = resolve(import.meta.dirname, '../../../../fixtures/outlook-compose');

interface Truth {
  fixture: string;
  url: string;
  forms: number;
  kind: 'new' | 'reply';
  subject: string;
  to: { name: string; address: string }[];
  cc: { name: string; address: string }[];
  bcc: { name: string; address: string }[];
  conversationId: string | null;
}

function load(html: string): Document {
  const doc = document.implementation.createHTMLDocument('');
  doc.documentElement.innerHTML = html.replace(/^<!doctype html>/i, '');
  return doc;
}

const truths = readdirSync(DIR)
  .filter((f) => f.endsWith('.truth.json'))
  .map((f) => JSON.parse(readFileSync(resolve(DIR, f), 'utf8')) as Truth);

describe('readOutlookCompose on sourced compose fixtures', () => {
  it('has fixtures to read', () => {
    expect(truths.map((t) => t.fixture).sort()).toEqual(['inline-reply.html', 'new-message.html']);
  });

  for (const truth of truths) {
    it(`reads ${truth.fixture} as a person sees it`, () => {
      const doc = load(readFileSync(resolve(DIR, truth.fixture), 'utf8'));
      const forms = findOutlookComposeForms(doc);
      expect(forms).toHaveLength(truth.forms);
      const form = forms[0]!;
      expect(findOutlookSendButton(form)?.getAttribute('aria-label')).toBe('Send');
      const draft = readOutlookCompose(form, parseOutlookUrl(truth.url));
      expect(draft).toEqual({
        kind: truth.kind,
        subject: truth.subject,
        to: truth.to,
        cc: truth.cc,
        bcc: truth.bcc,
        conversationId: truth.conversationId,
      });
    });
  }

  it('finds no form on a page that only shows a message being read', () => {
    const doc = load(readFileSync(resolve(DIR, '../outlook/single-external.html'), 'utf8'));
    expect(findOutlookComposeForms(doc)).toEqual([]);
  });

  it('finds the form and its Send button by structure when names are localised', () => {
    // A UI language other than English: no English aria-labels, only the form root [C1], the
    // Fluent split button [C2][C9] and an editable body under #editorParent_ [C1].
    const doc = load(`
      <div id="docking_InitVisiblePart_0"><div>
        <div><span><div class="fui-SplitButton" role="group">
          <button type="button" class="fui-SplitButton__primaryActionButton" aria-label="Senden">Senden</button>
        </div></span></div>
        <div><span><input type="text" id="MSG_1_SUBJECT" value="Angebot" /></span></div>
      </div>
      <div id="editorParent_1"><div role="textbox" contenteditable="true" aria-label="Nachrichtentext">Hallo</div></div></div>`);
    const [form] = findOutlookComposeForms(doc);
    expect(form).toBeDefined();
    expect(findOutlookSendButton(form!)?.textContent).toBe('Senden');
    expect(readOutlookCompose(form!, parseOutlookUrl('https://outlook.office.com/mail/inbox'))).toMatchObject(
      {
        kind: 'new',
        subject: 'Angebot',
        to: [],
      },
    );
  });

  it('finds a form without the docking root by climbing from its body to a Send button', () => {
    const doc = load(`
      <section><div><button aria-label="Send">Send</button></div>
        <div role="textbox" contenteditable="true" aria-label="To">x@acme.example</div>
        <div role="textbox" contenteditable="true" aria-label="Message body">Hi</div></section>
      <section><div><button aria-label="Send">Send</button></div>
        <div role="textbox" contenteditable="true" aria-label="Message body">Second draft</div></section>`);
    const forms = findOutlookComposeForms(doc);
    expect(forms).toHaveLength(2);
    expect(readOutlookCompose(forms[0]!, parseOutlookUrl('https://outlook.office.com/mail/')).to).toEqual([
      { name: '', address: 'x@acme.example' },
    ]);
  });
});
