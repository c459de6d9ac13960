import { describe, expect, it } from 'vitest';
import { LinkIndex } from '../../../lib/linking/LinkIndex';
import { createLinkingContext, linkMessage } from '../../../lib/linking/linkMessage';
import { decideLinkedMessage } from '../../../lib/logging/autoLogDecision';
import type { Settings } from '../../../lib/settings/Settings';
import { ACME, BOB_GMAIL, BUECHER, JANE, SAM_COLLEAGUE, settings } from '../linking/linkingFixtures';
import { messageFromFixture } from '../mail/loadHeaderFixture';

// The decision is fed by linking (lib/linking/linkMessage.ts), as in the product: each
// message goes through linkMessage and the verdicts it carries are checked here.
const index = new LinkIndex([JANE, BOB_GMAIL, SAM_COLLEAGUE], [ACME, BUECHER]);

function ctx(overrides: Partial<Settings> = {}) {
  return createLinkingContext({
    ownAddresses: ['Riley@OurCo.example'],
    orgDomains: ['ourco.example'],
    settings: settings(overrides),
  });
}

describe('autoLogDecision: the auto-log rules and the create-contact policy', () => {
  it('automated mail: never creates contacts and is not auto-logged, with the reason', () => {
    const m = messageFromFixture('newsletter-list-unsubscribe.txt');
    const links = linkMessage(m, index, ctx({ createContactPolicy: 'automatic' }));
    const reason =
      // The kind is worded once ("automated mail (a newsletter)"), then the evidence.
      'automated mail (a newsletter): List-Unsubscribe and X-Mailer: Mailchimp Mailer - **CIDd0e1f2a3b4c5d6e…';
    expect(links.unknownParticipants[0]?.createContact).toEqual({ action: 'never', reason });
    const fromJane = { ...m, from: { name: 'Jane', address: 'jane@acme.co.uk' } };
    expect(linkMessage(fromJane, index, ctx()).autoLog).toEqual({
      log: false,
      reason,
      skip: {
        rule: 'automated',
        automated: 'newsletter',
        detail: 'List-Unsubscribe and X-Mailer: Mailchimp Mailer - **CIDd0e1f2a3b4c5d6e…',
      },
    });
    expect(linkMessage(fromJane, index, ctx({ filterAutomatedMail: false })).autoLog.log).toBe(true);
  });

  it('create-contact policy: off / ask / automatic', () => {
    const m = {
      ...messageFromFixture('gmail-received.txt'),
      from: { name: '', address: 'new.person@newco.example' },
    };
    expect(
      linkMessage(m, index, ctx({ createContactPolicy: 'off' })).unknownParticipants[0]?.createContact.action,
    ).toBe('never');
    expect(
      linkMessage(m, index, ctx({ createContactPolicy: 'ask' })).unknownParticipants[0]?.createContact.action,
    ).toBe('ask');
    const auto = linkMessage(m, index, ctx({ createContactPolicy: 'automatic' })).unknownParticipants[0];
    expect(auto?.createContact.action).toBe('automatic');
    expect(auto?.suggestedName).toBe('New Person');
    // Not automatic for a message that is not auto-loggable (too old): ask instead.
    const old = createLinkingContext({
      ownAddresses: ['riley@ourco.example'],
      orgDomains: [],
      settings: settings({ createContactPolicy: 'automatic' }),
      notBefore: Date.parse('2030-01-01T00:00:00Z'),
    });
    expect(linkMessage(m, index, old).unknownParticipants[0]?.createContact.action).toBe('ask');
  });

  it('never offers contacts for no-reply recipients or junk', () => {
    const sent = {
      ...messageFromFixture('gmail-sent-reply.txt', { folderRole: 'sent' }),
      to: [{ name: '', address: 'noreply@vendor.example' }],
      cc: [],
    };
    expect(linkMessage(sent, index, ctx()).unknownParticipants[0]?.createContact).toEqual({
      action: 'never',
      reason: 'noreply@vendor.example is an automated address',
    });
    const junk = {
      ...messageFromFixture('gmail-received.txt', { folderRole: 'junk' }),
      from: { name: '', address: 'x@newco.example' },
    };
    expect(linkMessage(junk, index, ctx()).unknownParticipants[0]?.createContact.reason).toMatch(/junk/);
  });

  it('respects the auto-log settings for each direction', () => {
    const received = messageFromFixture('gmail-received.txt');
    expect(linkMessage(received, index, ctx({ autoLogReceived: false })).autoLog).toEqual({
      log: false,
      reason: 'automatic logging of received mail is off',
      skip: { rule: 'privacy', automated: null, detail: 'automatic logging of received mail is off' },
    });
    const sent = messageFromFixture('gmail-sent-reply.txt', { folderRole: 'sent' });
    expect(linkMessage(sent, index, ctx({ autoLogSent: false })).autoLog).toMatchObject({
      log: false,
      skip: { rule: 'privacy' },
    });
  });

  it('names the first rule that stops a message: the never-log list before the settings, then the folder', () => {
    const received = messageFromFixture('gmail-received.txt');
    const neverAndOff = ctx({ neverLogDomains: ['acme.co.uk'], autoLogReceived: false });
    expect(linkMessage(received, index, neverAndOff).autoLog).toEqual({
      log: false,
      reason: 'never logged: acme.co.uk is on your never-log list',
      skip: { rule: 'never_log', automated: null, detail: 'acme.co.uk' },
    });
    const junk = messageFromFixture('gmail-received.txt', { folderRole: 'junk' });
    expect(linkMessage(junk, index, ctx({ autoLogReceived: false })).autoLog).toMatchObject({
      log: false,
      skip: { rule: 'junk' },
    });
  });
});

