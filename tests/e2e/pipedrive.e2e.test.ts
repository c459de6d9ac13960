import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakePipedriveApi, type FakePipedriveUser } from '../fakes/FakePipedriveApi';
import { withExtensionCors } from './harness/extensionCors';
import { sendExtensionMessage } from './harness/extensionMessages';
import { logOnceAcrossTabs, settingsUpdate } from './harness/logOnceAcrossTabs';
import { conversation, openOutlookConversation } from './harness/outlookConversations';
import { panel } from './harness/panelFrame';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

/**
 * The built extension with CRM type Pipedrive (an API token) on the Outlook fixture page:
 * the card (person, organization, open deal, with links into the Pipedrive web app), and
 * one click logging the email exactly once across a reload, a second tab and two tabs
 * clicking at once. Pipedrive's production host (api.pipedrive.com) is mapped by
 * --host-resolver-rules to the strict fake of tests/fakes/FakePipedriveApi.ts (its sources
 * are cited there), with the Essential plan's burst limit.
 */
const PIPEDRIVE_HOST = 'api.pipedrive.com';
const me = { name: 'Dana Whitfield', address: 'dana.whitfield@northwind-trading.com' };

describe('CRM type Pipedrive in the built extension (Outlook page)', () => {
  let env: E2eEnvironment;
  let pipedrive: FakePipedriveApi;
  let rep: FakePipedriveUser;

  beforeAll(async () => {
    pipedrive = new FakePipedriveApi({ companyDomain: 'northwind' });
    env = await startE2eEnvironment({
      extraRoutes: { [PIPEDRIVE_HOST]: withExtensionCors(pipedrive.requestHandler) },
    });
    rep = pipedrive.addUser({ name: me.name, email: me.address });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('the card, and the email logged exactly once across reload and two tabs', async () => {
    const acme = pipedrive.addOrganization('Acme Robotics', rep.id);
    const alice = pipedrive.addPerson({
      name: 'Alice Moreau',
      emails: ['alice.moreau@acme-robotics.com', 'alice@moreau.example'],
      orgId: acme.id,
      ownerId: rep.id,
    });
    pipedrive.addDeal({ title: 'Acme Robotics pilot', personId: alice.id, orgId: acme.id, value: 24_000 });
    pipedrive.addDeal({ title: 'Lost last year', personId: alice.id, orgId: acme.id, status: 'lost' });
    const crm = { type: 'pipedrive', baseUrl: '', token: rep.token };
    await settingsUpdate(env, crm);
    const test = await sendExtensionMessage(env.browser, 'crm.testConnection', { crm });
    expect(test.data, JSON.stringify(test)).toMatchObject({ ok: true, me: { user: { id: String(rep.id) } } });

    const sender = { name: 'Alice Moreau', address: 'alice.moreau@acme-robotics.com' };
    const card = await env.browser.newPage();
    await openOutlookConversation(card, [
      conversation('CONV-PD-CARD', 'Hello (Pipedrive e2e)', sender, [me]),
    ]);
    const article = panel(card).getByRole('article', { name: 'Alice Moreau' });
    await article.waitFor({ timeout: 20_000 });
    await expect
      .poll(() => article.textContent(), { timeout: 15_000 })
      .toMatch(/Acme Robotics[\s\S]*Acme Robotics pilot/);
    expect(await article.textContent()).not.toContain('Lost last year');
    const links = await article.getByRole('link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toContain(`https://northwind.pipedrive.com/organization/${acme.id}`);
    await card.close();

    const emailsOf = (subject: string) =>
      pipedrive.activitiesOf(alice.id).filter((a) => a.type === 'email' && a.subject === subject).length;
    await logOnceAcrossTabs(
      env,
      'Alice Moreau',
      conversation('CONV-PD-LOG', 'Pilot pricing (Pipedrive e2e)', sender, [me]),
      conversation('CONV-PD-RACE', 'Rollout plan (Pipedrive e2e race)', sender, [me]),
      emailsOf,
    );
    // Logged under the rep, linked to the person and the organization, the Message-ID in the note.
    const logged = pipedrive
      .activitiesOf(alice.id)
      .find((a) => a.subject === 'Pilot pricing (Pipedrive e2e)')!;
    expect(logged).toMatchObject({ owner_id: rep.id, org_id: acme.id, done: true, type: 'email' });
    expect(logged.note).toMatch(/<p>Received · Message-ID: [^<]+<\/p>$/);
    expect(pipedrive.counters.byStatus[401] ?? 0).toBe(0);
  });
});
