import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../server/seed';
import { configureCrm } from './harness/extensionMessages';
import { conversation, openOutlookConversation, withReply } from './harness/outlookConversations';
import { panel, panelDock } from './harness/panelFrame';
import { type ReferenceCrm, startReferenceCrm } from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';
import { OUTLOOK_HOSTS } from './harness/webmailFixtures';

const ARTIFACTS = resolve(import.meta.dirname, 'artifacts');
const me = { name: SEED.demoUser.name, address: SEED.demoUser.email };
const alice = { name: SEED.contacts.primary.name, address: SEED.contacts.primary.email };

interface LoggedActivity {
  contactId: string;
  subject: string;
  direction: 'incoming' | 'outgoing';
}

/** Alice's activities for one test conversation (each test uses its own subject). */
async function activitiesFor(crm: ReferenceCrm, subject: string): Promise<LoggedActivity[]> {
  const { status, body } = await crm.api<{ activities: LoggedActivity[] }>(
    `/contacts/${SEED.contacts.primary.id}/activities?limit=100`,
  );
  expect(status).toBe(200);
  return body.activities.filter((a) => a.subject === subject);
}

const dock = panelDock;

type Box = { x: number; y: number; width: number; height: number };
const intersects = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function box(page: Page, selector: string): Promise<Box> {
  const found = await page.locator(selector).first().boundingBox();
  expect(found, selector).not.toBeNull();
  return found!;
}

/** The panel's box against every Outlook region it must never cover. */
async function expectBesideOutlook(page: Page): Promise<Box> {
  const panelBox = (await dock(page).boundingBox())!;
  for (const region of [
    '[id^="UniqueMessageBody"]',
    '[role="main"]',
    '[role="complementary"]',
    '#OwaTitleBar',
  ]) {
    expect(intersects(panelBox, await box(page, region)), `panel covers ${region}`).toBe(false);
  }
  return panelBox;
}

