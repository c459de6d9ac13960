import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../lib/settings/Settings';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { EventLog } from '../../../lib/store/EventLog';
import { LookupCache, lookupCacheKey } from '../../../lib/store/LookupCache';
import { SettingsRepository } from '../../../lib/store/SettingsRepository';

let db: CrmSidebarDb;
let n = 0;
function freshDb(): CrmSidebarDb {
  db = openCrmSidebarDb(`store-test-${process.pid}-${n++}`);
  return db;
}
afterEach(async () => {
  await db?.delete();
});

describe('openCrmSidebarDb', () => {
  it('opens every table of the schema', async () => {
    const d = freshDb();
    await d.open();
    expect(d.tables.map((t) => t.name).sort()).toEqual(
      [
        'events',
        'lookupCache',
        'mailboxMarks',
        'mailboxes',
        'outbox',
        'registry',
        'settings',
        'syncCursors',
        'tokens',
      ].sort(),
    );
    expect(d.verno).toBe(2);
  });

  it('upgrades a version 1 database, keeping its rows, and adds the mailbox marks table', async () => {
    const name = `crm-sidebar-v1-${Math.random().toString(36).slice(2)}`;
    const v1 = new Dexie(name);
    v1.version(1).stores({
      mailboxes: '&id, address, provider',
      registry: '&[crmUserId+externalId], crmUserId, loggedAt',
    });
    await v1.open();
    await v1.table('mailboxes').put({ id: 'gmail:a@b.example', address: 'a@b.example', provider: 'gmail' });
    v1.close();
    const upgraded = openCrmSidebarDb(name);
    try {
      await upgraded.open();
      expect(upgraded.verno).toBe(2);
      expect(await upgraded.mailboxes.get('gmail:a@b.example')).toMatchObject({ address: 'a@b.example' });
      expect(await upgraded.mailboxMarks.count()).toBe(0);
    } finally {
      await upgraded.delete();
    }
  });

  it('keys the registry by [crmUserId+externalId]', async () => {
    const d = freshDb();
    const row = {
      crmUserId: 'u1',
      externalId: 'a@x',
      activities: {},
      loggedAt: 1,
      status: 'logged' as const,
    };
    await d.registry.put(row);
    await d.registry.put({ ...row, loggedAt: 2 });
    await d.registry.put({ ...row, crmUserId: 'u2' });
    expect(await d.registry.count()).toBe(2);
    expect((await d.registry.get(['u1', 'a@x']))?.loggedAt).toBe(2);
  });

  it('stores mailboxes, cursors and tokens per mailbox', async () => {
    const d = freshDb();
    await d.mailboxes.put({
      id: 'mb1',
      provider: 'gmail',
      address: 'riley@ourco.example',
      primary: true,
      status: 'connected',
      connectedAt: 1,
    });
    await d.syncCursors.put({ mailboxId: 'mb1', cursor: '123456', kind: 'gmail_history', updatedAt: 1 });
    await d.tokens.put({ mailboxId: 'mb1', accessToken: 'opaque' });
    await d.mailboxes.update('mb1', { status: 'needs_reauth' });
    expect((await d.mailboxes.where('address').equals('riley@ourco.example').first())?.status).toBe(
      'needs_reauth',
    );
    expect((await d.syncCursors.get('mb1'))?.cursor).toBe('123456');
    expect((await d.tokens.get('mb1'))?.accessToken).toBe('opaque');
  });
});

