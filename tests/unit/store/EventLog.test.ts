import { afterEach, describe, expect, it } from 'vitest';
import { CrmError } from '../../../lib/crm/CrmError';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { EventLog, PROBLEM_WINDOW_MS } from '../../../lib/store/EventLog';

let db: CrmSidebarDb;
let clock = 1_000_000;

function log(): EventLog {
  db = openCrmSidebarDb(`events-${Math.random()}`);
  return new EventLog(db, { now: () => clock });
}

afterEach(async () => {
  await db.delete();
});

describe('EventLog problems', () => {
  it('records a failure with its kind and keeps it standing until the same area succeeds', async () => {
    const events = log();
    const info = await events.failure(
      'sync:m1',
      'sync.failed',
      'Sync of rep@acme.test',
      new CrmError('network', 'fetch failed'),
    );
    expect(info).toMatchObject({ kind: 'network', source: 'crm' });
    await events.failure(
      'outbox',
      'outbox.blocked',
      'Delivering logged emails to the CRM',
      new CrmError('auth', '401'),
    );
    clock += 1;
    expect((await events.problems()).map((p) => [p.area, p.error?.kind])).toEqual([
      ['outbox', 'auth'],
      ['sync:m1', 'network'],
    ]);
    await events.success('sync:m1', 'sync.pass', 'Synced rep@acme.test');
    expect((await events.problems()).map((p) => p.area)).toEqual(['outbox']);
  });

  it('guard records what a background task threw, and forgets problems older than a day', async () => {
    const events = log();
    await events.guard('startup', 'startup.failed', 'Starting the extension', async () => {
      throw new TypeError('boom');
    });
    const [problem] = await events.problems();
    expect(problem).toMatchObject({
      level: 'error',
      activity: 'Starting the extension',
      error: { kind: 'internal', message: 'boom' },
    });
    clock += PROBLEM_WINDOW_MS + 1;
    expect(await events.problems()).toEqual([]);
  });
});
