import { mkdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { SETUP_STEP_IDS } from '../../lib/setup/setupSteps';
import { SEED } from '../../server/seed';
import { conversation, openOutlookConversation } from '../../tests/e2e/harness/outlookConversations';
import { openPinnedSidePanel } from '../../tests/e2e/harness/sidePanel';
import { DEMO_THREADS, type DemoThread, showDemoThread } from './demoMailbox';
import { type Demo, demoPanel } from './startDemo';

export interface Screenshot {
  file: string;
  caption: string;
}

/** Someone the CRM was never asked about, so no cached answer can hide the error. */
const UNREACHABLE_THREAD = conversation(
  'DEMO-UNREACHABLE',
  'Question about your API',
  { name: 'Lena Fischer', address: 'lena.fischer@stark-renewables.de' },
  [{ name: SEED.demoUser.name, address: SEED.demoUser.email }],
);

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const WAIT_MS = 20_000;

/**
 * Pictures of the running demo: the panel in each state, the guided set-up's steps, the
 * full settings and the popup, some also in dark mode. Any picture that cannot be made
 * (a state that never paints, an empty file) throws: a stale picture must not pass.
 */
export async function writeScreenshots(demo: Demo, outDir: string): Promise<Screenshot[]> {
  await mkdir(outDir, { recursive: true });
  const written: Screenshot[] = [];
  const shoot = async (page: Page, file: string, caption: string, target: 'page' | 'panel' | 'main') => {
    const path = resolve(outDir, file);
    if (target === 'panel') await demoPanel(page).screenshot({ path, animations: 'disabled' });
    else if (target === 'main') await page.locator('main').screenshot({ path, animations: 'disabled' });
    else await page.screenshot({ path, fullPage: true, animations: 'disabled' });
    await checkPng(path);
    written.push({ file, caption });
  };

  // The whole page once, as a rep sees it, then each panel state tall enough to show it all.
  const { page } = demo;
  await showDemoThread(page, 'known');
  await waitForState(page, DEMO_THREADS[0]!);
  await shoot(page, 'outlook-demo.png', 'The demo mailbox in Outlook on the web with the CRM panel', 'page');
  await page.setViewportSize({ width: 1400, height: 1600 });
  for (const thread of DEMO_THREADS) {
    await showDemoThread(page, thread.state);
    await waitForState(page, thread);
    await shoot(page, `panel-${kebab(thread.state)}.png`, thread.caption, 'panel');
  }
  // The error state: a thread nobody looked up before, while the CRM is down.
  await demo.crm.stop();
  try {
    await openOutlookConversation(
      page,
      [...DEMO_THREADS.map((t) => t.conversation), UNREACHABLE_THREAD],
      UNREACHABLE_THREAD.id,
    );
    await demoPanel(page)
      .getByRole('alert')
      .getByRole('button', { name: 'Retry' })
      .waitFor({ timeout: WAIT_MS });
    await shoot(
      page,
      'panel-crm-unreachable.png',
      'The CRM cannot be reached: what happened, and a retry',
      'panel',
    );
  } finally {
    await demo.crm.restart();
  }

  await page.emulateMedia({ colorScheme: 'dark' });
  await showDemoThread(page, 'known');
  await waitForState(page, DEMO_THREADS[0]!);
  await shoot(page, 'panel-known-dark.png', 'A known contact, in dark mode', 'panel');
  await page.emulateMedia({ colorScheme: null });
  await page.setViewportSize({ width: 1400, height: 900 });

  // Gmail through the browser's side panel: a mail.google.com tab without Gmail's page (none is
  // imitated), the thread read through the Gmail API fake.
  const gmailTab = await demo.env.browser.newPage();
  try {
    await gmailTab.goto(demo.gmail.url);
    const side = await openPinnedSidePanel(demo.env.browser, 'https://mail.google.com');
    try {
      await side.setViewportSize({ width: 400, height: 900 });
      await side.getByText('Read through your Gmail mailbox, not the page.').waitFor({ timeout: WAIT_MS });
      await side
        .getByRole('article', { name: SEED.contacts.withAlternate.name })
        .waitFor({ timeout: WAIT_MS });
      await side.getByText(demo.gmail.subject).first().waitFor({ timeout: WAIT_MS });
      await shoot(side, 'sidepanel-gmail.png', demo.gmail.caption, 'page');
    } finally {
      await side.close();
    }
  } finally {
    await gmailTab.close();
  }

  const extensionPage = await demo.env.browser.newPage();
  try {
    await extensionPage.setViewportSize({ width: 1100, height: 800 });
    for (const step of SETUP_STEP_IDS) {
      await extensionPage.goto(demo.env.browser.extensionUrl(`options.html#setup/${step}`));
      await extensionPage.locator('.setup-step-body > h2').waitFor({ timeout: WAIT_MS });
      await extensionPage.locator('.setup-step[aria-current="step"]').waitFor({ timeout: WAIT_MS });
      await shoot(
        extensionPage,
        `setup-${step}.png`,
        `Guided set-up: ${await stepTitle(extensionPage)}`,
        'page',
      );
    }
    await extensionPage.emulateMedia({ colorScheme: 'dark' });
    await extensionPage.goto(demo.env.browser.extensionUrl('options.html#setup/connect'));
    await extensionPage.locator('.setup-step-body > h2').waitFor({ timeout: WAIT_MS });
    await shoot(extensionPage, 'setup-connect-dark.png', 'Guided set-up in dark mode', 'page');
    await extensionPage.emulateMedia({ colorScheme: null });

    await extensionPage.goto(demo.env.browser.extensionUrl('options.html#settings'));
    await extensionPage
      .getByRole('region', { name: 'Mailboxes' })
      .getByText(SEED.demoUser.email)
      .first()
      .waitFor({ timeout: WAIT_MS });
    await shoot(extensionPage, 'options.png', 'All settings', 'page');

    await extensionPage.setViewportSize({ width: 360, height: 600 });
    for (const scheme of ['light', 'dark'] as const) {
      await extensionPage.emulateMedia({ colorScheme: scheme });
      await extensionPage.goto(demo.env.browser.extensionUrl('popup.html'));
      await extensionPage.getByRole('button', { name: 'Open side panel' }).waitFor({ timeout: WAIT_MS });
      await extensionPage.getByRole('listitem', { name: SEED.demoUser.email }).waitFor({ timeout: WAIT_MS });
      await shoot(
        extensionPage,
        scheme === 'light' ? 'popup.png' : 'popup-dark.png',
        scheme === 'light'
          ? 'The toolbar popup: connection, the side panel, mailboxes'
          : 'The popup in dark mode',
        'main',
      );
    }
  } finally {
    await extensionPage.close();
  }
  return written;
}

/** The thread's own subject in the panel's list (not the previous thread's), then its state. */
async function waitForState(page: Page, thread: DemoThread): Promise<void> {
  const panel = demoPanel(page);
  await panel.getByText(thread.conversation.subject).first().waitFor({ timeout: WAIT_MS });
  await panel.getByText(thread.shows).first().waitFor({ timeout: WAIT_MS });
}

async function stepTitle(page: Page): Promise<string> {
  return (await page.locator('.setup-step-body > h2').textContent()) ?? '';
}

async function checkPng(path: string): Promise<void> {
  const bytes = await readFile(path);
  if (bytes.length < 1_000 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE))
    throw new Error(`Screenshot ${path} is not a usable PNG (${bytes.length} bytes)`);
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
