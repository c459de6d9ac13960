import { describe, expect, it } from 'vitest';
import { detectAutomatedMail, isAutomatedSenderAddress } from '../../../lib/mail/detectAutomatedMail';
import { messageFromFixture } from './loadHeaderFixture';

describe('detectAutomatedMail on real-world header samples', () => {
  it.each([
    ['mailing-list-google-groups.txt', 'precedence', /Precedence: list/],
    ['newsletter-list-unsubscribe.txt', 'list_unsubscribe', /List-Unsubscribe/],
    ['auto-reply-exchange-oof.txt', 'auto_submitted', /Auto-Submitted: auto-replied/],
    ['auto-reply-x-autoreply.txt', 'x_autoreply', /X-Autoreply: yes/],
    ['bounce-postfix-dsn.txt', 'delivery_report', /delivery status notification \(bounce\)/],
    ['bounce-exchange-ndr.txt', 'delivery_report', /bounce/],
    ['no-reply-notification.txt', 'automated_sender', /no-reply@accounts\.google\.com/],
    ['precedence-bulk.txt', 'precedence', /Precedence: bulk/],
  ])('%s is automated (%s)', (fixture, signal, reason) => {
    const verdict = detectAutomatedMail(messageFromFixture(fixture));
    expect(verdict.automated).toBe(true);
    if (!verdict.automated) return;
    expect(verdict.signal).toBe(signal);
    expect(verdict.reason).toMatch(reason);
  });

  it.each([
    'gmail-received.txt',
    'outlook-exchange.txt',
    'auto-submitted-no.txt',
    'gmail-sent-reply.txt',
  ])('%s is personal mail', (fixture) => {
    const verdict = detectAutomatedMail(messageFromFixture(fixture));
    expect(verdict).toEqual({ automated: false, reason: expect.stringContaining('personal') });
  });

  it('recognises a mailing list by List-Id alone', () => {
    const verdict = detectAutomatedMail({ from: null, headers: { 'list-id': '<dev.lists.example>' } });
    expect(verdict).toMatchObject({ automated: true, signal: 'list_id' });
  });

  it('recognises read receipts and the null return path', () => {
    expect(
      detectAutomatedMail({
        from: { name: '', address: 'jane@acme.example' },
        headers: { 'content-type': 'multipart/report; report-type=disposition-notification; boundary=x' },
      }),
    ).toMatchObject({ automated: true, reason: expect.stringContaining('read receipt') });
    expect(
      detectAutomatedMail({
        from: { name: '', address: 'jane@acme.example' },
        headers: { 'return-path': '<>' },
      }),
    ).toMatchObject({ automated: true, signal: 'null_return_path' });
  });

  it('ignores X-Autoreply: no and Auto-Submitted: no', () => {
    const from = { name: '', address: 'jane@acme.example' };
    expect(
      detectAutomatedMail({ from, headers: { 'x-autoreply': 'no', 'auto-submitted': 'No' } }).automated,
    ).toBe(false);
  });
});

describe('isAutomatedSenderAddress', () => {
  it.each([
    'noreply@github.com',
    'no-reply@accounts.google.com',
    'no_reply@x.example',
    'donotreply@bank.example',
    'do-not-reply@bank.example',
    'mailer-daemon@googlemail.com',
    'postmaster@outlook.com',
    'noreply+tag@x.example',
    'no-reply-notifications@x.example',
  ])('%s is automated', (address) => {
    expect(isAutomatedSenderAddress(address)).toBe(true);
  });

  it.each([
    'jane@acme.example',
    'replyguy@x.example',
    'noreen@x.example',
    'postmasters-guild@x.example',
  ])('%s is a person', (address) => {
    expect(isAutomatedSenderAddress(address)).toBe(false);
  });
});
