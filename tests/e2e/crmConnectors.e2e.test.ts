import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHubSpotApi, type FakeHubSpotUser } from '../fakes/FakeHubSpotApi';
import { FakeSalesforceApi, type FakeSalesforceUser } from '../fakes/FakeSalesforceApi';
import { withExtensionCors } from './harness/extensionCors';
import { sendExtensionMessage } from './harness/extensionMessages';
import { extensionRedirectUri } from './harness/mailboxSync';
import {
  conversation,
  type FixtureConversation,
  openOutlookConversation,
} from './harness/outlookConversations';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

/**
 * The built extension with CRM type HubSpot, then Salesforce, on the Outlook fixture page:
 * the card, and one click logging the email exactly once across a reload, a second tab and
 * two tabs clicking at once. The CRMs' production hosts (api.hubapi.com; login.salesforce.com
 * and an org's My Domain) are mapped by --host-resolver-rules to the strict fakes of
 * tests/fakes (their sources are cited there). One browser for both CRMs.
 */
const HUBSPOT_HOST = 'api.hubapi.com';
const SALESFORCE_LOGIN = 'login.salesforce.com';
const SALESFORCE_INSTANCE = 'northwind.my.salesforce.com';

const me = { name: 'Dana Whitfield', address: 'dana.whitfield@northwind-trading.com' };

function panel(page: Page) {
  return page.locator('crm-sidebar-panel [data-testid="crm-panel"]');
}

async function settingsUpdate(env: E2eEnvironment, crm: Record<string, string>) {
  const reply = await sendExtensionMessage(env.browser, 'settings.update', { patch: { crm } });
  if (!reply.ok) throw new Error(`settings.update failed: ${JSON.stringify(reply.error)}`);
}

/**
 * Click "Log email", reload, open a second tab, then two tabs clicking on a new message at
 * the same moment; `loggedCopies(subject)` counts what the CRM holds for a subject.
 */
async function logOnceAcrossTabs(
  env: E2eEnvironment,
  contactName: string,
  first: FixtureConversation,
  race: FixtureConversation,
  loggedCopies: (subject: string) => number,
) {
  const page = await env.browser.newPage();
  await openOutlookConversation(page, [first]);
  await panel(page).getByRole('article', { name: contactName }).waitFor({ timeout: 20_000 });
  await panel(page)
    .getByRole('button', { name: /^Log email/ })
    .click({ timeout: 15_000 });
  await panel(page)
    .getByText(/Logged/)
    .first()
    .waitFor({ timeout: 20_000 });
  await expect.poll(() => loggedCopies(first.subject), { timeout: 15_000 }).toBe(1);

  await page.reload();
  await openOutlookConversation(page, [first]);
  await panel(page)
    .getByText(/Logged/)
    .first()
    .waitFor({ timeout: 20_000 });
  expect(
    await panel(page)
      .getByRole('button', { name: /^Log email/ })
      .count(),
  ).toBe(0);

  const second = await env.browser.newPage();
  await openOutlookConversation(second, [first]);
  await panel(second)
    .getByText(/Logged/)
    .first()
    .waitFor({ timeout: 20_000 });
  expect(loggedCopies(first.subject)).toBe(1);

  await openOutlookConversation(page, [race]);
  await openOutlookConversation(second, [race]);
  const buttons = [page, second].map((p) => panel(p).getByRole('button', { name: /^Log email/ }));
  await Promise.all(buttons.map((b) => b.waitFor({ timeout: 20_000 })));
  await Promise.all(buttons.map((b) => b.click()));
  await Promise.all(
    [page, second].map((p) =>
      panel(p)
        .getByText(/Logged/)
        .first()
        .waitFor({ timeout: 20_000 }),
    ),
  );
  await expect.poll(() => loggedCopies(race.subject), { timeout: 15_000 }).toBe(1);
  await second.close();
  await page.close();
}

