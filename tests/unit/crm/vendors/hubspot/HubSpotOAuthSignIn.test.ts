import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dexieTokenStore } from '../../../../../lib/auth/dexieTokenStore';
import type { CrmSidebarBackground } from '../../../../../lib/background/CrmSidebarBackground';
import { CrmError } from '../../../../../lib/crm/CrmError';
import { createCrmConnector } from '../../../../../lib/crm/createCrmConnector';
import { crmOrigins } from '../../../../../lib/crm/vendors/crmVendors';
import {
  HUBSPOT_TOKEN_KEY,
  HubSpotOAuthSignIn,
} from '../../../../../lib/crm/vendors/hubspot/HubSpotOAuthSignIn';
import { ExtensionError } from '../../../../../lib/errors/ErrorInfo';
import { isConnectionComplete } from '../../../../../lib/settings/Settings';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../../../lib/store/db';
import { FakeHubSpotApi } from '../../../../fakes/FakeHubSpotApi';
import { FakeOauthServer } from '../../../../fakes/FakeOauthServer';
import { startTokenExchange } from '../../../../server/startTokenExchange';
import { backgroundForTest } from '../../../background/backgroundForTest';

/**
 * "Sign in with HubSpot" end to end below the UI: HubSpot's consent page (the strict OAuth
 * fake in HubSpot mode), the code through the reference server's token exchange (which
 * holds the app secret HubSpot demands), the HubSpot API fake accepting the access token,
 * and a refresh through the exchange before the 30-minute token runs out.
 */
const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const APP = { clientId: '5f0c1e2d-hubspot-app', clientSecret: 'hubspot-app-secret-server-only' };
const REP = 'riley@ourco.example';
let dbCounter = 0;

