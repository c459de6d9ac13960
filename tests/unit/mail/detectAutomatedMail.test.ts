import { describe, expect, it } from 'vitest';
import {
  type AutomatedMailInput,
  detectAutomatedMail,
  isAutomatedSenderAddress,
} from '../../../lib/mail/detectAutomatedMail';
import { messageFromFixture } from './loadHeaderFixture';

const OWN = new Set(['riley@ourco.example']);
const riley = { name: 'Riley Rep', address: 'riley@ourco.example' };

describe('detectAutomatedMail on the header samples', () => {
  it.each([
    ['mailing-list-google-groups.txt', 'mailing_list', /^mailing list: List-Post/],
    ['newsletter-list-unsubscribe.txt', 'newsletter', /^newsletter: List-Unsubscribe/],
    ['auto-reply-exchange-oof.txt', 'auto_reply', /^auto-reply: an automatic-reply subject/],
    ['auto-reply-x-autoreply.txt', 'auto_reply', /X-Autoreply: yes/],
    ['bounce-postfix-dsn.txt', 'bounce', /^bounce: delivery status report/],
    ['bounce-exchange-ndr.txt', 'bounce', /postmaster@outlook\.com/],
    ['no-reply-notification.txt', 'notification', /no-reply@accounts\.google\.com/],
    ['precedence-bulk.txt', 'newsletter', /Precedence: bulk/],
  ])('%s is automated (%s)', (fixture, category, reason) => {
    const verdict = detectAutomatedMail(messageFromFixture(fixture), { ownAddresses: OWN });
    expect(verdict).toMatchObject({ automated: true, category });
    expect(verdict.reason).toMatch(reason);
  });

  it.each([
    'gmail-received.txt',
    'outlook-exchange.txt',
    'auto-submitted-no.txt',
    'gmail-sent-reply.txt',
  ])('%s is personal mail', (fixture) => {
    const verdict = detectAutomatedMail(messageFromFixture(fixture), { ownAddresses: OWN });
    expect(verdict).toMatchObject({ automated: false, evidence: [] });
    expect(verdict.reason).toMatch(/^personal mail/);
  });
});

