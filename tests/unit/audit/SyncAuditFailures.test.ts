import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SyncAuditService } from '../../../lib/audit/SyncAuditService';
import type { CrmSidebarBackground } from '../../../lib/background/CrmSidebarBackground';
import type { MailMessage } from '../../../lib/mail/MailMessage';
import type { MailboxApi } from '../../../lib/mail/sync/MailboxProvider';
import { ProviderRequestError } from '../../../lib/mail/sync/ProviderRequestError';
import { type CrmSidebarDb, type MailboxRow, openCrmSidebarDb } from '../../../lib/store/db';
import { FakeCrmConnector } from '../../fakes/FakeCrmConnector';
import { backgroundForTest } from '../background/backgroundForTest';

let dbCounter = 0;
const ROW: MailboxRow = {
  id: 'gmail:riley@ourco.example',
  provider: 'gmail',
  address: 'riley@ourco.example',
  primary: true,
  status: 'connected',
  connectedAt: 0,
};

/** A mailbox whose listing fails after one page, as a Gmail 403 quota answer would end it. */
function failingApi(): MailboxApi {
  return {
    address: async () => ROW.address,
    syncFolder: async () => {
      throw new Error('not used');
    },
    async *listWindow(): AsyncGenerator<MailMessage[]> {
      yield [];
      throw new ProviderRequestError('gmail', 403, 'dailyLimitExceeded', 'Daily Limit Exceeded', false);
    },
  };
}

describe('SyncAuditService failures', () => {
  let db: CrmSidebarDb;
  let background: CrmSidebarBackground;

  beforeEach(async () => {
    db = openCrmSidebarDb(`sync-audit-failures-${++dbCounter}`);
    const crm = new FakeCrmConnector();
    background = backgroundForTest({ db, version: 'test', createConnector: () => crm });
    await background.updateSettings({ crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' } });
    await db.mailboxes.put(ROW);
  });
  afterEach(() => db.close());

  it('records a failed audit on its report and in the event log (the popup lists it), never silently', async () => {
    const audits = new SyncAuditService({
      db,
      background,
      mailboxApi: async () => ({ row: ROW, api: failingApi() }),
    });
    await audits.start(ROW.id, 7);
    await audits.settled(ROW.id);
    const report = (await audits.report(ROW.id))!;
    expect(report.state).toBe('failed');
    expect(report.error).toMatchObject({ source: 'gmail', status: 403 });
    const status = await background.status();
    expect(status.problems.map((p) => p.activity)).toContain(`Audit of ${ROW.address}`);
    // "Log missing" needs a finished audit.
    await expect(audits.logMissing(ROW.id)).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('says an audit cut off by a worker restart stopped, instead of showing it running forever', async () => {
    const first = new SyncAuditService({
      db,
      background,
      mailboxApi: async () => ({
        row: ROW,
        api: {
          ...failingApi(),
          // Never finishes, like a service worker stopped mid-audit.
          listWindow: async function* () {
            yield* [];
            await new Promise(() => undefined);
          },
        },
      }),
    });
    await first.start(ROW.id, 30);
    const restarted = new SyncAuditService({
      db,
      background,
      mailboxApi: async () => ({ row: ROW, api: failingApi() }),
    });
    const report = (await restarted.report(ROW.id))!;
    expect(report.state).toBe('failed');
    expect(report.error?.message).toMatch(/stopped before it finished/);
  });
});
