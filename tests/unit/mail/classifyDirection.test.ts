import { describe, expect, it } from 'vitest';
import { classifyDirection } from '../../../lib/mail/classifyDirection';
import { messageFromFixture } from './loadHeaderFixture';

const own = { ownAddresses: ['riley@ourco.example'] };

describe('classifyDirection (docs/ARCHITECTURE.md, Direction and what is logged)', () => {
  it('received mail in the inbox is incoming; the contact is From', () => {
    const verdict = classifyDirection(messageFromFixture('gmail-received.txt'), own);
    expect(verdict).toMatchObject({ direction: 'incoming', eligibility: 'auto', code: 'received' });
    expect(verdict.counterparties).toEqual([{ name: 'Doe, Jane', address: 'jane.doe@eu.acme.co.uk' }]);
  });

  it('mail in the sent folder is outgoing; the contacts are To + Cc without the user', () => {
    const verdict = classifyDirection(
      messageFromFixture('gmail-sent-reply.txt', { folderRole: 'sent' }),
      own,
    );
    expect(verdict).toMatchObject({ direction: 'outgoing', eligibility: 'auto', code: 'sent_folder' });
    expect(verdict.counterparties.map((c) => c.address)).toEqual([
      'jane.doe@eu.acme.co.uk',
      'procurement@acme.co.uk',
      'sam@ourco.example',
    ]);
  });

  it('any other folder is incoming too (filters move mail out of the inbox)', () => {
    for (const folderRole of ['archive', 'other'] as const) {
      expect(classifyDirection(messageFromFixture('gmail-received.txt', { folderRole }), own)).toMatchObject({
        direction: 'incoming',
        eligibility: 'auto',
      });
    }
  });

  it('mail from the user outside the sent folder is outgoing', () => {
    const verdict = classifyDirection(
      messageFromFixture('gmail-sent-reply.txt', { folderRole: 'archive' }),
      own,
    );
    expect(verdict).toMatchObject({ direction: 'outgoing', code: 'from_self', eligibility: 'auto' });
  });

  it('drafts (by role or \\Draft flag), junk and trash are never logged', () => {
    const base = 'gmail-sent-reply.txt';
    expect(classifyDirection(messageFromFixture(base, { folderRole: 'drafts' }), own)).toMatchObject({
      eligibility: 'never',
      code: 'draft',
    });
    expect(
      classifyDirection(messageFromFixture(base, { folderRole: 'sent', flags: ['\\Seen', '\\Draft'] }), own),
    ).toMatchObject({
      eligibility: 'never',
      code: 'draft',
    });
    expect(
      classifyDirection(messageFromFixture('gmail-received.txt', { folderRole: 'junk' }), own).eligibility,
    ).toBe('never');
    expect(
      classifyDirection(messageFromFixture('gmail-received.txt', { folderRole: 'trash' }), own).code,
    ).toBe('trash');
  });

  it('no Message-ID: not auto-logged, but a manual log is possible', () => {
    const verdict = classifyDirection(messageFromFixture('no-message-id.txt'), own);
    expect(verdict).toMatchObject({ eligibility: 'manual_only', code: 'no_message_id' });
    expect(verdict.reason).toMatch(/spam/);
  });

  it('empty From: not auto-logged', () => {
    const message = { ...messageFromFixture('gmail-received.txt'), from: null };
    expect(classifyDirection(message, own)).toMatchObject({ eligibility: 'manual_only', code: 'no_from' });
  });

  it('messages older than the import window are not auto-logged', () => {
    const message = messageFromFixture('gmail-received.txt');
    const verdict = classifyDirection(message, { ...own, notBefore: Date.parse('2024-06-01T00:00:00Z') });
    expect(verdict).toMatchObject({ eligibility: 'manual_only', code: 'too_old' });
    expect(
      classifyDirection(message, { ...own, notBefore: Date.parse('2024-05-01T00:00:00Z') }).eligibility,
    ).toBe('auto');
  });

  it('a message only to the user themselves has no one to log', () => {
    const message = {
      ...messageFromFixture('gmail-sent-reply.txt', { folderRole: 'sent' }),
      to: [{ name: '', address: 'riley@ourco.example' }],
      cc: [],
    };
    expect(classifyDirection(message, own)).toMatchObject({
      eligibility: 'never',
      code: 'only_own_addresses',
    });
  });
});
