import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BackgroundPlatform, composeBackground } from '../../../lib/background/composeBackground';
import type { CrmConnectorDeps } from '../../../lib/crm/createCrmConnector';
import type { SenderInfo } from '../../../lib/messaging/router';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { FakeCrmConnector } from '../../fakes/FakeCrmConnector';
import { memorySessionArea } from '../../fakes/memorySessionArea';

let dbCounter = 0;
const POPUP: SenderInfo = { context: 'extension', url: 'chrome-extension://test-extension-id/popup.html' };

describe('composeBackground (the composition root)', () => {
  let db: CrmSidebarDb;
  let crm: FakeCrmConnector;
  let tokenSources: CrmConnectorDeps[];
  let scheduled: (number | null)[];
  let failScheduling: boolean;

  function compose(overrides: Partial<BackgroundPlatform> = {}) {
    return composeBackground({
      db,
      version: '4.5.6',
      webAuthFlow: {
        getRedirectUrl: () => 'https://test-extension-id.chromiumapp.org/',
        launch: async () => {
          throw new Error('no identity window in this test');
        },
      },
      sessionArea: memorySessionArea(),
      scheduleOutboxDrain: async (at) => {
        if (failScheduling) throw new Error('alarms are unavailable');
        scheduled.push(at);
      },
      openOptionsPage: async () => undefined,
      createConnector: (_crm, tokens) => {
        tokenSources.push(tokens);
        return crm;
      },
      ...overrides,
    });
  }

  beforeEach(() => {
    db = openCrmSidebarDb(`compose-background-${++dbCounter}`);
    crm = new FakeCrmConnector();
    tokenSources = [];
    scheduled = [];
    failScheduling = false;
  });
  afterEach(() => db.close());

  it('builds every service in Node from fakes and answers through its handlers', async () => {
    const { handlers } = compose();
    expect(await handlers['status.get']({}, POPUP)).toMatchObject({ version: '4.5.6', crmConfigured: false });
  });

  it("gives the connector the sign-ins' token sources, already wired (no late binding)", async () => {
    const { service } = compose();
    const hubspot = {
      type: 'hubspot' as const,
      repEmail: 'rita@acme.test',
      hubspotAuth: 'oauth' as const,
      hubspotSignedInAt: '2025-03-10T09:00:00.000Z',
    };
    await service.updateSettings({ crm: hubspot });
    await service.sessions.session();
    expect(tokenSources).toHaveLength(1);
    const [deps] = tokenSources;
    // No HubSpot tokens are stored: the real sign-in answers, not a missing object.
    const { crm: saved } = await service.getSettings();
    await expect(deps!.tokens!.accessToken(saved)).rejects.toMatchObject({ kind: 'auth' });
  });

  it('tells settings subscribers after each save, and forgets thread views built under the old rules', async () => {
    const { settings, service } = compose();
    const seen: number[] = [];
    settings.onChange((s) => seen.push(s.syncFrequencyMinutes));
    const forgetAll = service.threads.forgetAll.bind(service.threads);
    let forgotten = 0;
    service.threads.forgetAll = () => {
      forgotten++;
      forgetAll();
    };
    await service.updateSettings({ syncFrequencyMinutes: 60 });
    expect(seen).toEqual([60]);
    expect(forgotten).toBe(1);
  });

  it('records a failure to schedule the next delivery for the popup instead of losing it', async () => {
    failScheduling = true;
    const { service } = compose();
    await service.updateSettings({ crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' } });
    await service.drainOutbox();
    await expect
      .poll(async () => (await service.status()).problems.map((p) => p.activity))
      .toContain('Scheduling the next delivery');
  });
});
