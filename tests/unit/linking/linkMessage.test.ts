import { describe, expect, it } from 'vitest';
import { LinkIndex } from '../../../lib/linking/LinkIndex';
import { createLinkingContext, linkMessage, nameFromAddress } from '../../../lib/linking/linkMessage';
import type { Settings } from '../../../lib/settings/Settings';
import { messageFromFixture } from '../mail/loadHeaderFixture';
import { ACME, BOB_GMAIL, BUECHER, JANE, SAM_COLLEAGUE, settings } from './linkingFixtures';

const index = new LinkIndex([JANE, BOB_GMAIL, SAM_COLLEAGUE], [ACME, BUECHER]);

function ctx(overrides: Partial<Settings> = {}) {
  return createLinkingContext({
    ownAddresses: ['Riley@OurCo.example'],
    orgDomains: ['ourco.example'],
    settings: settings(overrides),
  });
}

describe('linkMessage', () => {
  it('links an incoming message to the sender by alternate email, and the company by contact and domain', () => {
    const links = linkMessage(messageFromFixture('gmail-received.txt'), index, ctx());
    expect(links.contacts).toEqual([
      expect.objectContaining({ contact: JANE, address: 'jane.doe@eu.acme.co.uk', matchedBy: 'alternate' }),
    ]);
    expect(links.contacts[0]?.reason).toMatch(/alternate email of Jane Doe/);
    expect(links.companies).toEqual([expect.objectContaining({ company: ACME, via: 'contact' })]);
    expect(links.autoLog).toEqual({ log: true, reason: expect.stringContaining('1 contact') });
    // Cc is not a counterparty of an incoming message (docs/ARCHITECTURE.md, "Direction and what is logged": the contact is From).
    expect(links.unknownParticipants).toEqual([]);
  });

  it('links an outgoing message to every To/Cc contact, one per contact', () => {
    const links = linkMessage(
      messageFromFixture('gmail-sent-reply.txt', { folderRole: 'sent' }),
      index,
      ctx(),
    );
    expect(links.direction.direction).toBe('outgoing');
    expect(links.contacts.map((c) => c.contact.id)).toEqual(['con_jane', 'con_sam']);
    // procurement@acme.co.uk is unknown but its registrable domain belongs to Acme.
    expect(links.unknownParticipants).toEqual([
      expect.objectContaining({
        address: 'procurement@acme.co.uk',
        company: ACME,
        registrableDomain: 'acme.co.uk',
        createContact: { action: 'ask', reason: 'procurement@acme.co.uk is not in the CRM' },
      }),
    ]);
  });

  it('maps a subdomain to the company by registrable domain (eu.acme.co.uk -> acme.co.uk)', () => {
    const message = {
      ...messageFromFixture('gmail-received.txt'),
      from: { name: 'Max', address: 'max@eu.acme.co.uk' },
    };
    const links = linkMessage(message, index, ctx());
    expect(links.contacts).toEqual([]);
    expect(links.companies).toEqual([
      { company: ACME, via: 'domain', reason: 'acme.co.uk belongs to Acme Ltd' },
    ]);
    expect(links.unknownParticipants[0]).toMatchObject({ suggestedName: 'Max', company: ACME });
  });

  it('links IDN domains by their punycode form', () => {
    const links = linkMessage(
      messageFromFixture('outlook-exchange.txt', { provider: 'outlook' }),
      index,
      ctx(),
    );
    expect(links.companies.map((c) => c.company.id)).toEqual(['com_buecher']);
    expect(links.unknownParticipants[0]?.createContact.action).toBe('ask');
  });

  it('free-mail domains: no company link and no new contact, but an existing contact is still linked', () => {
    const known = {
      ...messageFromFixture('gmail-received.txt'),
      from: { name: 'Bob', address: 'bob@gmail.com' },
    };
    const knownLinks = linkMessage(known, index, ctx({ createContactPolicy: 'automatic' }));
    expect(knownLinks.contacts.map((c) => c.contact.id)).toEqual(['con_bob']);
    expect(knownLinks.companies).toEqual([]);

    const unknown = { ...known, from: { name: 'Alice', address: 'alice@googlemail.com' } };
    const unknownLinks = linkMessage(unknown, index, ctx({ createContactPolicy: 'automatic' }));
    expect(unknownLinks.unknownParticipants[0]?.createContact).toEqual({
      action: 'never',
      reason: 'googlemail.com is a free / personal mail provider',
    });
    // Nobody on it is a contact, and the only unknown person is on a free-mail domain: that is the rule.
    expect(unknownLinks.autoLog).toEqual({
      log: false,
      reason: 'no one on this message is a CRM contact',
      skip: { rule: 'free_mail', automated: null, detail: 'googlemail.com' },
    });
  });

  it('the free-mail filter can be switched off', () => {
    const m = {
      ...messageFromFixture('gmail-received.txt'),
      from: { name: 'Alice', address: 'alice@gmail.com' },
    };
    const links = linkMessage(m, index, ctx({ excludeFreeMailDomains: false }));
    expect(links.unknownParticipants[0]?.createContact.action).toBe('ask');
  });

  it("the user's excluded-domain list covers subdomains", () => {
    const m = {
      ...messageFromFixture('gmail-received.txt'),
      from: { name: 'X', address: 'x@eu.acme.co.uk' },
    };
    const links = linkMessage(m, index, ctx({ excludedDomains: ['acme.co.uk'] }));
    expect(links.companies).toEqual([]);
    expect(links.unknownParticipants[0]?.createContact).toEqual({
      action: 'never',
      reason: 'acme.co.uk is on your excluded-domains list',
    });
  });

  it('internal mail (only org domains) is not auto-logged by default', () => {
    const m = {
      ...messageFromFixture('gmail-sent-reply.txt', { folderRole: 'sent' }),
      to: [{ name: 'Sam', address: 'sam@ourco.example' }],
      cc: [],
    };
    const links = linkMessage(m, index, ctx());
    expect(links.contacts.map((c) => c.contact.id)).toEqual(['con_sam']); // existing contact still shown
    expect(links.autoLog).toEqual({
      log: false,
      reason: expect.stringContaining('internal mail'),
      skip: expect.objectContaining({ rule: 'internal' }),
    });
    expect(linkMessage(m, index, ctx({ excludeOrgDomains: false })).autoLog.log).toBe(true);
  });

  it('thread links: earlier records of the thread carry over, with reasons', () => {
    const m = {
      ...messageFromFixture('gmail-received.txt'),
      from: { name: 'Jane', address: 'jane@private-new.example' },
    };
    const links = linkMessage(m, index, ctx(), {
      contactIds: ['con_jane', 'con_elsewhere'],
      companyIds: ['com_acme'],
      dealIds: ['deal_1'],
    });
    expect(links.contacts).toEqual([
      expect.objectContaining({ contact: JANE, matchedBy: 'thread', address: null }),
    ]);
    expect(links.companies).toEqual([expect.objectContaining({ company: ACME })]);
    expect(links.threadRecords).toEqual([
      { kind: 'contact', id: 'con_elsewhere', reason: expect.any(String) },
      { kind: 'deal', id: 'deal_1', reason: expect.stringContaining('thread') },
    ]);
    expect(links.autoLog.log).toBe(true);
  });

  it('nameFromAddress derives a readable name', () => {
    expect(nameFromAddress('john.doe-smith+crm@x.example')).toBe('John Doe Smith');
    expect(nameFromAddress('12345@x.example')).toBe('12345@x.example');
  });
});
