import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CrmSessionProvider } from '../../../lib/background/CrmSession';
import { OrgSettingsSync } from '../../../lib/background/OrgSettingsSync';
import { SettingsService } from '../../../lib/background/SettingsService';
import type { OrgSettings } from '../../../lib/crm/contract';
import { createRestCrmConnector } from '../../../lib/crm/vendors/rest/RestCrmConnector';
import type { CrmConnection } from '../../../lib/settings/Settings';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { SEED } from '../../../server/seed';
import { type CrmServerHandle, startCrmServer } from '../../../server/startCrmServer';
import { crmTestClient } from '../../server/crmTestClient';
import { freshPgliteDataDir } from '../../server/freshPgliteDataDir';

/**
 * The extension reading the organisation settings an admin keeps in the reference CRM
 * (docs/CRM-CONTRACT.md, "Organisation settings"), through the real `rest` connector, and
 * applying them in their place: locked policy > CRM organisation settings > rep.
 */
const ORG: OrgSettings = {
  excludedDomains: ['bank.example'],
  neverLogAddresses: ['legal@northwind-trading.com'],
  neverLogDomains: [],
  filterAutomatedMail: true,
  privacyUpperBound: 'snippet',
  createContactPolicy: null,
};

let crm: CrmServerHandle;
let dataDir: string;
let db: CrmSidebarDb;
let counter = 0;

beforeAll(async () => {
  dataDir = await freshPgliteDataDir('org-settings-sync');
  crm = await startCrmServer({ dataDir, port: 0, quiet: true });
});
afterAll(async () => {
  await crm?.close();
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  db = openCrmSidebarDb(`org-settings-sync-${++counter}`);
});

function build(fetchImpl?: typeof fetch) {
  const settings = new SettingsService(db);
  const sessions = new CrmSessionProvider(db, settings, (connection: CrmConnection) =>
    createRestCrmConnector({
      baseUrl: connection.baseUrl,
      token: (connection as { token: string }).token,
      fetch: fetchImpl,
    }),
  );
  return { settings, sync: new OrgSettingsSync({ db, settings, sessions }) };
}

async function connect(settings: SettingsService, token = SEED.colleague.token) {
  await settings.updateSettings({ crm: { type: 'rest', baseUrl: crm.url, token } });
}

describe('OrgSettingsSync against the reference CRM', () => {
  it('applies what the admin saved: single values held, lists added, privacy bounded; the rep cannot override', async () => {
    const admin = crmTestClient(crm.url, crm.token);
    expect((await admin('PUT', '/org/settings', { settings: ORG })).status).toBe(200);
    const { settings, sync } = build();
    await settings.updateSettings({
      filterAutomatedMail: false,
      privacyLevel: 'full_body',
      excludedDomains: ['mine.example'],
    });
    await connect(settings);
    const changes: number[] = [];
    settings.onOrganisationChange(() => changes.push(1));

    const response = await sync.refresh();
    expect(response?.updatedBy?.id).toBe(SEED.demoUser.id);
    const now = await settings.getSettings();
    expect(now.filterAutomatedMail).toBe(true);
    expect(now.privacyLevel).toBe('snippet');
    expect(now.excludedDomains).toEqual(['mine.example', 'bank.example']);
    expect(now.neverLogAddresses).toContain('legal@northwind-trading.com');
    expect(changes).toHaveLength(1);
    const view = await settings.policyView();
    expect(view.crmOrganisationSettings).toBe(true);
    expect(view.sources).toMatchObject({
      filterAutomatedMail: 'organisation',
      privacyLevel: 'organisation',
      excludedDomains: 'organisation',
      createContactPolicy: 'default',
    });
    expect(view.privacyBound).toBe('snippet');
    await expect(settings.updateSettings({ filterAutomatedMail: false })).rejects.toMatchObject({
      kind: 'invalid_settings',
    });
    // What the CRM leaves to the rep (null) stays the rep's.
    await settings.updateSettings({ createContactPolicy: 'off' });
    expect((await settings.getSettings()).createContactPolicy).toBe('off');
    // The same answer again is no change.
    await sync.refresh();
    expect(changes).toHaveLength(1);
  });

  it('a locked policy beats the CRM', async () => {
    const admin = crmTestClient(crm.url, crm.token);
    await admin('PUT', '/org/settings', { settings: ORG });
    const { settings, sync } = build();
    await connect(settings);
    await settings.applyManagedPolicy({
      filterAutomatedMail: false,
      lockedSettings: ['filterAutomatedMail'],
    });
    await sync.refresh();
    expect((await settings.getSettings()).filterAutomatedMail).toBe(false);
    expect((await settings.policyView()).sources.filterAutomatedMail).toBe('locked');
  });

  it('a restarted worker applies the last answer before asking; an unreachable CRM never lifts it', async () => {
    const admin = crmTestClient(crm.url, crm.token);
    await admin('PUT', '/org/settings', { settings: ORG });
    const first = build();
    await first.settings.updateSettings({ filterAutomatedMail: false });
    await connect(first.settings);
    await first.sync.refresh();

    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const restarted = build(down);
    expect((await restarted.settings.getSettings()).filterAutomatedMail).toBe(false);
    await restarted.sync.restore();
    expect((await restarted.settings.getSettings()).filterAutomatedMail).toBe(true);
    await expect(restarted.sync.refresh()).rejects.toMatchObject({ kind: 'network' });
    expect((await restarted.settings.getSettings()).filterAutomatedMail).toBe(true);
  });

  it('a new connection is asked at once; another CRM’s stored answer is never applied', async () => {
    const admin = crmTestClient(crm.url, crm.token);
    await admin('PUT', '/org/settings', { settings: ORG });
    const { settings, sync } = build();
    await connect(settings);
    await sync.refreshIfConnectionChanged(await settings.getSettings());
    expect((await settings.policyView()).crmOrganisationSettings).toBe(true);

    await settings.updateSettings({
      crm: { type: 'rest', baseUrl: 'https://other-crm.example', token: 't' },
    });
    const again = build();
    await again.sync.restore();
    expect((await again.settings.policyView()).crmOrganisationSettings).toBe(false);
  });

  it('a CRM without organisation settings (404) applies none, and the rep’s choices stand', async () => {
    // docs/CRM-CONTRACT.md: a CRM that does not offer them answers `GET /org/settings` with 404,
    // with the contract's error body.
    const notOffered = (async () =>
      new Response(JSON.stringify({ error: { code: 'not_found', message: 'No such route' } }), {
        status: 404,
        headers: { 'Content-Type': 'application/json' },
      })) as typeof fetch;
    const { settings, sync } = build(notOffered);
    await settings.updateSettings({ filterAutomatedMail: false });
    await connect(settings);
    expect(await sync.refresh()).toBeNull();
    expect((await settings.getSettings()).filterAutomatedMail).toBe(false);
    expect((await settings.policyView()).crmOrganisationSettings).toBe(false);
  });

  it('without a CRM connection there are no organisation settings', async () => {
    const { settings, sync } = build();
    expect(await sync.refresh()).toBeNull();
    expect((await settings.policyView()).crmOrganisationSettings).toBe(false);
  });
});
