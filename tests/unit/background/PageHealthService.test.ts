import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeBackground } from '../../../lib/background/composeBackground';
import type { SenderInfo } from '../../../lib/messaging/router';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { FakeCrmConnector } from '../../fakes/FakeCrmConnector';
import { memorySessionArea } from '../../fakes/memorySessionArea';

let dbCounter = 0;
const GMAIL_TAB: SenderInfo = {
  context: 'content',
  tabId: 7,
  url: 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQgLjNPlfJCVRfnNkPGkLhWClCW',
};
const OUTLOOK_TAB: SenderInfo = {
  context: 'content',
  tabId: 8,
  url: 'https://outlook.office.com/mail/inbox/id/AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQAConv03A',
};
const POPUP: SenderInfo = { context: 'extension', url: 'chrome-extension://test-extension-id/popup.html' };

describe('page integration health in the background', () => {
  let db: CrmSidebarDb;
  let clock: number;

  function compose() {
    return composeBackground({
      db,
      version: '1.0.0',
      webAuthFlow: {
        getRedirectUrl: () => 'https://test-extension-id.chromiumapp.org/',
        launch: async () => {
          throw new Error('no identity window in this test');
        },
      },
      sessionArea: memorySessionArea(),
      scheduleOutboxDrain: async () => undefined,
      openOptionsPage: async () => undefined,
      createConnector: () => new FakeCrmConnector(),
      now: () => clock,
    });
  }

  beforeEach(() => {
    db = openCrmSidebarDb(`page-health-${++dbCounter}`);
    clock = Date.UTC(2026, 11, 7, 14, 5);
  });
  afterEach(() => db.close());

  it('reports a broken Gmail integration in the status and records it once in the event log', async () => {
    const { handlers, events } = compose();
    await handlers['page.health']({ signal: 'thread_read', detail: '' }, GMAIL_TAB);
    clock += 60_000;
    await handlers['page.health'](
      { signal: 'thread_unreadable', detail: 'no thread read within 8 s' },
      GMAIL_TAB,
    );
    clock += 60_000;
    await handlers['page.health'](
      { signal: 'thread_unreadable', detail: 'no thread read within 8 s' },
      GMAIL_TAB,
    );
    await handlers['page.health'](
      { signal: 'thread_unreadable', detail: 'no thread read within 8 s' },
      GMAIL_TAB,
    );

    const status = await handlers['status.get']({}, POPUP);
    expect(status.pageIntegrations).toEqual([
      expect.objectContaining({
        provider: 'gmail',
        state: 'broken',
        since: new Date(Date.UTC(2026, 11, 7, 14, 6)).toISOString(),
      }),
    ]);
    // Shown as its own notice, not again among the problems.
    expect(status.problems).toEqual([]);
    const recorded = (await events.recent()).filter((e) => e.area === 'page:gmail');
    expect(recorded.map((e) => e.kind)).toEqual(['page.integration.broken']);
    expect(recorded[0]!.error).toMatchObject({ kind: 'invalid_response', source: 'gmail' });

    await handlers['page.health']({ signal: 'thread_read', detail: '' }, GMAIL_TAB);
    const after = await handlers['status.get']({}, POPUP);
    expect(after.pageIntegrations).toEqual([
      expect.objectContaining({ provider: 'gmail', state: 'working' }),
    ]);
    expect((await events.recent()).filter((e) => e.area === 'page:gmail').map((e) => e.kind)).toEqual([
      'page.integration.recovered',
      'page.integration.broken',
    ]);
  });

  it('takes the webmail from the tab the report came from, never from the message', async () => {
    const { handlers } = compose();
    await handlers['page.health']({ signal: 'start_failed', detail: 'reader did not start' }, OUTLOOK_TAB);
    const status = await handlers['status.get']({}, POPUP);
    expect((status.pageIntegrations ?? []).map((p) => [p.provider, p.state])).toEqual([
      ['outlook', 'broken'],
    ]);
    await expect(
      handlers['page.health'](
        { signal: 'start_failed', detail: '' },
        { context: 'content', tabId: 9, url: 'https://evil.example/mail/inbox' },
      ),
    ).rejects.toMatchObject({ kind: 'invalid_message' });
  });
});