describe('Outlook on the web: panel and one-click logging', () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;

  beforeAll(async () => {
    crm = await startReferenceCrm();
    // Locators into the panel need its shadow root open (tests/e2e/security.e2e.test.ts checks the closed one).
    env = await startE2eEnvironment();
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
  });
  afterAll(async () => {
    await env?.close();
    await crm?.close();
  });

  for (const host of OUTLOOK_HOSTS) {
    it(`shows the contact card of a seeded sender on ${host}`, async () => {
      const page = await env.browser.newPage();
      await openOutlookConversation(
        page,
        [conversation(`CONV-CARD-${host}`, 'Pilot results and next steps', alice, [me])],
        undefined,
        `https://${host}`,
      );
      const card = panel(page).getByRole('article', { name: SEED.contacts.primary.name });
      await card.waitFor({ timeout: 15_000 });
      await expect.poll(() => card.textContent()).toContain('Acme Robotics');
      // No Microsoft mailbox is connected here: the panel says where its data came from.
      expect(await panel(page).getByTestId('crm-source').textContent()).toBe('read from the page');
      if (host === 'outlook.office.com') {
        await mkdir(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: resolve(ARTIFACTS, 'panel.png') });
      }
      await page.close();
    });
  }

  for (const [width, height] of [
    [1280, 720],
    [1920, 1080],
  ] as const) {
    it(`docks beside the reading pane at ${width}x${height}: never over the mail, resizable, collapsible, remembered`, async () => {
      const page = await env.browser.newPage();
      await page.setViewportSize({ width, height });
      await openOutlookConversation(page, [
        conversation(`CONV-GEO-${width}`, 'Pilot results and next steps', alice, [me], {
          body: 'Hi Dana, we reviewed the pilot results internally and would like to discuss a wider rollout across all three warehouses next quarter. Could you send the updated pricing?',
        }),
      ]);
      await panel(page)
        .getByRole('article', { name: SEED.contacts.primary.name })
        .waitFor({ timeout: 15_000 });
      const open = await expectBesideOutlook(page);
      expect(open.x + open.width).toBeLessThanOrEqual(width);
      // The message stays readable: a real column of text, on screen.
      const body = await box(page, '[id^="UniqueMessageBody"]');
      expect(body.width).toBeGreaterThanOrEqual(300);
      expect(body.x + body.width).toBeLessThanOrEqual(open.x);
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: resolve(ARTIFACTS, `outlook-docked-${width}x${height}.png`) });

      // Keyboard: the resize handle is a focusable separator; wider by three steps.
      const handle = dock(page).getByRole('separator', { name: 'Resize CRM panel' });
      await handle.focus();
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
      await expect.poll(async () => (await dock(page).boundingBox())!.width).toBe(open.width + 48);
      await expectBesideOutlook(page);

      // Collapse to the edge tab: the message gets the room back, and the state survives a reload.
      await dock(page).getByRole('button', { name: 'Hide CRM panel' }).click();
      const tab = dock(page).getByRole('button', { name: 'Show CRM panel' });
      await tab.waitFor();
      expect((await dock(page).boundingBox())!.width).toBeLessThanOrEqual(40);
      await expect
        .poll(async () => (await box(page, '[id^="UniqueMessageBody"]')).width)
        .toBeGreaterThan(body.width);
      await expectBesideOutlook(page);
      await page.reload();
      await openOutlookConversation(page, [
        conversation(`CONV-GEO-${width}`, 'Pilot results and next steps', alice, [me]),
      ]);
      await dock(page).getByRole('button', { name: 'Show CRM panel' }).waitFor({ timeout: 15_000 });
      await dock(page).getByRole('button', { name: 'Show CRM panel' }).focus();
      await page.keyboard.press('Enter');
      await panel(page)
        .getByRole('article', { name: SEED.contacts.primary.name })
        .waitFor({ timeout: 15_000 });
      // The width chosen before the reload is remembered too.
      expect((await dock(page).boundingBox())!.width).toBe(open.width + 48);
      await handle.focus();
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');

      // Outlook's dark theme: the panel follows.
      expect(await dock(page).getAttribute('data-theme')).toBe('light');
      await page.evaluate(() =>
        (window as unknown as { __outlookFixture: { setDark(d: boolean): void } }).__outlookFixture.setDark(
          true,
        ),
      );
      await expect.poll(() => dock(page).getAttribute('data-theme')).toBe('dark');
      if (width === 1280)
        await page.screenshot({ path: resolve(ARTIFACTS, 'outlook-docked-dark-1280x720.png') });
      await page.evaluate(() =>
        (window as unknown as { __outlookFixture: { setDark(d: boolean): void } }).__outlookFixture.setDark(
          false,
        ),
      );
      await page.close();
    });
  }

  it("files the user's own reply inside an inbox conversation as outgoing", async () => {
    const subject = 'Own reply direction';
    const sam = { name: SEED.colleague.name, address: SEED.colleague.email };
    const conv = withReply(conversation('CONV-OWN', subject, alice, [me], { cc: [sam] }), me, [alice], {
      date: '2026-11-20T11:30:00Z',
    });
    const page = await env.browser.newPage();
    await openOutlookConversation(page, [conv]);
    const log = panel(page).getByRole('region', { name: 'Log emails' });
    await log.getByRole('img', { name: 'Outgoing' }).waitFor({ timeout: 15_000 });
    expect(await log.getByRole('img', { name: 'Incoming' }).count()).toBe(1);
    // The colleague on Cc shows by name only on the page: kept, and said so.
    await expect
      .poll(() => panel(page).getByRole('region', { name: 'Shown by name only' }).textContent())
      .toContain(SEED.colleague.name);
    await log.getByRole('button', { name: /^Log thread/ }).click();
    await expect
      .poll(async () => (await activitiesFor(crm, subject)).map((a) => a.direction).sort(), {
        timeout: 15_000,
      })
      .toEqual(['incoming', 'outgoing']);
    await page.close();
  });

  it('logs an email exactly once: click, reload, second tab, concurrent clicks', async () => {
    const conv = conversation('CONV-LOG', 'Quarterly review (log-once e2e)', alice, [me]);
    const page = await env.browser.newPage();
    await openOutlookConversation(page, [conv]);
    const logButton = panel(page).getByRole('button', { name: /^Log email/ });
    await logButton.click({ timeout: 15_000 });
    await panel(page)
      .getByText(/Logged .*by You|Logged by You/)
      .waitFor({ timeout: 15_000 });
    expect(await activitiesFor(crm, conv.subject)).toHaveLength(1);

    await page.reload();
    await openOutlookConversation(page, [conv]);
    await panel(page)
      .getByText(/Logged/)
      .first()
      .waitFor({ timeout: 15_000 });
    expect(
      await panel(page)
        .getByRole('button', { name: /^Log email/ })
        .count(),
    ).toBe(0);

    const second = await env.browser.newPage();
    await openOutlookConversation(second, [conv]);
    await panel(second)
      .getByText(/Logged/)
      .first()
      .waitFor({ timeout: 15_000 });
    expect(await activitiesFor(crm, conv.subject)).toHaveLength(1);

    // Two tabs clicking at the same moment on a message nobody has logged yet.
    const race = conversation('CONV-RACE', 'Contract redlines (race e2e)', alice, [me]);
    await openOutlookConversation(page, [race]);
    await openOutlookConversation(second, [race]);
    const buttons = [page, second].map((p) => panel(p).getByRole('button', { name: /^Log email/ }));
    await Promise.all(buttons.map((b) => b.waitFor({ timeout: 15_000 })));
    await Promise.all(buttons.map((b) => b.click()));
    await Promise.all(
      [page, second].map((p) =>
        panel(p)
          .getByText(/Logged/)
          .first()
          .waitFor({ timeout: 15_000 }),
      ),
    );
    expect(await activitiesFor(crm, race.subject)).toHaveLength(1);
    await second.close();
    await page.close();
  });

  it('creates a contact for an unknown sender and shows the card', async () => {
    const stranger = { name: 'Priya Raman', address: 'priya.raman@acme-robotics.com' };
    const page = await env.browser.newPage();
    await openOutlookConversation(page, [conversation('CONV-NEW', 'Introduction', stranger, [me])]);
    await panel(page).getByRole('button', { name: 'Create contact' }).click({ timeout: 15_000 });
    const form = panel(page).getByRole('form', { name: `New contact for ${stranger.address}` });
    expect(await form.getByLabel('Name').inputValue()).toBe(stranger.name);
    await form.getByRole('button', { name: 'Create' }).click();
    await panel(page).getByRole('article', { name: stranger.name }).waitFor({ timeout: 15_000 });
    const lookup = await crm.api<{ contacts: { name: string; companyId: string | null }[] }>('/lookup', {
      method: 'POST',
      body: JSON.stringify({ emails: [stranger.address], domains: [] }),
    });
    expect(lookup.body.contacts.map((c) => c.name)).toEqual([stranger.name]);
    await page.close();
  });

  it('queues the log while the CRM is down and delivers it once the CRM is back', async () => {
    const conv = conversation('CONV-DOWN', 'Renewal options (offline e2e)', alice, [me]);
    const page = await env.browser.newPage();
    await openOutlookConversation(page, [conv]);
    const logButton = panel(page).getByRole('button', { name: /^Log email/ });
    await logButton.waitFor({ timeout: 15_000 });
    await crm.stop();
    await logButton.click();
    await panel(page)
      .getByText(/Queued/)
      .waitFor({ timeout: 20_000 });
    await crm.restart();
    await expect
      .poll(async () => (await activitiesFor(crm, conv.subject)).length, {
        timeout: 60_000,
        interval: 1_000,
      })
      .toBe(1);
    await page.close();
  });

  it('shows HTML and script payloads in names and subjects as text, never running them', async () => {
    const evil = {
      name: '<img src=x onerror="window.__xss=1">Mallory',
      address: 'alice.moreau@acme-robotics.com',
    };
    const subject = '<script>window.__xss=2</script><b>bold?</b>';
    const page = await env.browser.newPage();
    await openOutlookConversation(page, [conversation('CONV-XSS', subject, evil, [me])]);
    await panel(page).getByRole('article', { name: SEED.contacts.primary.name }).waitFor({ timeout: 15_000 });
    await expect.poll(() => panel(page).textContent()).toContain('<script>window.__xss=2</script>');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await panel(page).locator('b, img, script').count()).toBe(0);
    await page.close();
  });

  it('raised no console errors in the Outlook pages', () => {
    const errors = env.browser.pageErrors.filter((e) =>
      OUTLOOK_HOSTS.some((host) => e.startsWith(`https://${host}`)),
    );
    expect(errors).toEqual([]);
  });
});
