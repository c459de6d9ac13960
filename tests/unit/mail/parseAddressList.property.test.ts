import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAddressList } from '../../../lib/mail/formatAddressList';
import type { MailAddress } from '../../../lib/mail/MailMessage';
import { normaliseAddress } from '../../../lib/mail/normaliseAddress';
import { normaliseMessageId, parseMessageIdList } from '../../../lib/mail/normaliseMessageId';
import { normaliseDisplayName, parseAddressList } from '../../../lib/mail/parseAddressList';

const anyText = fc.string({ unit: 'binary', maxLength: 200 });
// Header-ish noise: the characters that matter to an address parser, mixed with anything.
const headerish = fc
  .array(
    fc.oneof(
      fc.constantFrom('<', '>', '"', ',', ';', ':', '@', '(', ')', '\\', ' ', '=?UTF-8?B?', '?='),
      fc.string({ unit: 'binary', maxLength: 8 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

const address = fc
  .emailAddress()
  .map((a) => normaliseAddress(a))
  .filter((a): a is string => a !== null);
const displayName = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom('"', '\\', ',', ';', '<', '>', '(', ')', '=?', '?=', 'UTF-8?B?', ' '),
        fc.string({ maxLength: 4 }),
      ),
      {
        maxLength: 12,
      },
    )
    .map((parts) => parts.join('')),
);
const mailbox = fc.record({ name: displayName, address });

describe('parseAddressList properties', () => {
  it('never throws, and every address it returns is normalised and lower-case', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, headerish), (header) => {
        const parsed = parseAddressList(header);
        for (const a of parsed) {
          expect(a.address).toBe(a.address.toLowerCase());
          expect(normaliseAddress(a.address)).toBe(a.address);
          expect(a.address).toContain('@');
        }
        expect(new Set(parsed.map((a) => a.address)).size).toBe(parsed.length);
      }),
      { numRuns: 2_000 },
    );
  });

  it('round-trips: parse(format(list)) gives back the addresses and names', () => {
    fc.assert(
      fc.property(fc.array(mailbox, { maxLength: 8 }), (list) => {
        const expected: MailAddress[] = [];
        const seen = new Set<string>();
        for (const m of list) {
          if (seen.has(m.address)) continue;
          seen.add(m.address);
          expected.push({ name: normaliseDisplayName(m.name), address: m.address });
        }
        expect(parseAddressList(formatAddressList(list))).toEqual(expected);
      }),
      { numRuns: 1_000 },
    );
  });

  it('upper case and stray whitespace do not change the result', () => {
    fc.assert(
      fc.property(mailbox, fc.constantFrom(' ', '  ', '\t', '\r\n '), (m, ws) => {
        const messy = `${ws}${formatAddressList([{ name: m.name, address: m.address.toUpperCase() }])}${ws}`;
        const parsed = parseAddressList(messy);
        // Upper-casing can turn some Unicode local parts into different lower-case letters
        // (e.g. "ß" -> "SS" -> "ss"), so compare against the normalised upper-case form.
        expect(parsed.map((a) => a.address)).toEqual([normaliseAddress(m.address.toUpperCase())]);
      }),
      { numRuns: 1_000 },
    );
  });

  it('normaliseAddress is idempotent and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.emailAddress()), (raw) => {
        const once = normaliseAddress(raw);
        if (once !== null) {
          expect(normaliseAddress(once)).toBe(once);
          expect(once).toBe(once.toLowerCase());
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('Message-ID properties', () => {
  it('normalised ids are lower-case, bracket-free, whitespace-free and stable', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, headerish), (raw) => {
        const id = normaliseMessageId(raw);
        if (id === null) return;
        expect(id).toBe(id.toLowerCase());
        expect(id).not.toMatch(/[<>\s]/u);
        expect(normaliseMessageId(id)).toBe(id);
        for (const ref of parseMessageIdList(raw)) expect(ref).not.toMatch(/[<>\s]/u);
      }),
      { numRuns: 2_000 },
    );
  });

  it('bracketing, folding and case do not change the id', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.constantFrom('', ' ', '\r\n '), (id, ws) => {
        expect(normaliseMessageId(`${ws}<${id.toUpperCase()}>${ws}`)).toBe(normaliseMessageId(id));
      }),
    );
  });
});
