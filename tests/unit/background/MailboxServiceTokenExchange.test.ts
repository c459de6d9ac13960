import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmSidebarBackground } from '../../../lib/background/CrmSidebarBackground';
import { MailboxService } from '../../../lib/background/MailboxService';
import { describeError } from '../../../lib/errors/describeError';
import { ExtensionError } from '../../../lib/errors/ErrorInfo';
import { toErrorInfo } from '../../../lib/errors/toErrorInfo';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { extensionFetch } from '../../fakes/extensionFetch';
import { FakeCrmConnector } from '../../fakes/FakeCrmConnector';
import { FakeGmailApi } from '../../fakes/FakeGmailApi';
import { FakeGraphApi } from '../../fakes/FakeGraphApi';
import { FakeOauthServer } from '../../fakes/FakeOauthServer';
import { startTokenExchange } from '../../server/startTokenExchange';
import { backgroundForTest } from './backgroundForTest';

/**
 * With a token exchange server set (settings.oauth.tokenExchangeUrl), the code exchange
 * and every refresh go through it: the browser stores no secret, the strict Google fake
 * (which refuses any exchange or refresh without the secret) and an Entra "Web"
 * registration (which refuses a redemption with an Origin header) both accept.
 */
const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const GOOGLE = {
  clientId: '123-abc.apps.googleusercontent.com',
  clientSecret: 'GOCSPX-server0only0secret00',
};
const MICROSOFT = {
  clientId: '00000000-0000-0000-0000-000000000042',
  clientSecret: 'Qx8Q~server~only~secret~0000',
};
let dbCounter = 0;