describe('HubSpot per-rep OAuth through the token exchange', () => {
  let now = Date.UTC(2026, 11, 2, 9);
  let db: CrmSidebarDb;
  let idp: FakeOauthServer;
  let api: FakeHubSpotApi;
  let exchange: Awaited<ReturnType<typeof startTokenExchange>>;
  let background: CrmSidebarBackground;
  let signIn: HubSpotOAuthSignIn;

  beforeEach(async () => {
    db = openCrmSidebarDb(`hubspot-oauth-${++dbCounter}`);
    api = new FakeHubSpotApi();
    // Every token the OAuth server issues is a valid token of the rep at the API fake.
    idp = new FakeOauthServer({
      provider: 'hubspot',
      apps: [{ ...APP, redirectUris: [REDIRECT] }],
      onAccessToken: (token, subject) => void api.addUser({ email: subject, token, ownerId: '901' }),
    });
    await Promise.all([api.start(), idp.start()]);
    exchange = await startTokenExchange({ clients: { hubspot: { ...APP, tokenUrl: idp.tokenEndpoint } } });
    background = backgroundForTest({
      db,
      version: 't',
      createConnector: (crm) =>
        createCrmConnector(
          { ...crm, baseUrl: api.url },
          { tokens: { accessToken: () => signIn.accessToken() } },
        ),
      clickDrainMaxWaitMs: 0,
    });
    await background.updateSettings({
      crm: { type: 'hubspot', repEmail: REP, hubspotAuth: 'oauth' },
      oauth: {
        googleClientId: '',
        microsoftClientId: '',
        microsoftTenant: 'common',
        tokenExchangeUrl: exchange.url,
      },
    });
    signIn = new HubSpotOAuthSignIn({
      settings: background,
      webAuthFlow: idp.webAuthFlow(REDIRECT, REP),
      tokens: dexieTokenStore(db),
      authorizationEndpoint: idp.authorizationEndpoint,
      allowInsecureRequests: true,
      now: () => now,
    });
  });
  afterEach(async () => {
    await Promise.all([exchange.close(), idp.stop(), api.stop()]);
    db.close();
  });

  it('signs in, tests the connection as the rep, and refreshes through the server before expiry', async () => {
    expect(isConnectionComplete((await background.getSettings()).crm)).toBe(false);
    const result = await background.testConnection(await signIn.signIn({ clientId: APP.clientId }));
    expect(result).toMatchObject({ ok: true });
    const crm = (await background.getSettings()).crm;
    expect(crm).toMatchObject({
      type: 'hubspot',
      hubspotAuth: 'oauth',
      hubspotClientId: APP.clientId,
      token: '',
    });
    expect(isConnectionComplete(crm)).toBe(true);
    // No token in the settings (pages can read those); they are in the token store.
    expect(JSON.stringify(await background.getSettings())).not.toMatch(/CNb|na1-/);
    const stored = await dexieTokenStore(db).get(HUBSPOT_TOKEN_KEY);
    expect(stored?.refreshToken).toMatch(/^na1-/);

    const first = stored!.accessToken;
    expect(await signIn.accessToken()).toBe(first);
    // 26 minutes later (less than 5 minutes left of 30): refreshed, through the server.
    now += 26 * 60_000;
    const second = await signIn.accessToken();
    expect(second).not.toBe(first);
    expect(idp.counters).toMatchObject({ codeGrants: 1, refreshGrants: 1, errors: 0 });
    expect(idp.tokenRequests.every((r) => r.form.get('client_secret') === APP.clientSecret)).toBe(true);
    expect(idp.tokenRequests[0]?.form.get('code_verifier')).toMatch(/^[\w.~-]{43,128}$/);
    // Concurrent callers share one refresh.
    now += 30 * 60_000;
    const tokens = await Promise.all([signIn.accessToken(), signIn.accessToken(), signIn.accessToken()]);
    expect(new Set(tokens).size).toBe(1);
    expect(idp.counters.refreshGrants).toBe(2);
    // The connector works with the refreshed token.
    expect(await background.testConnection((await background.getSettings()).crm)).toMatchObject({ ok: true });
  });

  it('signing in after another CRM type keeps nothing of it: HubSpot calls go to HubSpot, not to the old CRM', async () => {
    // The rep was signed in to Salesforce (instance URL, refresh token) before choosing HubSpot.
    await background.updateSettings({
      crm: {
        type: 'salesforce',
        baseUrl: 'https://northwind.my.salesforce.com',
        refreshToken: '5Aep861salesforce-refresh',
        consumerKey: '3MVG9salesforce-key',
        token: '',
      },
    });
    expect(
      await background.testConnection(await signIn.signIn({ clientId: APP.clientId, repEmail: REP })),
    ).toMatchObject({ ok: true });
    const crm = (await background.getSettings()).crm;
    expect(crm).toMatchObject({ type: 'hubspot', baseUrl: '', token: '' });
    // The Salesforce branch's fields are not part of a HubSpot connection at all.
    expect(crm).not.toHaveProperty('refreshToken');
    expect(crm).not.toHaveProperty('consumerKey');
    expect(crmOrigins(crm)).toEqual(['https://api.hubapi.com']);
    expect(JSON.stringify(crm)).not.toMatch(/northwind|5Aep|3MVG9/);
  });

  it('switching from a private app token to the sign-in drops the team token from the settings', async () => {
    await background.updateSettings({
      crm: { type: 'hubspot', hubspotAuth: 'private_app', token: 'pat-na1-team-token', repEmail: REP },
    });
    expect(
      await background.testConnection(await signIn.signIn({ clientId: APP.clientId, repEmail: REP })),
    ).toMatchObject({ ok: true });
    expect((await background.getSettings()).crm).toMatchObject({ hubspotAuth: 'oauth', token: '' });
  });

  it('an uninstalled app (BAD_REFRESH_TOKEN) signs the rep out and says to sign in again', async () => {
    await signIn.signIn({ clientId: APP.clientId });
    const stored = (await dexieTokenStore(db).get(HUBSPOT_TOKEN_KEY))!;
    await dexieTokenStore(db).set(HUBSPOT_TOKEN_KEY, {
      ...stored,
      refreshToken: 'na1-revoked',
      expiresAt: 0,
    });
    const error = await signIn.accessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ kind: 'auth', code: 'crm_sign_in_ended' });
    expect((error as Error).message).toContain('HubSpot no longer accepts this sign-in');
    expect(idp.tokenErrors).toEqual(['invalid_grant']);
    expect((await background.getSettings()).crm).toMatchObject({ type: 'hubspot', hubspotSignedInAt: null });
    expect(await dexieTokenStore(db).get(HUBSPOT_TOKEN_KEY)).toBeNull();
  });

  it('without a token exchange server, sign-in stops before any window opens', async () => {
    await background.updateSettings({
      oauth: { ...(await background.getSettings()).oauth, tokenExchangeUrl: '' },
    });
    const flow = idp.webAuthFlow(REDIRECT, REP);
    signIn = new HubSpotOAuthSignIn({ settings: background, webAuthFlow: flow, tokens: dexieTokenStore(db) });
    const error = await signIn.signIn({ clientId: APP.clientId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtensionError);
    expect(error).toMatchObject({ kind: 'not_configured' });
    expect(flow.launches).toEqual([]);
  });
});