// Mail that was once missed or wrongly flagged, kept as regressions. The header values follow the
// public samples named beside each (tests/fixtures/mail/index.json has the full messages
// where the corpus holds one).
describe('detectAutomatedMail on the reported misses', () => {
  const base = (
    headers: Record<string, string>,
    extra: Partial<AutomatedMailInput> = {},
  ): AutomatedMailInput => ({
    from: { name: 'Jane Doe', address: 'jane.doe@acme.example' },
    to: [riley],
    cc: [],
    subject: 'Quote',
    headers,
    ...extra,
  });

  it('no-reply in any position of the local part', () => {
    for (const address of [
      'gmail-noreply@google.com',
      'newsalerts-noreply@google.com',
      'noreply@github.com',
      'no_reply@x.example',
      'donotreply@bank.example',
      'do-not-reply@bank.example',
      'noreply+tag@x.example',
      'no-reply-notifications@x.example',
      'notifications@github.com',
      'mailer-daemon@googlemail.com',
      'postmaster@outlook.com',
      'post_master@mail.example.de',
    ]) {
      expect(isAutomatedSenderAddress(address), address).toBe(true);
    }
    for (const address of [
      'jane@acme.example',
      'replyguy@x.example',
      'noreen@x.example',
      'postmasters-guild@x.example',
    ]) {
      expect(isAutomatedSenderAddress(address), address).toBe(false);
    }
  });

  it('an iCloud vacation reply with only X-Apple-Action: VACATION (sisimai rfc3834-03)', () => {
    const verdict = detectAutomatedMail(base({ 'x-apple-action': 'VACATION' }, { subject: 'Nyaan' }));
    expect(verdict).toMatchObject({ automated: true, category: 'auto_reply', signal: 'apple_vacation' });
    expect(verdict.reason).toBe('auto-reply: X-Apple-Action: VACATION (iCloud vacation reply)');
  });

  it('an ezmlm post with only the old Mailing-List header', () => {
    const verdict = detectAutomatedMail(
      base({ 'mailing-list': 'contact announce-help@httpd.apache.org; run by ezmlm' }),
    );
    expect(verdict).toMatchObject({
      automated: true,
      category: 'mailing_list',
      signal: 'mailing_list_header',
    });
  });

  it('a LISTSERV post with no List-Id, only Sender: the list at its LISTSERV host', () => {
    const verdict = detectAutomatedMail(base({ sender: 'Discussion list <TALK-L@LISTSERV.UNIV.EXAMPLE>' }));
    expect(verdict).toMatchObject({ automated: true, category: 'mailing_list', signal: 'list_sender' });
    expect(verdict.reason).toContain('talk-l@listserv.univ.example');
  });

  it('a bounce from post_master@ with nothing else', () => {
    const verdict = detectAutomatedMail(
      base(
        {},
        { from: { name: '', address: 'post_master@mail.example.de' }, subject: 'Undeliverable: Quote' },
      ),
    );
    expect(verdict).toMatchObject({ automated: true, category: 'bounce', signal: 'mail_system_sender' });
  });

  it('a DMARC failure report sent as multipart/mixed (parsedmarc Netease sample)', () => {
    const verdict = detectAutomatedMail(
      base(
        { 'content-type': 'multipart/mixed; boundary="B_3622128044_155770608"' },
        {
          from: { name: '', address: 'abuse@163.com' },
          subject: '[Netease DMARC Failure Report] Rent Reminder',
        },
      ),
    );
    expect(verdict).toMatchObject({ automated: true, category: 'report' });
  });

  it('a newsletter without List-Unsubscribe: bulk precedence and a campaign sender (untrack.email NORMA sample)', () => {
    const verdict = detectAutomatedMail(
      base(
        { precedence: 'bulk' },
        { from: { name: 'NORMA Newsletter', address: 'newsletter@norma-online.info' } },
      ),
    );
    expect(verdict).toMatchObject({ automated: true, category: 'newsletter' });
    expect(verdict.reason).toBe(
      'newsletter: Precedence: bulk and a campaign sender address (newsletter@norma-online.info)',
    );
  });

  // An email service that stamps List-Id and List-Unsubscribe (and Feedback-ID) on all mail
  // it relays, on a person's plain reply. No public sample of such a reply was found; the
  // header values are those Mailchimp/SES put on every message (see the corpus newsletters).
  const relayed = {
    'list-id': '<a1b2c3.list-id.mcsv.example>',
    'list-unsubscribe': '<https://relay.example/unsubscribe?u=1>',
    'feedback-id': '1.us-west-2.abc:AmazonSES',
  };

  it('keeps a person’s reply relayed by such a service loggable, and says why', () => {
    const verdict = detectAutomatedMail(
      base(relayed, {
        inReplyTo: 'sent-by-riley@ourco.example',
        subject: 'Re: Quote',
        snippet: 'Hi Riley, thanks for the quote, we can go ahead.',
      }),
      { ownAddresses: OWN },
    );
    expect(verdict.automated).toBe(false);
    expect(verdict.counter.map((c) => c.signal)).toEqual([
      'reply_to_user',
      'single_recipient',
      'personal_salutation',
    ]);
    expect(verdict.reason).toMatch(/^personal mail: a reply in a conversation addressed to you/);
    expect(verdict.reason).toContain('List-Unsubscribe');
  });

  it('a reply the caller knows answers the user’s own message is kept even with several recipients', () => {
    const verdict = detectAutomatedMail(
      base(relayed, { inReplyTo: 'x@ourco.example', cc: [{ name: '', address: 'boss@acme.example' }] }),
      { ownAddresses: OWN, repliesToOwnMessage: true },
    );
    expect(verdict).toMatchObject({ automated: false });
    expect(verdict.reason).toContain('a reply to a message you sent');
  });

  it('the same headers on mail that answers nothing are a newsletter', () => {
    const verdict = detectAutomatedMail(base(relayed, { snippet: 'Hi Riley, our spring offers…' }), {
      ownAddresses: OWN,
    });
    expect(verdict).toMatchObject({ automated: true, category: 'newsletter' });
  });

  // Zendesk puts these headers on all outbound mail, agents' replies included
  // (https://support.zendesk.com/hc/en-us/articles/4408836366362 and its outbound-relay
  // article); the values are those of a GitHub Support agent's reply seen in public data.
  const zendesk = {
    'auto-submitted': 'auto-generated',
    'x-auto-response-suppress': 'All',
    'x-mailer': 'Zendesk Mailer',
  };

  it('keeps a helpdesk agent’s reply to the user loggable although it says Auto-Submitted: auto-generated', () => {
    const verdict = detectAutomatedMail(
      base(zendesk, {
        from: { name: 'GitHub Developer Support', address: 'developer@githubsupport.com' },
        inReplyTo: '97e494cc-fb24-4459-967d-d9bef3781009@app.fastmail.com',
        subject: '[GitHub Support] - An important notice',
        snippet: '## Please do not write below this line ## Your request has been updated.',
      }),
      { ownAddresses: OWN },
    );
    expect(verdict.automated).toBe(false);
    expect(verdict.reason).toContain('Auto-Submitted: auto-generated');
  });

  it('the same helpdesk headers on mail that answers nothing are an automated notification', () => {
    const verdict = detectAutomatedMail(
      base(zendesk, { from: { name: 'Acme Support', address: 'support@acme.zendesk.com' } }),
      { ownAddresses: OWN },
    );
    expect(verdict).toMatchObject({ automated: true, category: 'notification', signal: 'auto_submitted' });
  });

  it('counter-signals never rescue an out-of-office or a bounce, which are replies too', () => {
    const reply = { inReplyTo: 'sent-by-riley@ourco.example', snippet: 'Hello, I am out until Monday.' };
    for (const [subject, headers] of [
      ['Automatic reply: Quote', {}],
      ['Automatische Antwort: Angebot', {}],
      ['Réponse automatique : Devis', {}],
      ['Quote', { 'auto-submitted': 'auto-replied' }],
      ['Undelivered Mail Returned to Sender', { 'return-path': '<>' }],
    ] as const) {
      const verdict = detectAutomatedMail(base(headers, { ...reply, subject }), { ownAddresses: OWN });
      expect(verdict.automated, subject).toBe(true);
    }
  });

  it('a person answering an auto-reply is not an auto-reply', () => {
    const verdict = detectAutomatedMail(base({}, { subject: 'Re: Automatic reply: Quote' }));
    expect(verdict.automated).toBe(false);
  });

  it('ignores X-Autoreply: no and Auto-Submitted: no', () => {
    expect(detectAutomatedMail(base({ 'x-autoreply': 'no', 'auto-submitted': 'No' })).automated).toBe(false);
  });

  it('names a read receipt and an empty Return-Path', () => {
    expect(
      detectAutomatedMail(
        base({ 'content-type': 'multipart/report; report-type=disposition-notification; boundary=x' }),
      ),
    ).toMatchObject({
      automated: true,
      category: 'report',
      reason: 'automated report: read receipt (multipart/report)',
    });
    expect(detectAutomatedMail(base({ 'return-path': '<>' }))).toMatchObject({
      automated: true,
      signal: 'null_return_path',
    });
  });
});
