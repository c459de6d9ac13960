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
});