describe('MailboxService through a token exchange server', () => {
  let db: CrmSidebarDb;
  let crm: FakeCrmConnector;
  let background: CrmSidebarBackground;
  let google: FakeOauthServer;
  let entra: FakeOauthServer;
  let gmail: FakeGmailApi;
  let graph: FakeGraphApi;
  let exchange: Awaited<ReturnType<typeof startTokenExchange>>;
  let urls: { gmail: string; graph: string };

  beforeEach(async () => {
    db = openCrmSidebarDb(`mailbox-exchange-${++dbCounter}`);
    crm = new FakeCrmConnector();
    gmail = new FakeGmailApi();
    graph = new FakeGraphApi();
    // Access tokens that are due for refresh at once: every API call after the sign-in refreshes.
    google = new FakeOauthServer({
      provider: 'google',
      clients: [{ ...GOOGLE, redirectUris: [REDIRECT] }],
      accessTokenLifetime: 60,
      onAccessToken: (token, subject, _scope, expiresIn) =>
        gmail.issueAccessToken(subject, { token, expiresInMs: expiresIn * 1000 }),
    });
    entra = new FakeOauthServer({
      provider: 'microsoft',
      apps: [{ ...MICROSOFT, platform: 'web', redirectUris: [REDIRECT] }],
      onAccessToken: (token, subject, _scope, expiresIn) =>
        graph.issueAccessToken(subject, { token, expiresInMs: expiresIn * 1000 }),
    });
    const [gmailUrl, graphUrl] = await Promise.all([
      gmail.start(),
      graph.start(),
      google.start(),
      entra.start(),
    ]);
    graph.setPublicOrigin(graphUrl!);
    urls = { gmail: gmailUrl!, graph: graphUrl! };
    exchange = await startTokenExchange({
      clients: {
        google: { ...GOOGLE, tokenUrl: google.tokenEndpoint },
        microsoft: { ...MICROSOFT, tokenUrl: entra.tokenEndpoint },
      },
    });
    background = backgroundForTest({
      db,
      version: 't',
      createConnector: () => crm,
      clickDrainMaxWaitMs: 0,
    });
    await background.updateSettings({
      crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' },
      oauth: {
        googleClientId: GOOGLE.clientId,
        microsoftClientId: MICROSOFT.clientId,
        microsoftTenant: 'common',
        tokenExchangeUrl: exchange.url,
      },
      historicalImportDays: 30,
    });
  });
  afterEach(async () => {
    await Promise.all([exchange.close(), gmail.stop(), graph.stop(), google.stop(), entra.stop()]);
    db.close();
  });

  const serviceFor = (idp: FakeOauthServer, user: string) =>
    new MailboxService({
      db,
      background,
      webAuthFlow: idp.webAuthFlow(REDIRECT, user),
      apiBaseUrls: { gmail: urls.gmail, outlook: urls.graph },
      fetch: extensionFetch,
      // The authorization endpoints are the fakes'; token requests go to the exchange (settings).
      oauthEndpoints: {
        gmail: { authorizationEndpoint: google.authorizationEndpoint, tokenEndpoint: google.tokenEndpoint },
        outlook: { authorizationEndpoint: entra.authorizationEndpoint, tokenEndpoint: entra.tokenEndpoint },
      },
      allowInsecureOAuth: true,
    });

  it('Google: connects, refreshes and syncs with no client secret stored in the extension', async () => {
    const service = serviceFor(google, 'riley@ourco.example');
    expect(await service.clientSecretStatus()).toEqual({ gmail: false, outlook: false });
    gmail.addMailbox('riley@ourco.example');
    gmail.seedSentMessages('riley@ourco.example', 5, { missingMessageIdRatio: 0 });
    for (const m of gmail.messages('riley@ourco.example'))
      for (const h of m.headers.filter((x) => x.name === 'To'))
        crm.addContact({ name: h.value, emails: [h.value.replace(/^.*<|>$/g, '').toLowerCase()] });

    const status = await service.connect('gmail');
    await service.syncMailbox(status.id);
    await background.drainOutbox();
    expect(crm.activities.length).toBeGreaterThanOrEqual(5);
    expect(google.counters).toMatchObject({ codeGrants: 1, errors: 0 });
    expect(google.counters.refreshGrants).toBeGreaterThanOrEqual(1);
    // Every token request reached Google from the server, with the server's secret.
    expect(google.tokenRequests.every((r) => r.form.get('client_secret') === GOOGLE.clientSecret)).toBe(true);
    expect(google.tokenRequests.every((r) => r.origin === undefined)).toBe(true);
    expect((await db.mailboxes.get(status.id))?.status).toBe('connected');
  });

  it('Microsoft: a "Web" registration through the server; no 24 h sign-in limit is shown', async () => {
    const service = serviceFor(entra, 'sam@contoso.example');
    graph.addMailbox('sam@contoso.example');
    graph.seedSentItems('sam@contoso.example', 3);
    const status = await service.connect('outlook');
    expect(status.signInExpiresAt ?? null).toBeNull();
    await service.syncMailbox(status.id);
    expect(entra.counters).toMatchObject({ codeGrants: 1, errors: 0 });
    expect(entra.tokenRequests.every((r) => r.origin === undefined)).toBe(true);
    expect(entra.tokenRequests.every((r) => r.form.get('client_secret') === MICROSOFT.clientSecret)).toBe(
      true,
    );
  });

  it('a server without that provider: not_configured, naming what the server needs', async () => {
    await exchange.close();
    exchange = await startTokenExchange({
      clients: { google: { ...GOOGLE, tokenUrl: google.tokenEndpoint } },
    });
    await background.updateSettings({
      oauth: { ...(await background.getSettings()).oauth, tokenExchangeUrl: exchange.url },
    });
    const error = await serviceFor(entra, 'sam@contoso.example')
      .connect('outlook')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtensionError);
    expect(error).toMatchObject({ kind: 'not_configured' });
    expect((error as Error).message).toContain('MICROSOFT_CLIENT_SECRET');
    // Worded as the exchange server's set-up for Microsoft, not as the CRM's.
    const wording = describeError(toErrorInfo(error), 'mailbox');
    expect(wording.title).toBe('The token exchange server is not set up for this sign-in');
    expect(wording.text).toMatch(
      /cannot finish the Microsoft sign-in \(.*MICROSOFT_CLIENT_SECRET.*\)\. Set the provider up on that server, or clear “Token exchange server”/,
    );
  });
});