describe('SettingsRepository', () => {
  it('returns the defaults until something is saved', async () => {
    expect(await new SettingsRepository(freshDb()).get()).toEqual(DEFAULT_SETTINGS);
  });

  it('parses on write: merges, normalises and rejects invalid values', async () => {
    const repo = new SettingsRepository(freshDb());
    const saved = await repo.update({ privacyLevel: 'metadata', excludedDomains: [' Competitor.EXAMPLE '] });
    expect(saved.privacyLevel).toBe('metadata');
    expect(saved.excludedDomains).toEqual(['competitor.example']);
    expect((await repo.get()).privacyLevel).toBe('metadata');
    await expect(repo.update({ createContactPolicy: 'sometimes' as never })).rejects.toThrow();
    expect((await repo.get()).createContactPolicy).toBe('ask');
  });

  it('fills new fields of an older stored object with defaults', async () => {
    const d = freshDb();
    await d.settings.put({ key: 'settings', value: { excludeOrgDomains: false }, updatedAt: 0 });
    const s = await new SettingsRepository(d).get();
    expect(s.excludeOrgDomains).toBe(false);
    expect(s.createContactPolicy).toBe('ask');
    expect(s.privacyLevel).toBe('snippet');
  });

  it('migrates the stored privacy-mode boolean to a privacy level, and writes only the level back', async () => {
    const d = freshDb();
    const repo = new SettingsRepository(d);
    await d.settings.put({ key: 'settings', value: { privacyMode: true }, updatedAt: 0 });
    expect((await repo.get()).privacyLevel).toBe('snippet');
    await d.settings.put({ key: 'settings', value: { privacyMode: false }, updatedAt: 0 });
    expect((await repo.get()).privacyLevel).toBe('full_body');
    // A level, once chosen, wins over a leftover boolean; the boolean is not written again.
    await d.settings.put({
      key: 'settings',
      value: { privacyMode: false, privacyLevel: 'metadata' },
      updatedAt: 0,
    });
    expect((await repo.get()).privacyLevel).toBe('metadata');
    await repo.update({ excludeOrgDomains: false });
    const stored = (await d.settings.get('settings'))?.value as Record<string, unknown>;
    expect(stored.privacyLevel).toBe('metadata');
    expect(stored).not.toHaveProperty('privacyMode');
  });

  it('falls back to defaults for an unreadable stored object and logs why', async () => {
    const d = freshDb();
    await d.settings.put({ key: 'settings', value: { privacyMode: 'maybe' }, updatedAt: 0 });
    expect(await new SettingsRepository(d).get()).toEqual(DEFAULT_SETTINGS);
    const events = await d.events.toArray();
    expect(events).toEqual([expect.objectContaining({ kind: 'settings.invalid', level: 'error' })]);
  });
});

describe('LookupCache', () => {
  const answer = {
    contacts: [],
    companies: [{ id: 'c', name: 'Acme', domains: ['acme.example'], url: 'u' }],
  };

  it('serves entries until the TTL passes, then forgets them', async () => {
    let now = 1_000;
    const cache = new LookupCache(freshDb(), { ttlMs: 60_000, now: () => now });
    const key = lookupCacheKey({ emails: ['b@x', 'A@x'], domains: ['x'] });
    await cache.set(key, answer);
    now += 59_999;
    expect(await cache.get(key)).toEqual(answer);
    now += 1;
    expect(await cache.get(key)).toBeNull();
    expect(await db.lookupCache.count()).toBe(0);
  });

  it('keys requests independently of order and case', () => {
    expect(lookupCacheKey({ emails: ['b@x', 'A@x', 'a@x'], domains: [] })).toBe(
      lookupCacheKey({ emails: ['a@x', 'b@x'] }),
    );
  });

  it('purges expired entries in bulk', async () => {
    let now = 0;
    const cache = new LookupCache(freshDb(), { ttlMs: 10, now: () => now });
    await cache.set('a', answer);
    now = 5;
    await cache.set('b', answer);
    now = 12;
    expect(await cache.purgeExpired()).toBe(1);
    expect(await cache.get('b')).toEqual(answer);
  });

  it('rejects values that are not a lookup answer', async () => {
    const cache = new LookupCache(freshDb());
    await expect(cache.set('k', { contacts: 'nope' } as never)).rejects.toThrow();
  });
});

describe('EventLog', () => {
  it('keeps only the newest N events', async () => {
    const log = new EventLog(freshDb(), { limit: 3 });
    for (let i = 0; i < 5; i++) await log.append('info', 'sync.run', `run ${i}`);
    expect((await log.recent()).map((e) => e.message)).toEqual(['run 4', 'run 3', 'run 2']);
    expect(await db.events.count()).toBe(3);
  });
});
