import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../server/seed';
import { seriousAxeViolations } from './harness/axe';
import { configureCrm } from './harness/extensionMessages';
import { conversation, openOutlookConversation } from './harness/outlookConversations';
import { type ReferenceCrm, startReferenceCrm } from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

const me = { name: SEED.demoUser.name, address: SEED.demoUser.email };
const alice = { name: SEED.contacts.primary.name, address: SEED.contacts.primary.email };

/** axe-core checks of what the user sees: no serious or critical violations anywhere. */
describe('accessibility (axe-core) of the panel, the options page and the popup', () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;

  beforeAll(async () => {
    crm = await startReferenceCrm();
    // axe cannot see into the shipped build's closed shadow root; the open-root variant
    // renders the same panel, popup and options page.
    env = await startE2eEnvironment({ openShadowRoot: true });
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
  });
  afterAll(async () => {
    await env?.close();
    await crm?.close();
  });

  it('the panel with a contact card', async () => {
    const page = await env.browser.newPage();
    await openOutlookConversation(page, [conversation('CONV-AXE', 'Accessibility check', alice, [me])]);
    const card = page
      .locator('crm-sidebar-panel [data-testid="crm-panel"]')
      .getByRole('article', { name: SEED.contacts.primary.name });
    await card.waitFor({ timeout: 15_000 });
    // Only the panel: the webmail page around it is not ours.
    expect(await seriousAxeViolations(page, 'crm-sidebar-panel')).toEqual([]);
    await page.close();
  });

  it('the options page', async () => {
    const page = await env.browser.newPage();
    await page.goto(env.browser.extensionUrl('options.html'));
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Test connection' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.close();
  });

  it('the popup', async () => {
    const page = await env.browser.newPage();
    await page.goto(env.browser.extensionUrl('popup.html'));
    await page.getByTestId('version').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.close();
  });
});
