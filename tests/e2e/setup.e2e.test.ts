import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { showDemoThread } from '../../scripts/demo/demoMailbox';
import { demoPanel } from '../../scripts/demo/startDemo';
import { SEED } from '../../server/seed';
import { answerPermissionPromptsWithAllow } from './harness/permissionPrompts';
import { type ReferenceCrm, startReferenceCrm } from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

describe('first run: the guided set-up against the reference CRM', () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;

  beforeAll(async () => {
    crm = await startReferenceCrm();
    env = await startE2eEnvironment({ browser: { keepFirstRunTab: true } });
  });
  afterAll(async () => {
    await env?.close();
    await crm?.close();
  });

  it('opens on install, connects and tests the CRM, skips the mailbox, and ends with a card on a demo thread', async () => {
    const setup = await env.browser.firstRunPage;
    expect(setup, 'the install opened no set-up tab').not.toBeNull();
    const page = setup!;
    await page.getByRole('heading', { name: 'Choose your CRM' }).waitFor({ timeout: 15_000 });
    expect(await page.getByText('0 of 4 steps done').count()).toBe(1);
    await answerPermissionPromptsWithAllow(page);

    expect(await page.getByRole('radio', { name: 'Our CRM contract (REST)' }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Connect and test' }).waitFor();
    await page.getByLabel('Base URL').fill(crm.handle.url);
    await page.getByLabel('API token').fill(crm.handle.token);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect
      .poll(() => page.getByTestId('test-result').textContent(), { timeout: 15_000 })
      .toContain(`Connected as ${SEED.demoUser.name}`);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved', { exact: true }).first().waitFor({ timeout: 15_000 });
    await page.getByTestId('connect-reminder').waitFor({ state: 'detached' });
    const origin = new URL(crm.handle.url).origin;
    expect(
      await page.evaluate(
        () => (window as unknown as { __permissionRequests: string[] }).__permissionRequests,
      ),
    ).toContain(`${origin}/*`);
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Mailbox (optional)' }).waitFor();
    expect(await page.getByRole('table', { name: 'What each mode needs and gives' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Skip for now' }).click();

    await page.getByRole('heading', { name: 'Privacy and logging defaults' }).waitFor();
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.getByRole('heading', { name: 'Done' }).waitFor();
    await expect
      .poll(() => page.getByTestId('setup-summary').textContent())
      .toContain('optional steps are left');

    // The popup lists the skipped mailbox step, and links to it.
    const popup = await env.browser.newPage();
    await popup.goto(env.browser.extensionUrl('popup.html'));
    // Who the token belongs to is known once the background has used it; the address at once.
    await expect
      .poll(() => popup.getByTestId('crm-state').textContent())
      .toSatisfy((text) =>
        [`CRM connected as ${SEED.demoUser.name}`, `CRM: ${crm.handle.url}`].includes(String(text)),
      );
    const checklist = popup.getByTestId('setup-checklist');
    await expect.poll(() => checklist.textContent()).toContain('Connect a mailbox');
    const opened = env.browser.context.waitForEvent('page');
    await checklist.getByRole('button', { name: /Connect a mailbox.*open this set-up step/ }).click();
    const step = await opened;
    await step.waitForURL(/options\.html#setup\/mailbox$/);
    await step.getByRole('heading', { name: 'Mailbox (optional)' }).waitFor();
    await step.close();
    await popup.close();

    const mail = await env.browser.newPage();
    await showDemoThread(mail, 'known');
    await demoPanel(mail)
      .getByRole('article', { name: SEED.contacts.primary.name })
      .waitFor({ timeout: 20_000 });
    await expect.poll(() => demoPanel(mail).textContent()).toContain('Acme Robotics: fleet automation pilot');
    await mail.close();
  });

  it('raised no console errors in the set-up, popup or Outlook pages', () => {
    expect(env.browser.pageErrors).toEqual([]);
  });
});
