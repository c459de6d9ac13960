import { afterEach, describe, expect, it } from 'vitest';
import { MessageRegistry } from '../../../lib/logging/MessageRegistry';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';

let db: CrmSidebarDb;
let n = 0;
afterEach(async () => db?.delete());

describe('MessageRegistry', () => {
  it('records only what the CRM answered created or existing, per user', async () => {
    db = openCrmSidebarDb(`registry-${process.pid}-${n++}`);
    const registry = new MessageRegistry(db, () => 42);
    await registry.markLogged('u1', [
      { status: 'created', externalId: 'm1@x', contactId: 'c1', id: 'a1' },
      { status: 'existing', externalId: 'm1@x', contactId: 'c2', id: 'a0' },
      { status: 'error', externalId: 'm2@x', contactId: 'c9', message: 'unknown contact' },
    ]);
    expect(await registry.isLogged('u1', 'm1@x')).toBe(true);
    expect(await registry.isLogged('u1', 'm2@x')).toBe(false);
    expect(await registry.isLogged('u2', 'm1@x')).toBe(false);
    expect(await registry.isLoggedFor('u1', 'm1@x', 'c2')).toBe(true);
    expect(await registry.get('u1', 'm1@x')).toEqual({
      crmUserId: 'u1',
      externalId: 'm1@x',
      activities: {
        c1: { activityId: 'a1', status: 'created' },
        c2: { activityId: 'a0', status: 'existing' },
      },
      loggedAt: 42,
      status: 'logged',
    });
  });

  it('merges later answers for more contacts and answers bulk questions', async () => {
    db = openCrmSidebarDb(`registry-${process.pid}-${n++}`);
    const registry = new MessageRegistry(db);
    await registry.markLogged('u1', [{ status: 'created', externalId: 'm1@x', contactId: 'c1', id: 'a1' }]);
    await registry.markLogged('u1', [{ status: 'created', externalId: 'm1@x', contactId: 'c3', id: 'a3' }]);
    expect(Object.keys((await registry.get('u1', 'm1@x'))?.activities ?? {})).toEqual(['c1', 'c3']);
    expect(await registry.loggedAmong('u1', ['m1@x', 'm2@x'])).toEqual(new Set(['m1@x']));
    expect(await registry.count('u1')).toBe(1);
  });

  it('remembers what the rep removed: not logged, listed as removed, until logged there again', async () => {
    db = openCrmSidebarDb(`registry-${process.pid}-${n++}`);
    const registry = new MessageRegistry(db, () => 7);
    await registry.markLogged('u1', [
      { status: 'created', externalId: 'm1@x', contactId: 'c1', id: 'a1' },
      { status: 'created', externalId: 'm1@x', contactId: 'c2', id: 'a2' },
    ]);
    await registry.markRemoved('u1', 'm1@x', 'c1');
    expect(await registry.isLoggedFor('u1', 'm1@x', 'c1')).toBe(false);
    expect(await registry.removedAmong('u1', ['m1@x', 'm9@x'])).toEqual(new Map([['m1@x', new Set(['c1'])]]));
    await registry.markRemoved('u1', 'm1@x', 'c2');
    // Nothing logged any more, but the row stays: it remembers the removals.
    expect(await registry.isLogged('u1', 'm1@x')).toBe(false);
    expect(await registry.loggedAmong('u1', ['m1@x'])).toEqual(new Set());
    await registry.forget('u1', 'm1@x', ['c1', 'c2']);
    expect((await registry.get('u1', 'm1@x'))?.removed).toEqual({
      c1: { removedAt: 7 },
      c2: { removedAt: 7 },
    });
    // The rep's undo logs it again: no longer removed there.
    await registry.markLogged('u1', [{ status: 'created', externalId: 'm1@x', contactId: 'c1', id: 'a3' }]);
    expect(await registry.removedAmong('u1', ['m1@x'])).toEqual(new Map([['m1@x', new Set(['c2'])]]));
    await registry.unmarkRemoved('u1', 'm1@x', ['c2']);
    expect((await registry.get('u1', 'm1@x'))?.removed).toEqual({});
    // A move: logged to the new contact, removed from the old one.
    await registry.markMoved('u1', 'm1@x', 'c1', { contactId: 'c5', activityId: 'a3' });
    const moved = await registry.get('u1', 'm1@x');
    expect(Object.keys(moved?.activities ?? {})).toEqual(['c5']);
    expect(Object.keys(moved?.removed ?? {})).toEqual(['c1']);
  });
});