describe('decideLinkedMessage: what the pipeline, the panel and the audit do with a linked message', () => {
  it('logs by a click what the sync leaves alone, and skips it in the sync with the same rule', () => {
    const sent = messageFromFixture('gmail-sent-reply.txt', { folderRole: 'sent' });
    const links = linkMessage(sent, index, ctx({ autoLogSent: false }));
    expect(decideLinkedMessage(sent, links, 'auto')).toMatchObject({
      status: 'skipped',
      skip: { rule: 'privacy' },
      contactIds: ['con_jane', 'con_sam'],
    });
    expect(decideLinkedMessage(sent, links, 'manual')).toMatchObject({
      status: 'loggable',
      contactIds: ['con_jane', 'con_sam'],
      contactsToCreate: 0,
    });
  });

  it('skips a machine\'s mail with no contact on it for what it is when clicked, for "no contact" in the sync', () => {
    const newsletter = messageFromFixture('newsletter-list-unsubscribe.txt');
    const links = linkMessage(newsletter, index, ctx({ filterAutomatedMail: false }));
    expect(decideLinkedMessage(newsletter, links, 'manual')).toMatchObject({
      status: 'skipped',
      skip: { rule: 'automated', automated: 'newsletter' },
    });
    expect(decideLinkedMessage(newsletter, links, 'auto')).toMatchObject({
      status: 'skipped',
      skip: { rule: 'no_contact' },
    });
  });

  it('counts the contacts the automatic policy would create only when asked what the sync would do', () => {
    const m = {
      ...messageFromFixture('gmail-received.txt'),
      from: { name: '', address: 'new.person@newco.example' },
    };
    const links = linkMessage(m, index, ctx({ createContactPolicy: 'automatic' }));
    expect(links.autoLog).toMatchObject({
      log: true,
      reason: expect.stringContaining('creates 1 new contact'),
    });
    // Before the pipeline has created them, nobody on it is a contact yet.
    expect(decideLinkedMessage(m, links, 'auto')).toMatchObject({
      status: 'skipped',
      skip: { rule: 'no_contact' },
    });
    expect(decideLinkedMessage(m, links, 'auto', { prospective: true })).toMatchObject({
      status: 'loggable',
      contactIds: [],
      contactsToCreate: 1,
    });
  });
});