describe('CRM types HubSpot and Salesforce in the built extension (Outlook page)', () => {
  let env: E2eEnvironment;
  let hubspot: FakeHubSpotApi;
  let hubspotRep: FakeHubSpotUser;
  let salesforce: FakeSalesforceApi;
  let salesforceRep: FakeSalesforceUser;

  beforeAll(async () => {
    hubspot = new FakeHubSpotApi();
    salesforce = new FakeSalesforceApi({
      instanceUrl: `https://${SALESFORCE_INSTANCE}`,
      externalIdFields: { EmailMessage: 'CrmSidebar_Log_Key__c' },
    });
    const sf = withExtensionCors(salesforce.requestHandler);
    env = await startE2eEnvironment({
      openShadowRoot: true,
      extraRoutes: {
        [HUBSPOT_HOST]: withExtensionCors(hubspot.requestHandler),
        [SALESFORCE_LOGIN]: sf,
        [SALESFORCE_INSTANCE]: sf,
      },
    });
    hubspotRep = hubspot.addUser({ email: 'dana.whitfield@northwind-trading.com', firstName: 'Dana' });
    salesforceRep = salesforce.addUser({ name: 'Dana Whitfield', email: me.address });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('HubSpot (api.hubapi.com): the card, and the email logged exactly once across reload and two tabs', async () => {
    const acme = hubspot.addObject('companies', { name: 'Acme Robotics', domain: 'acme-robotics.com' });
    const alice = hubspot.addObject(
      'contacts',
      {
        email: 'alice.moreau@acme-robotics.com',
        firstname: 'Alice',
        lastname: 'Moreau',
        jobtitle: 'Head of Operations',
        associatedcompanyid: acme.id,
      },
      { companies: [acme.id] },
    );
    await settingsUpdate(env, {
      type: 'hubspot',
      baseUrl: '',
      token: hubspotRep.token,
      repEmail: hubspotRep.email,
    });
    const test = await sendExtensionMessage(env.browser, 'crm.testConnection', {
      crm: { type: 'hubspot', baseUrl: '', token: hubspotRep.token, repEmail: hubspotRep.email },
    });
    expect(test.ok, JSON.stringify(test)).toBe(true);

    const sender = { name: 'Alice Moreau', address: 'alice.moreau@acme-robotics.com' };
    const emailsOf = (subject: string) =>
      [...hubspot.objects.emails.values()].filter(
        (e) =>
          e.properties.hs_email_subject === subject &&
          [...(e.associations.contacts ?? [])].includes(alice.id),
      ).length;
    await logOnceAcrossTabs(
      env,
      'Alice Moreau',
      conversation('CONV-HS-LOG', 'Pilot pricing (HubSpot e2e)', sender, [me]),
      conversation('CONV-HS-RACE', 'Rollout plan (HubSpot e2e race)', sender, [me]),
      emailsOf,
    );
    // Logged under the rep's HubSpot owner, with the Message-ID key in its headers.
    const logged = [...hubspot.objects.emails.values()].find(
      (e) => e.properties.hs_email_subject === 'Pilot pricing (HubSpot e2e)',
    )!;
    expect(logged.properties.hubspot_owner_id).toBe(hubspotRep.ownerId);
    expect(JSON.parse(logged.properties.hs_email_headers!).messageId).toBeTruthy();
    expect([...(logged.associations.companies ?? [])]).toEqual([acme.id]);
  });

  it('Salesforce (login host + My Domain): sign-in through browser.identity, the card, and the email logged exactly once', async () => {
    const account = salesforce.add('Account', {
      Name: 'Acme Robotics',
      Website: 'https://acme-robotics.com',
    });
    const contact = salesforce.add('Contact', {
      FirstName: 'Bruno',
      LastName: 'Keller',
      Email: 'bruno.keller@acme-robotics.com',
      AccountId: account.Id,
      OwnerId: salesforceRep.id,
    });
    salesforce.allowBrowserSignIn(extensionRedirectUri(env.browser), salesforceRep);
    const signIn = await sendExtensionMessage(env.browser, 'crm.salesforceSignIn', {
      loginUrl: `https://${SALESFORCE_LOGIN}`,
      consumerKey: salesforce.clientId,
    });
    expect(signIn.ok, JSON.stringify(signIn)).toBe(true);
    expect(signIn.data).toMatchObject({ ok: true });
    const settings = await sendExtensionMessage(env.browser, 'settings.get', {});
    // The refresh token is kept with the settings, the access token only in storage.session.
    expect((settings.data as { crm: { type: string; baseUrl: string } }).crm).toMatchObject({
      type: 'salesforce',
      baseUrl: `https://${SALESFORCE_INSTANCE}`,
      token: '',
      refreshToken: salesforceRep.refreshToken,
    });
    const held = await env.browser.serviceWorker.evaluate(() =>
      (
        globalThis as unknown as {
          chrome: {
            storage: { session: { get(k: string): Promise<Record<string, { accessToken: string }>> } };
          };
        }
      ).chrome.storage.session.get('crmAccessToken:salesforce'),
    );
    expect(held['crmAccessToken:salesforce']?.accessToken).toBe(salesforceRep.accessToken);

    const sender = { name: 'Bruno Keller', address: 'bruno.keller@acme-robotics.com' };
    const emailsOf = (subject: string) => {
      const ids = new Set(
        [...salesforce.records.EmailMessage.values()].filter((m) => m.Subject === subject).map((m) => m.Id),
      );
      const relations = [...salesforce.records.EmailMessageRelation.values()].filter(
        (r) => ids.has(String(r.EmailMessageId)) && r.RelationId === contact.Id,
      );
      return ids.size === relations.length ? ids.size : -1;
    };
    await logOnceAcrossTabs(
      env,
      'Bruno Keller',
      conversation('CONV-SF-LOG', 'Pilot pricing (Salesforce e2e)', sender, [me]),
      conversation('CONV-SF-RACE', 'Rollout plan (Salesforce e2e race)', sender, [me]),
      emailsOf,
    );
  });
});
