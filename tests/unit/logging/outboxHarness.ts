import { CrmError } from '../../../lib/crm/CrmError';
import type { EmailActivityInput } from '../../../lib/crm/contract';
import { Outbox, type OutboxOptions } from '../../../lib/logging/Outbox';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { FakeCrmConnector } from '../../fakes/FakeCrmConnector';

let dbCounter = 0;
export function freshDb(prefix = 'outbox'): CrmSidebarDb {
  return openCrmSidebarDb(`${prefix}-${process.pid}-${dbCounter++}`);
}

/** A clock that only moves when someone sleeps: retries and backoff run instantly. */
export function fakeTime(start = Date.parse('2024-05-14T10:00:00Z')) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
    sleeps,
  };
}

export function activity(externalId: string, contactId: string): EmailActivityInput {
  return {
    type: 'email',
    externalId,
    contactId,
    direction: 'outgoing',
    subject: `Subject of ${externalId}`,
    snippet: 'snippet',
    occurredAt: '2024-05-14T09:00:00.000Z',
    from: { name: 'Riley', address: 'riley@ourco.example' },
    to: [{ name: '', address: 'jane@acme.example' }],
    cc: [],
    hasAttachments: false,
    threadId: 't1',
    source: 'gmail',
  };
}

export function crmWithContacts(count: number, time = fakeTime()): FakeCrmConnector {
  const crm = new FakeCrmConnector({ now: time.now });
  for (let i = 0; i < count; i++)
    crm.addContact({ id: `c${i}`, name: `Contact ${i}`, emails: [`c${i}@acme.example`] });
  return crm;
}

export function makeOutbox(
  db: CrmSidebarDb,
  crm: FakeCrmConnector,
  time: ReturnType<typeof fakeTime>,
  options: Partial<OutboxOptions> = {},
) {
  return new Outbox(db, crm, {
    crmUserId: 'user_1',
    now: time.now,
    sleep: time.sleep,
    random: () => 0.5,
    ...options,
  });
}

export const serverError = () => new CrmError('server', 'HTTP 503', { status: 503 });
export const rateLimited = (ms: number) =>
  new CrmError('rate_limited', 'HTTP 429', { status: 429, retryAfterMs: ms });
export const networkError = () => new CrmError('network', 'fetch failed');
