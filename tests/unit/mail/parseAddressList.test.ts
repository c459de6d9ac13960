import { describe, expect, it } from 'vitest';
import { formatAddressList } from '../../../lib/mail/formatAddressList';
import { parseHeaderBlock } from '../../../lib/mail/mailMessageFromHeaders';
import { normaliseAddress, normaliseDomain } from '../../../lib/mail/normaliseAddress';
import { parseAddressList, parseSingleAddress, toMailAddress } from '../../../lib/mail/parseAddressList';
import { readHeaderFixture } from './loadHeaderFixture';

describe('normaliseAddress', () => {
  it('trims, lower-cases and strips angle brackets and mailto:', () => {
    expect(normaliseAddress('  <Jane.Doe@Example.COM> ')).toBe('jane.doe@example.com');
    expect(normaliseAddress('mailto:Bob@Example.org')).toBe('bob@example.org');
  });

  it('converts IDN domains to punycode so both spellings are one key', () => {
    expect(normaliseAddress('jörg@Bücher.DE')).toBe('jörg@xn--bcher-kva.de');
    expect(normaliseAddress('jörg@xn--bcher-kva.de')).toBe('jörg@xn--bcher-kva.de');
  });

  it('drops a trailing dot on the domain', () => {
    expect(normaliseAddress('a@example.com.')).toBe('a@example.com');
  });

  it('rejects things that are not addresses', () => {
    for (const bad of [
      '',
      'no-at-sign',
      '@example.com',
      'a@',
      'a@exa mple.com',
      'a@/path',
      'a b@example.com',
      'a@-bad-.com',
    ]) {
      expect(normaliseAddress(bad), bad).toBeNull();
    }
  });

  it('normaliseDomain rejects numbers URL would turn into IPs', () => {
    expect(normaliseDomain('1234')).toBeNull();
    expect(normaliseDomain('Sub.Example.COM')).toBe('sub.example.com');
  });
});

describe('parseAddressList', () => {
  it('keeps commas inside quoted display names', () => {
    expect(parseAddressList('"Doe, Jane" <Jane.Doe@Acme.co.uk>, bob@example.com')).toEqual([
      { name: 'Doe, Jane', address: 'jane.doe@acme.co.uk' },
      { name: '', address: 'bob@example.com' },
    ]);
  });

  it('flattens groups and ignores empty groups', () => {
    expect(parseAddressList('Team: a@x.example, "B" <b@x.example>;, undisclosed-recipients:;')).toEqual([
      { name: '', address: 'a@x.example' },
      { name: 'B', address: 'b@x.example' },
    ]);
  });

  it('decodes RFC 2047 encoded words in names (UTF-8 and ISO-8859-1)', () => {
    expect(parseAddressList('=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <j@m.example>')).toEqual([
      { name: 'Jörg Müller', address: 'j@m.example' },
    ]);
    expect(parseSingleAddress('=?iso-8859-1?Q?M=FCller=2C_J=F6rg?= <J@M.example>')).toEqual({
      name: 'Müller, Jörg',
      address: 'j@m.example',
    });
  });

  it('handles comments, escaped quotes and stray whitespace', () => {
    expect(parseAddressList('MAILER-DAEMON@mx.example.net (Mail Delivery System)')).toEqual([
      { name: 'Mail Delivery System', address: 'mailer-daemon@mx.example.net' },
    ]);
    expect(parseAddressList('  "Pat \\"The Closer\\" O\'Brien"   <  PAT@Example.com  >  ')).toEqual([
      { name: 'Pat "The Closer" O\'Brien', address: 'pat@example.com' },
    ]);
  });

  it('drops entries without a usable address and duplicates', () => {
    expect(parseAddressList('Nobody, <>, a@x.example, A <A@X.example>')).toEqual([
      { name: '', address: 'a@x.example' },
    ]);
    expect(parseAddressList('')).toEqual([]);
    expect(parseAddressList(undefined)).toEqual([]);
  });

  it('reads the Outlook fixture: encoded From, Unicode domain, group in Cc', () => {
    const headers = parseHeaderBlock(readHeaderFixture('outlook-exchange.txt'));
    expect(parseSingleAddress(headers.from)).toEqual({
      name: 'Müller, Jörg',
      address: 'joerg.mueller@xn--bcher-handel-dlb.de',
    });
    expect(parseAddressList(headers.cc).map((a) => a.address)).toEqual([
      'anna@xn--bcher-handel-dlb.de',
      'pat.obrien@xn--bcher-handel-dlb.de',
    ]);
  });

  it('round-trips through formatAddressList', () => {
    const list = [
      { name: 'Doe, Jane', address: 'jane@acme.example' },
      { name: 'Jörg "J" Müller', address: 'j@m.example' },
      { name: '', address: 'x@y.example' },
      { name: '=?UTF-8?B?YQ==?= literally', address: 'lit@y.example' },
    ];
    expect(parseAddressList(formatAddressList(list))).toEqual(list);
  });

  it('toMailAddress normalises provider API pairs', () => {
    expect(toMailAddress(' Bob@Example.COM ', '  Bob   B ')).toEqual({
      name: 'Bob B',
      address: 'bob@example.com',
    });
    expect(toMailAddress('broken')).toBeNull();
  });
});
