import { describe, expect, it } from 'vitest';
import { normaliseMessageId, parseMessageIdList } from '../../../lib/mail/normaliseMessageId';

describe('normaliseMessageId', () => {
  it('strips angle brackets and whitespace and lower-cases', () => {
    expect(normaliseMessageId('<CAF8kT=xqV2@Mail.Gmail.COM>')).toBe('caf8kt=xqv2@mail.gmail.com');
    expect(normaliseMessageId('  < CAF9xYz=Follow.Up@Mail.Gmail.COM >  ')).toBe(
      'caf9xyz=follow.up@mail.gmail.com',
    );
    expect(normaliseMessageId('\r\n <AM0PR05MB@AM0PR05MB6540.eurprd05.prod.outlook.com>')).toBe(
      'am0pr05mb@am0pr05mb6540.eurprd05.prod.outlook.com',
    );
  });

  it('accepts ids without brackets (API values)', () => {
    expect(normaliseMessageId('01000187A29DF5A2@example.com')).toBe('01000187a29df5a2@example.com');
  });

  it('takes the first bracketed id when several are present', () => {
    expect(normaliseMessageId('<a@x> <b@y>')).toBe('a@x');
  });

  it('is null for empty values', () => {
    expect(normaliseMessageId('')).toBeNull();
    expect(normaliseMessageId('   ')).toBeNull();
    expect(normaliseMessageId('<>')).toBeNull();
    expect(normaliseMessageId(null)).toBeNull();
  });

  it('is idempotent', () => {
    const once = normaliseMessageId('<Abc.Def@Host.Example>');
    expect(normaliseMessageId(once)).toBe(once);
  });
});

describe('parseMessageIdList', () => {
  it('reads folded References in order, deduplicated', () => {
    expect(parseMessageIdList('<A@x.example>\r\n <b@Y.example>\t<a@x.example>')).toEqual([
      'a@x.example',
      'b@y.example',
    ]);
  });

  it('tolerates commas and missing brackets', () => {
    expect(parseMessageIdList('<a@x>, <b@y>')).toEqual(['a@x', 'b@y']);
    expect(parseMessageIdList('a@x b@y')).toEqual(['a@x', 'b@y']);
    expect(parseMessageIdList('')).toEqual([]);
  });
});
