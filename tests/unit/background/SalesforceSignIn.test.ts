import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrmSidebarBackground } from '../../../lib/background/CrmSidebarBackground';
import { SalesforceSignIn } from '../../../lib/background/SalesforceSignIn';
import { createCrmConnector, crmOrigins } from '../../../lib/crm/createCrmConnector';
import { CrmConnection } from '../../../lib/settings/Settings';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { FakeSalesforceApi, type FakeSalesforceUser } from '../../fakes/FakeSalesforceApi';

let dbCounter = 0;
const REDIRECT = 'https://abcdefghijklmnop.chromiumapp.org/';

describe('Salesforce sign-in (web-server flow with PKCE) and session renewal', () => {
  let salesforce: FakeSalesforceApi;
  let rep: FakeSalesforceUser;
  let db: CrmSidebarDb;
  let background: CrmSidebarBackground;
  let signIn: SalesforceSignIn;
  let launched: URL[];

  beforeEach(async () => {
    salesforce = new FakeSalesforceApi();
    await salesforce.start();
    rep = salesforce.addUser({ name: 'Riley Rep', email: 'riley@ourco.example' });
    db = openCrmSidebarDb(`salesforce-signin-${++dbCounter}`);
    launched = [];
    background = new CrmSidebarBackground({
      db,
      version: '1.0.0',
      createConnector: (crm) => createCrmConnector(crm, { refreshSalesforceToken: (c) => signIn.refresh(c) }),
    });
    signIn = new SalesforceSignIn({
      background,
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
    const result = await signIn.signIn({ loginUrl: salesforce.url, consumerKey: salesforce.clientId });
    expect(result).toMatchObject({ ok: true, me: { user: { id: rep.id, name: 'Riley Rep' } } });
    expect(launched[0]?.pathname).toBe('/services/oauth2/authorize');
    expect(launched[0]?.searchParams.get('code_challenge_method')).toBe('S256');
    const { crm } = await background.getSettings();
    expect(crm).toMatchObject({
      type: 'salesforce',
      baseUrl: salesforce.url,
      token: rep.accessToken,
      refreshToken: rep.refreshToken,
    });
    expect(crmOrigins(crm)).toEqual([salesforce.url]);

    salesforce.expireSession(rep);
    const session = await background.sessions.session({ refreshIdentity: true });
    expect(session.me.user.id).toBe(rep.id);
    expect((await background.getSettings()).crm.token).toBe(rep.accessToken); // the renewed one, kept
  });

  it("the fake's authorize page: consent redirects with a code the PKCE exchange accepts; a foreign redirect_uri is refused", async () => {
    salesforce.allowBrowserSignIn(REDIRECT, rep);
    const viaPage = new SalesforceSignIn({
      background,
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
      await viaPage.signIn({ loginUrl: salesforce.url, consumerKey: salesforce.clientId }),
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
      message: expect.stringMatching(/sign in to Salesforce again/),
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
