import { describe, expect, it } from 'vitest';
import { isFreeMailDomain } from '../../../lib/linking/DomainExclusions';
import {
  type IdentityContact,
  type IdentityStranger,
  isAtContactCompany as isAtCompany,
  matchSameIdentity as matchWith,
  nameKey,
} from '../../../lib/linking/sameIdentity';

const matchSameIdentity = (stranger: IdentityStranger, contacts: IdentityContact[]) =>
  matchWith(stranger, contacts, isFreeMailDomain);
const isAtContactCompany = (address: string, companyId: string | null, contact: IdentityContact) =>
  isAtCompany(address, companyId, contact, isFreeMailDomain);

const alice: IdentityContact = {
  id: 'c1',
  name: 'Alice Moreau',
  emails: ['alice@acme.example'],
  companyId: 'acme',
};
const bob: IdentityContact = {
  id: 'c2',
  name: 'Bob Stone',
  emails: ['bob@globex.example'],
  companyId: 'globex',
};

describe('nameKey', () => {
  it('compares full names without case, accents, punctuation or word order', () => {
    expect(nameKey('Alice Moreau')).toBe(nameKey('MOREAU, Alice'));
    expect(nameKey('Hélène Côté')).toBe(nameKey('helene cote'));
    expect(nameKey('Jean-Luc Picard')).toBe(nameKey('Picard Jean Luc'));
  });
  it('has no key for a single word, an address or nothing', () => {
    expect(nameKey('Alice')).toBeNull();
    expect(nameKey('alice@acme.example')).toBeNull();
    expect(nameKey('  ')).toBeNull();
  });
});

describe('matchSameIdentity', () => {
  it('offers the known contact with the same name at the same company (its company record)', () => {
    const match = matchSameIdentity(
      { address: 'a.moreau@acme-group.example', name: 'Alice Moreau', companyId: 'acme' },
      [alice, bob],
    );
    expect(match).toMatchObject({ contact: { id: 'c1' }, sameCompany: true });
  });
  it('counts a shared company domain as the same company, but never a free-mail domain', () => {
    expect(
      matchSameIdentity({ address: 'moreau@acme.example', name: 'Moreau, Alice', companyId: null }, [alice])
        ?.sameCompany,
    ).toBe(true);
    const gmailAlice = { ...alice, emails: ['alice.moreau@gmail.com'], companyId: null };
    expect(
      matchSameIdentity({ address: 'amoreau@gmail.com', name: 'Alice Moreau', companyId: null }, [gmailAlice])
        ?.sameCompany,
    ).toBe(false);
  });
  it('marks a name match at another company as needing the rep’s word', () => {
    const match = matchSameIdentity(
      { address: 'alice@globex.example', name: 'Alice Moreau', companyId: 'globex' },
      [alice],
    );
    expect(match?.sameCompany).toBe(false);
    expect(match?.reason).toMatch(/not at Alice Moreau's company/);
  });
  it('offers nothing for another name, a first name only, or two known people with the name', () => {
    expect(
      matchSameIdentity({ address: 'x@acme.example', name: 'Alicia Moreau', companyId: 'acme' }, [alice]),
    ).toBeNull();
    expect(
      matchSameIdentity({ address: 'x@acme.example', name: 'Alice', companyId: 'acme' }, [alice]),
    ).toBeNull();
    const twin = { ...alice, id: 'c3', emails: ['alice.m@acme.example'] };
    expect(
      matchSameIdentity({ address: 'x@acme.example', name: 'Alice Moreau', companyId: 'acme' }, [
        alice,
        twin,
      ]),
    ).toBeNull();
  });
  it('isAtContactCompany follows the same rule', () => {
    expect(isAtContactCompany('x@acme.example', null, alice)).toBe(true);
    expect(isAtContactCompany('x@other.example', 'acme', alice)).toBe(true);
    expect(isAtContactCompany('x@other.example', null, alice)).toBe(false);
  });
});
