import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionArea } from '../../../../../lib/auth/sessionAccessTokenStore';
import type { CrmSidebarBackground } from '../../../../../lib/background/CrmSidebarBackground';
import { createCrmConnector } from '../../../../../lib/crm/createCrmConnector';
import { crmOrigins } from '../../../../../lib/crm/vendors/crmVendors';
import { SalesforceSignIn } from '../../../../../lib/crm/vendors/salesforce/SalesforceSignIn';
import { SalesforceConnection } from '../../../../../lib/crm/vendors/salesforce/salesforceVendor';
import { CrmConnection, isConnectionComplete } from '../../../../../lib/settings/Settings';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../../../lib/store/db';
import { FakeSalesforceApi, type FakeSalesforceUser } from '../../../../fakes/FakeSalesforceApi';
import { memorySessionArea } from '../../../../fakes/memorySessionArea';
import { backgroundForTest } from '../../../background/backgroundForTest';

let dbCounter = 0;
const REDIRECT = 'https://abcdefghijklmnop.chromiumapp.org/';

describe('Salesforce sign-in (web-server flow with PKCE) and session renewal', () => {
  let salesforce: FakeSalesforceApi;
  let rep: FakeSalesforceUser;
  let db: CrmSidebarDb;
  let background: CrmSidebarBackground;
  let signIn: SalesforceSignIn;
  let launched: URL[];
  let session: SessionArea;

  beforeEach(async () => {
    salesforce = new FakeSalesforceApi();
    await salesforce.start();
    rep = salesforce.addUser({ name: 'Riley Rep', email: 'riley@ourco.example' });
    db = openCrmSidebarDb(`salesforce-signin-${++dbCounter}`);
    launched = [];
    background = backgroundForTest({
      db,
      version: '1.0.0',
      createConnector: (crm) =>
        createCrmConnector(crm, {
          tokens: {
            refresh: (c) => signIn.refresh(c as SalesforceConnection),
            accessToken: (c) => signIn.accessToken(c as SalesforceConnection),
          },
        }),
    });
    session = memorySessionArea();
    signIn = new SalesforceSignIn({
      settings: background,
      session,
      allowInsecureRequests: true, // the fake login host is plain http on loopback
      webAuthFlow: {
        getRedirectUrl: () => REDIRECT,
        // What the login page does after the rep consents: back to the redirect with a code.
        launch: async (url) => {
          const authorize = new URL(url);
          launched.push(authorize);
          const code = salesforce.issueCode(rep, authorize.searchParams.get('code_challenge')!, REDIRECT);
          return `${REDIRECT}?code=${code}&state=${authorize.searchParams.get('state')}`;
        },
      },
    });
  });
  afterEach(async () => {
    db.close();
    await salesforce.stop();
  });

  it('signs in with PKCE, keeps the instance URL and tokens, and renews an expired session once', async () => {
    const result = await background.testConnection(
      await signIn.signIn({ loginUrl: salesforce.url, consumerKey: salesforce.clientId }),
    );
    expect(result).toMatchObject({ ok: true, me: { user: { id: rep.id, name: 'Riley Rep' } } });
    expect(launched[0]?.pathname).toBe('/services/oauth2/authorize');
    expect(launched[0]?.searchParams.get('code_challenge_method')).toBe('S256');
    const { crm } = await background.getSettings();
    // The refresh token where CRM tokens are kept; the access token only in storage.session.
    expect(crm).toMatchObject({
      type: 'salesforce',
      baseUrl: salesforce.url,
      token: '',
      refreshToken: rep.refreshToken,
    });
    expect(JSON.stringify(await db.settings.toArray())).not.toContain(rep.accessToken);
    const held = () => session.get('crmAccessToken:salesforce').then((v) => Object.values(v)[0]);
    expect(await held()).toEqual({ accessToken: rep.accessToken, instanceUrl: salesforce.url });
    expect(crmOrigins(crm)).toEqual([salesforce.url]);

    salesforce.expireSession(rep);
    const renewed = await background.sessions.session({ refreshIdentity: true });
    expect(renewed.me.user.id).toBe(rep.id);
    expect(await held()).toEqual({ accessToken: rep.accessToken, instanceUrl: salesforce.url }); // the renewed one, kept
    expect((await background.getSettings()).crm.token).toBe('');
  });

  it('after a browser restart (storage.session empty) gets a new access token with the refresh token', async () => {
    await signIn.signIn({ loginUrl: salesforce.url, consumerKey: salesforce.clientId });
    const before = rep.accessToken;
    await session.remove('crmAccessToken:salesforce');
    const { crm } = await background.getSettings();
    const me = await createCrmConnector(crm, {
      tokens: { accessToken: (c) => signIn.accessToken(c as SalesforceConnection) },
    }).whoami();
    expect(me.user.id).toBe(rep.id);
    expect(rep.accessToken).not.toBe(before); // refreshed
    expect(Object.values(await session.get('crmAccessToken:salesforce'))[0]).toMatchObject({
      accessToken: rep.accessToken,
    });
  });

  it('moves an access token saved in the settings by an older version into storage.session', async () => {
    await background.updateSettings({
      crm: {
        type: 'salesforce',
        baseUrl: salesforce.url,
        token: rep.accessToken,
        refreshToken: rep.refreshToken,
        loginUrl: salesforce.url,
        consumerKey: salesforce.clientId,
      },
    });
    const crm = SalesforceConnection.parse((await background.getSettings()).crm);
    expect(await signIn.accessToken(crm)).toBe(rep.accessToken);
    expect((await background.getSettings()).crm.token).toBe('');
    expect(Object.values(await session.get('crmAccessToken:salesforce'))[0]).toMatchObject({
      accessToken: rep.accessToken,
    });
  });

  it('keeps an access token saved without a refresh token in the settings (nothing could replace it)', async () => {
    await background.updateSettings({
      crm: { type: 'salesforce', baseUrl: salesforce.url, token: rep.accessToken },
    });
    const crm = SalesforceConnection.parse((await background.getSettings()).crm);
    expect(await signIn.accessToken(crm)).toBe(rep.accessToken);
    const after = (await background.getSettings()).crm;
    expect(after.token).toBe(rep.accessToken);
    expect(isConnectionComplete(after)).toBe(true);
  });

  it("the fake's authorize page: consent redirects with a code the PKCE exchange accepts; a foreign redirect_uri is refused", async () => {
    salesforce.allowBrowserSignIn(REDIRECT, rep);
    const viaPage = new SalesforceSignIn({
      settings: background,
      session,
      allowInsecureRequests: true,
      webAuthFlow: {
        getRedirectUrl: () => REDIRECT,
        launch: async (url) => {
          const answer = await fetch(url, { redirect: 'manual' });
          expect(answer.status).toBe(302);
          return answer.headers.get('location')!;
        },
      },
    });
    expect(
      await background.testConnection(
        await viaPage.signIn({ loginUrl: salesforce.url, consumerKey: salesforce.clientId }),
      ),
    ).toMatchObject({
      ok: true,
    });
    const foreign = new URL(`${salesforce.url}/services/oauth2/authorize`);
    foreign.search = new URLSearchParams({
      response_type: 'code',
      client_id: salesforce.clientId,
      redirect_uri: 'https://attacker.example/cb',
      code_challenge: 'x',
    }).toString();
    const refused = await fetch(foreign, { redirect: 'manual' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('error=redirect_uri_mismatch');
  });

  it('asks the rep to sign in again when the refresh token is no longer accepted', async () => {
    await background.updateSettings({
      crm: CrmConnection.parse({
        type: 'salesforce',
        baseUrl: salesforce.url,
        token: 'expired',
        refreshToken: 'revoked',
        loginUrl: salesforce.url,
        consumerKey: salesforce.clientId,
      }),
    });
    const result = await background.testConnection((await background.getSettings()).crm);
    expect(result).toMatchObject({
      ok: false,
      kind: 'auth',
      code: 'crm_sign_in_ended',
      message: expect.stringMatching(/Salesforce session has ended/),
    });
  });
});

describe('crmOrigins', () => {
  it('names exactly the hosts each CRM type talks to', () => {
    expect(
      crmOrigins(CrmConnection.parse({ type: 'rest', baseUrl: 'https://crm.acme.test/x', token: 't' })),
    ).toEqual(['https://crm.acme.test']);
    expect(crmOrigins(CrmConnection.parse({ type: 'hubspot', token: 't', repEmail: 'a@b.c' }))).toEqual([
      'https://api.hubapi.com',
    ]);
    expect(
      crmOrigins(
        CrmConnection.parse({
          type: 'salesforce',
          baseUrl: 'https://acme.my.salesforce.com',
          token: 't',
          refreshToken: 'r',
          loginUrl: 'https://test.salesforce.com',
        }),
      ),
    ).toEqual(['https://acme.my.salesforce.com', 'https://test.salesforce.com']);
  });
});
