import { describe, expect, it } from 'vitest';
import {
  folderRoleFromGmailLabels,
  folderRoleFromGraphWellKnownName,
  folderRoleFromSpecialUse,
} from '../../../lib/mail/folderRoles';

describe('folderRoleFromGmailLabels', () => {
  it.each([
    [['INBOX', 'CATEGORY_PERSONAL', 'UNREAD'], 'inbox'],
    [['SENT'], 'sent'],
    [['SENT', 'INBOX'], 'sent'], // a message to yourself
    [['DRAFT'], 'drafts'],
    [['SPAM', 'CATEGORY_PROMOTIONS'], 'junk'],
    [['TRASH', 'SENT'], 'trash'],
    [['INBOX', 'DRAFT'], 'drafts'],
    [['CATEGORY_UPDATES'], 'archive'],
    [['Label_12345', 'IMPORTANT'], 'archive'],
    [[], 'archive'],
  ] as const)('%j -> %s', (labels, role) => {
    expect(folderRoleFromGmailLabels(labels)).toBe(role);
  });
});

describe('folderRoleFromGraphWellKnownName', () => {
  it.each([
    ['inbox', 'inbox'],
    ['sentitems', 'sent'],
    ['SentItems', 'sent'],
    ['drafts', 'drafts'],
    ['outbox', 'drafts'],
    ['junkemail', 'junk'],
    ['deleteditems', 'trash'],
    ['archive', 'archive'],
    ['conversationhistory', 'other'],
    [null, 'other'],
  ] as const)('%s -> %s', (name, role) => {
    expect(folderRoleFromGraphWellKnownName(name)).toBe(role);
  });
});

describe('folderRoleFromSpecialUse', () => {
  it.each([
    ['\\Inbox', 'inbox'],
    ['\\Sent', 'sent'],
    ['\\Drafts', 'drafts'],
    ['\\Junk', 'junk'],
    ['\\Trash', 'trash'],
    ['\\Archive', 'archive'],
    ['\\All', 'archive'],
    [['\\HasNoChildren', '\\Sent'], 'sent'],
    [['\\Flagged'], 'other'],
    [null, 'other'],
  ] as const)('%j -> %s', (flags, role) => {
    expect(folderRoleFromSpecialUse(flags)).toBe(role);
  });
});
