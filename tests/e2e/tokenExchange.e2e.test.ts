import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxStatus } from '../../lib/messaging/messages';
import { SEED } from '../../server/seed';
import { configureCrm } from './harness/extensionMessages';
import {
  ask,
  createGoogleFakes,
  extensionRedirectUri,
  type GoogleFakes,
  TEST_GOOGLE_CLIENT_ID,
  TEST_GOOGLE_CLIENT_SECRET,
  waitForSyncedAndDelivered,
} from './harness/mailboxSync';
import { type ReferenceCrm, startReferenceCrm } from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

const ME = SEED.demoUser.email;
const alice = SEED.contacts.primary;

/**
 * The built extension connects a Google mailbox with the token exchange of the reference
 * server (`npm run crm` with GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET): the sign-in page is
 * Google's fake at accounts.google.com, the code goes to the server, which redeems it at the
 * strict Google fake with the secret only it holds. The extension has no secret stored.
 */
describe('Connect a Google mailbox through the server token exchange', () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;
  let google: GoogleFakes;
  let page: Page;

  beforeAll(async () => {
    // Short-lived access tokens: the first sync already refreshes through the server.
    google = createGoogleFakes(ME, {}, { accessTokenLifetime: 60 });
    const googleTokenUrl = `${await google.idp.start()}/token`;
    crm = await startReferenceCrm({
      oauthExchange: {
        clients: {
          google: {
            clientId: TEST_GOOGLE_CLIENT_ID,
            clientSecret: TEST_GOOGLE_CLIENT_SECRET,
            tokenUrl: googleTokenUrl,
          },
        },
      },
    });
    env = await startE2eEnvironment({ extraRoutes: google.routes });
    google.idp.registerRedirectUri(TEST_GOOGLE_CLIENT_ID, extensionRedirectUri(env.browser));
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
    await ask(env.browser, 'settings.update', {
      patch: {
        historicalImportDays: 30,
        oauth: {
          googleClientId: TEST_GOOGLE_CLIENT_ID,
          microsoftClientId: '',
          microsoftTenant: 'common',
          tokenExchangeUrl: crm.handle.url,
        },
      },
    });
    page = await env.browser.newPage();
    await page.goto(env.browser.extensionUrl('popup.html'));
  });
  afterAll(async () => {
    await env?.close();
    await crm?.close();
    await google?.idp.stop();
  });

  it('connects, refreshes and logs sent mail with no client secret in the browser', async () => {
    expect(await ask(env.browser, 'oauth.clientSecret.status', {}, page)).toMatchObject({ gmail: false });
    const date = Date.now() - 86_400_000;
    const messageId = `<CAE2E-exchange-${Date.now().toString(36)}@mail.gmail.com>`;
    google.gmail.sendMessage(ME, {
      internalDate: date,
      headers: [
        { name: 'From', value: `${SEED.demoUser.name} <${ME}>` },
        { name: 'To', value: `${alice.name} <${alice.email}>` },
        { name: 'Subject', value: 'E2E token exchange' },
        { name: 'Date', value: new Date(date).toUTCString().replace('GMT', '+0000') },
        { name: 'Message-ID', value: messageId },
      ],
      snippet: 'Through the server',
    });

    const mailbox = await ask<MailboxStatus>(env.browser, 'mailbox.connect', { provider: 'gmail' }, page);
    expect(mailbox).toMatchObject({ id: `gmail:${ME}`, provider: 'gmail' });
    await waitForSyncedAndDelivered(env.browser, mailbox.id, { page });

    const externalId = messageId.slice(1, -1).toLowerCase();
    const { body } = await crm.api<{ activities: { contactId: string }[] }>(
      `/activities?externalId=${encodeURIComponent(externalId)}`,
    );
    expect(body.activities.map((a) => a.contactId)).toEqual([alice.id]);
    // The strict fake saw the code once and at least one refresh, all from the server
    // (no Origin header), all with the secret; and nothing it refused.
    expect(google.idp.counters.codeGrants).toBe(1);
    expect(google.idp.counters.refreshGrants).toBeGreaterThanOrEqual(1);
    expect(google.idp.counters.errors).toBe(0);
    expect(google.idp.tokenRequests.every((r) => r.origin === undefined)).toBe(true);
    expect(
      google.idp.tokenRequests.every((r) => r.form.get('client_secret') === TEST_GOOGLE_CLIENT_SECRET),
    ).toBe(true);
  });

  it('raised no errors in extension pages', () => {
    expect(env.browser.pageErrors.filter((e) => e.startsWith('chrome-extension://'))).toEqual([]);
  });
});
