import { expect } from 'vitest';
import { sendExtensionMessage } from './extensionMessages';
import { type FixtureConversation, openOutlookConversation } from './outlookConversations';
import { panel } from './panelFrame';
import type { E2eEnvironment } from './startE2eEnvironment';

export async function settingsUpdate(env: E2eEnvironment, crm: Record<string, string>) {
  const reply = await sendExtensionMessage(env.browser, 'settings.update', { patch: { crm } });
  if (!reply.ok) throw new Error(`settings.update failed: ${JSON.stringify(reply.error)}`);
}

/**
 * Click "Log email", reload, open a second tab, then two tabs clicking on a new message at
 * the same moment; `loggedCopies(subject)` counts what the CRM holds for a subject.
 */
export async function logOnceAcrossTabs(
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
