import { describe, expect, it } from 'vitest';
import {
  buildLookupRequest,
  isLookupableAddress,
  splitLookupRequest,
} from '../../../lib/linking/buildLookupRequest';
import { DomainExclusions } from '../../../lib/linking/DomainExclusions';
import { registrableDomain } from '../../../lib/linking/registrableDomain';
import { messageFromFixture } from '../mail/loadHeaderFixture';
import { settings } from './linkingFixtures';

describe('buildLookupRequest', () => {
  const own = new Set(['riley@ourco.example']);

  it('asks once for every participant of the thread, minus the user, deduped', () => {
    const thread = [
      messageFromFixture('gmail-received.txt'),
      messageFromFixture('gmail-sent-reply.txt', { folderRole: 'sent' }),
    ];
    const request = buildLookupRequest(thread, own);
    expect(request.emails).toEqual([
      'jane.doe@eu.acme.co.uk',
      'procurement@acme.co.uk',
      'bob@gmail.com',
      'sam@ourco.example',
    ]);
    expect(request.domains).toEqual(['acme.co.uk', 'gmail.com', 'ourco.example']);
  });

  it('leaves excluded domains out of the domain lookup (but keeps the addresses)', () => {
    const thread = [messageFromFixture('gmail-received.txt')];
    const exclusions = new DomainExclusions(settings(), ['ourco.example']);
    const request = buildLookupRequest(thread, own, exclusions);
    expect(request.emails).toContain('bob@gmail.com');
    expect(request.domains).toEqual(['acme.co.uk']);
  });

  it('keeps every participant and splits them into calls of 100', () => {
    const to = Array.from({ length: 250 }, (_, i) => ({ name: '', address: `p${i}@company${i}.example` }));
    const request = buildLookupRequest([{ from: null, to, cc: [], replyTo: [] }], own);
    expect(request.emails).toHaveLength(250);
    expect(request.domains).toHaveLength(250);
    const calls = splitLookupRequest(request);
    expect(calls.map((c) => [c.emails.length, c.domains.length])).toEqual([
      [100, 100],
      [100, 100],
      [50, 50],
    ]);
    expect(calls.flatMap((c) => c.emails)).toEqual(request.emails);
  });

  it('asks only about addresses the contract accepts', () => {
    // 250 + 1 + 253 = 504 characters: normalises, but the contract's lookup takes at most 320.
    const long = `${'a'.repeat(250)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.example`;
    const to = [
      { name: '', address: long },
      { name: '', address: 'nul\u0000@acme.example' },
      { name: '', address: 'Not.Normalised@Acme.Example' },
      { name: '', address: 'ok@acme.example' },
    ];
    const request = buildLookupRequest([{ from: null, to, cc: [], replyTo: [] }], own);
    expect(request.emails).toEqual(['ok@acme.example']);
    expect(isLookupableAddress(long)).toBe(false);
  });
});

describe('registrableDomain', () => {
  it.each([
    ['eu.acme.co.uk', 'acme.co.uk'],
    ['ACME.co.uk', 'acme.co.uk'],
    ['mail.bücher.de', 'xn--bcher-kva.de'],
    ['a.b.c.example.com.au', 'example.com.au'],
    ['co.uk', null],
    ['192.168.1.1', null],
  ])('%s -> %s', (domain, expected) => {
    expect(registrableDomain(domain)).toBe(expected);
  });
});

describe('DomainExclusions', () => {
  it('names the reason and honours the switches', () => {
    const all = new DomainExclusions(settings({ excludedDomains: ['Competitor.example'] }), [
      'OurCo.example',
    ]);
    expect(all.exclusionFor('gmail.com')?.kind).toBe('free_mail');
    expect(all.exclusionFor('yahoo.co.uk')?.kind).toBe('free_mail');
    expect(all.exclusionFor('sales.ourco.example')).toMatchObject({ kind: 'org', domain: 'ourco.example' });
    expect(all.exclusionFor('competitor.example')?.kind).toBe('user_list');
    expect(all.exclusionFor('acme.co.uk')).toBeNull();
    const none = new DomainExclusions(settings({ excludeFreeMailDomains: false, excludeOrgDomains: false }), [
      'ourco.example',
    ]);
    expect(none.isExcluded('gmail.com')).toBe(false);
    expect(none.isExcluded('ourco.example')).toBe(false);
  });
});
