import { describe, expect, it } from 'vitest';
import { parseGmailAccountUrl } from '../../../../../lib/mail/gmail/page/parseGmailAccountUrl';
import { dateFromGmailId, dateFromGmailTooltip } from '../../../../../lib/mail/gmail/page/readMessageView';

describe('parseGmailAccountUrl', () => {
  it.each([
    ['https://mail.google.com/mail/u/0/#inbox', 0, null, '/mail/u/0'],
    ['https://mail.google.com/mail/u/1/#inbox/FMfcgzQXJWDsKmtv', 1, null, '/mail/u/1'],
    ['https://mail.google.com/mail/u/12', 12, null, '/mail/u/12'],
    ['https://mail.google.com/mail/#inbox', 0, null, '/mail/u/0'],
    ['https://mail.google.com/mail/b/ABC123/u/2/#inbox', 2, 'ABC123', '/mail/b/ABC123/u/2'],
  ])('%s -> account %i', (url, accountIndex, delegatedAccount, basePath) => {
    expect(parseGmailAccountUrl(url)).toEqual({ accountIndex, delegatedAccount, basePath });
  });

  it.each([
    'https://calendar.google.com/calendar/u/0/r',
    'https://mail.google.com/chat/u/0/',
    'not a url',
  ])('rejects %s', (url) => expect(parseGmailAccountUrl(url)).toBeNull());
});

describe('Gmail message dates', () => {
  it('reads the internal date from a Gmail hex id', () => {
    expect(dateFromGmailId('18e2c5b3f4a1d2c7')?.toISOString()).toBe('2024-03-11T07:12:41.290Z');
  });

  it('rejects ids that do not carry a plausible date', () => {
    expect(dateFromGmailId('0000000000000001')).toBeNull();
    expect(dateFromGmailId('ffffffffffffffff')).toBeNull();
    expect(dateFromGmailId('thread-f:17')).toBeNull();
  });

  it('parses English tooltips and gives up on what the engine cannot read', () => {
    expect(dateFromGmailTooltip('Tue, Mar 4, 2025, 10:14\u202fAM')?.getFullYear()).toBe(2025);
    expect(dateFromGmailTooltip('Tue, Mar 4, 2025 at 10:14 AM')?.getMonth()).toBe(2);
    expect(dateFromGmailTooltip('')).toBeNull();
    expect(dateFromGmailTooltip('gestern')).toBeNull();
  });
});
