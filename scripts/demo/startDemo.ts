import type { Locator, Page } from 'playwright-core';
import { SEED } from '../../server/seed';
import { sendExtensionMessage } from '../../tests/e2e/harness/extensionMessages';
import { panel } from '../../tests/e2e/harness/panelFrame';
import { type ReferenceCrm, startReferenceCrm } from '../../tests/e2e/harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from '../../tests/e2e/harness/startE2eEnvironment';
import { connectDemoGmail, createDemoGmail, type DemoGmail } from './demoGmail';
import { DEMO_START_URL, showDemoThread } from './demoMailbox';

export interface DemoOptions {
  /** Default true. A visible window needs a display ($DISPLAY or $WAYLAND_DISPLAY). */
  headless?: boolean;
  /** When the clock started (ms since the epoch), for the first-card figure; default now. */
  startedAt?: number;
}

export interface Demo {
  crm: ReferenceCrm;
  env: E2eEnvironment;
  /** The Outlook tab, with the first demo thread open and its card painted. */
  page: Page;
  /** The Gmail thread the side panel shows, and the Gmail API fake it is read from. */
  gmail: DemoGmail;
  /** From `startedAt` to the first contact card painted in the Outlook tab. */
  firstCardMs: number;
  close(): Promise<void>;
}

/** The CRM panel: the extension page framed in the Outlook tab (tests/e2e/harness/panelFrame). */
export function demoPanel(page: Page): Locator {
  return panel(page);
}

export function hasDisplay(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * Everything `npm start` shows: the reference CRM on a fresh database with the demo data,
 * the webmail hosts served locally at their real URLs (the e2e host mapping and test
 * certificate), and Chromium with the built extension, already connected to that CRM.
 * Needs the extension built by buildExtension (.output/chrome-mv3, the shipped build).
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const startedAt = options.startedAt ?? Date.now();
  const headless = options.headless ?? true;
  const crm = await startReferenceCrm();
  const gmail = createDemoGmail();
  let env: E2eEnvironment | undefined;
  try {
    env = await startE2eEnvironment({
      extraRoutes: gmail.google.routes,
      // A visible window sizes itself; the screenshots need a fixed viewport.
      browser: { headless, viewport: headless ? { width: 1400, height: 900 } : null },
    });
    await logAsColleague(env, crm);
    await preconfigure(env, crm);
    const page = await env.browser.newPage();
    for (const other of env.browser.context.pages())
      if (other !== page && other.url() === 'about:blank') await other.close();
    await page.goto(DEMO_START_URL);
    await showDemoThread(page, 'known');
    await demoPanel(page)
      .getByRole('article', { name: SEED.contacts.primary.name })
      .waitFor({ timeout: 30_000 });
    const firstCardMs = Date.now() - startedAt;
    // After the first card, so the figure stays the Outlook panel's alone.
    await connectDemoGmail(env, gmail);
    const running = env;
    return {
      crm,
      env: running,
      page,
      gmail,
      firstCardMs,
      async close() {
        await running.close();
        await crm.close();
      },
    };
  } catch (error) {
    await env?.close().catch(() => undefined);
    await crm.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The "already logged by a colleague" state, made the way it happens: the colleague's own
 * extension (same browser, the colleague's token) logs that thread with one click. The
 * page-only key of an Outlook message is the reader's, so it is never computed here.
 */
async function logAsColleague(env: E2eEnvironment, crm: ReferenceCrm): Promise<void> {
  await updateSettings(env, { crm: { type: 'rest', baseUrl: crm.handle.url, token: SEED.colleague.token } });
  const page = await env.browser.newPage();
  try {
    await page.goto(DEMO_START_URL);
    await showDemoThread(page, 'loggedByColleague');
    await demoPanel(page)
      .getByRole('button', { name: /^Log email/ })
      .click({ timeout: 30_000 });
    await demoPanel(page)
      .getByText(/Logged/)
      .first()
      .waitFor({ timeout: 30_000 });
  } finally {
    await page.close();
  }
}

async function updateSettings(env: E2eEnvironment, patch: Record<string, unknown>): Promise<void> {
  const reply = await sendExtensionMessage(env.browser, 'settings.update', { patch });
  if (!reply.ok) throw new Error(`The demo settings were refused: ${JSON.stringify(reply.error)}`);
}

/**
 * What a rep would have done in the guided set-up: the CRM connected, privacy defaults
 * kept; the Gmail mailbox is connected next (connectDemoGmail), with no history imported.
 */
async function preconfigure(env: E2eEnvironment, crm: ReferenceCrm): Promise<void> {
  // The guided set-up tab the install opened is closed by the harness: the demo is set up already.
  await updateSettings(env, {
    crm: { type: 'rest', baseUrl: crm.handle.url, token: crm.handle.token },
    setup: {
      confirmed: ['crm', 'connect', 'privacy', 'mailbox'],
      skipped: [],
      finishedAt: new Date().toISOString(),
    },
    // The demo shows what the rep logs; nothing is imported behind the screenshots' back.
    historicalImportDays: 0,
  });
}
