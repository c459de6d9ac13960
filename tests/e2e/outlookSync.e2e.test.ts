import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxStatus } from '../../lib/messaging/messages';
import { SEED } from '../../server/seed';
import { configureCrm, sendExtensionMessage } from './harness/extensionMessages';
import {
  ask,
  extensionRedirectUri,
  getStatus,
  readSyncState,
  waitForSyncedAndDelivered,
} from './harness/mailboxSync';
import {
  configureMicrosoftApp,
  createMicrosoftFakes,
  MICROSOFT_HOSTS,
  type MicrosoftFakes,
  TEST_MICROSOFT_CLIENT_ID,
  TEST_MICROSOFT_DESKTOP_CLIENT_ID,
} from './harness/microsoftFakes';
import {
  type ExpectedLog,
  loggedContactIds,
  loggedVersusExpected,
  type ReferenceCrm,
  startReferenceCrm,
} from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

const ME = SEED.demoUser.email;
const alice = SEED.contacts.primary;
const ben = SEED.contacts.withAlternate;
const DAY = 86_400_000;
/** Past the fixed lifetime of an Entra SPA refresh token (24 h from the sign-in). */
const PAST_SPA_REFRESH_LIFETIME = DAY + 5 * 60_000;

interface SentSpec {
  key: string;
  to: { name?: string; address: string }[];
  cc?: { name?: string; address: string }[];
  /** Contacts that must get exactly one activity each. */
  expect: string[];
  ageDays?: number;
}

/** Access and refresh tokens in the fake IDP's shapes (JWT-like, `0.AQ...`) and the code prefix. */
const TOKEN_PATTERN = /eyJ0eXAi|0\.AQ|1\.AQ/;

describe('Background sync of sent Outlook mail through the real built extension', () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;
  let ms: MicrosoftFakes;
  let popup: Page;
  let mailbox: MailboxStatus;
  const sent: ExpectedLog[] = [];

  function send(spec: SentSpec): void {
    const local = `E2E-${spec.key}-${Date.now().toString(36)}`;
    const when = new Date(Date.now() - (spec.ageDays ?? 0) * DAY - 60_000)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    const person = (r: { name?: string; address: string }) => ({
      name: r.name ?? r.address,
      address: r.address,
    });
    ms.graph.sendMessage(ME, {
      internetMessageId: `<${local}@EXAMPLEPR01MB1234.namprd01.prod.outlook.example>`,
      subject: `E2E Outlook sync ${spec.key}`,
      bodyPreview: `About ${spec.key}`,
      from: { name: SEED.demoUser.name, address: ME },
      toRecipients: spec.to.map(person),
      ccRecipients: (spec.cc ?? []).map(person),
      sentDateTime: when,
      receivedDateTime: when,
    });
    sent.push({
      key: spec.key,
      expect: spec.expect,
      externalId: `${local}@EXAMPLEPR01MB1234.namprd01.prod.outlook.example`.toLowerCase(),
    });
  }

  /** Exactly one activity per (message, expected contact), none for the others. */
  async function expectLoggedExactlyOnce(): Promise<void> {
    const { logged, expected } = await loggedVersusExpected(crm, sent);
    expect(logged).toEqual(expected);
  }

  async function mailboxRow(): Promise<MailboxStatus> {
    const row = (await getStatus(env.browser, popup)).mailboxes.find((m) => m.id === mailbox.id);
    if (!row) throw new Error(`no mailbox ${mailbox.id}`);
    return row;
  }

  async function syncAndWait(): Promise<MailboxStatus> {
    const before = (await mailboxRow()).lastSyncAt;
    expect(await ask(env.browser, 'mailbox.syncNow', { id: mailbox.id }, popup)).toEqual({ started: 1 });
    const { status, mailbox: synced } = await waitForSyncedAndDelivered(env.browser, mailbox.id, {
      since: before,
      page: popup,
    });
    expect(status.outbox.failed).toBe(0);
    return synced;
  }

  /** The popup as a person sees it, read again (it polls only while a mailbox syncs). */
  async function popupMailboxText(): Promise<{ state: string; expiry: string | null; all: string }> {
    await popup.reload();
    const item = popup.getByRole('listitem', { name: ME });
    await item.getByTestId('mailbox-state').waitFor();
    const expiry = item.getByTestId('sign-in-expiry');
    return {
      state: (await item.getByTestId('mailbox-state').innerText()).trim(),
      expiry: (await expiry.count()) > 0 ? (await expiry.innerText()).trim() : null,
      all: await item.innerText(),
    };
  }

  /** What a person should read for a sign-in that runs out at `iso`, about a day from now. */
  function expectedExpiryText(iso: string): RegExp {
    const when = new Date(iso).toLocaleString('en', { weekday: 'short', hour: 'numeric', minute: '2-digit' });
    const pattern = when.replace(/\s/g, '\\s');
    return new RegExp(
      `^Sign-in renews automatically; if it cannot, you will need to reconnect in about 24 hours \\(${pattern}\\)\\.$`,
    );
  }

  beforeAll(async () => {
    crm = await startReferenceCrm();
    ms = createMicrosoftFakes(ME, {
      displayName: SEED.demoUser.name,
      apps: [
        { clientId: TEST_MICROSOFT_CLIENT_ID, platform: 'spa' },
        { clientId: TEST_MICROSOFT_DESKTOP_CLIENT_ID, platform: 'mobileDesktop' },
      ],
    });
    env = await startE2eEnvironment({ extraRoutes: ms.routes });
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
    await configureMicrosoftApp(env.browser, ms);
    await ask(env.browser, 'settings.update', { patch: { historicalImportDays: 30 } });
    popup = await env.browser.newPage();
    await popup.goto(env.browser.extensionUrl('popup.html'));
  });
  afterAll(async () => {
    await env?.close();
    await crm?.close();
  });

  it('connects Outlook through an SPA registration (PKCE, Origin) and imports the 30-day window once', async () => {
    send({ key: 'alice', to: [{ name: alice.name, address: alice.email }], expect: [alice.id], ageDays: 3 });
    send({
      key: 'alice-cc-ben',
      to: [{ address: alice.email }],
      cc: [{ name: 'Carter, Ben', address: ben.email }],
      expect: [alice.id, ben.id],
      ageDays: 2,
    });
    send({ key: 'ben-alternate', to: [{ address: ben.alternateEmail }], expect: [ben.id], ageDays: 1 });
    send({
      key: 'stranger',
      to: [{ name: 'Quinn Doe', address: 'quinn.doe@unknown-prospect.example' }],
      expect: [],
    });
    send({
      key: 'colleague',
      to: [{ name: SEED.colleague.name, address: SEED.colleague.email }],
      expect: [],
    });
    // An automated address at a customer's domain is no contact: skipped, not logged.
    send({ key: 'no-reply', to: [{ address: `no-reply@${SEED.companies.acme.domain}` }], expect: [] });
    send({ key: 'too-old', to: [{ address: alice.email }], expect: [], ageDays: 45 });

    mailbox = await ask<MailboxStatus>(env.browser, 'mailbox.connect', { provider: 'outlook' }, popup);
    expect(mailbox).toMatchObject({ id: `outlook:${ME}`, address: ME, provider: 'outlook', primary: true });

    // One interactive authorization with PKCE S256 for the SPA app, redeemed once with the
    // verifier (the fake checks it against the challenge) from the extension's origin.
    expect(ms.authorizations).toEqual([
      {
        clientId: TEST_MICROSOFT_CLIENT_ID,
        prompt: 'select_account',
        loginHint: null,
        codeChallengeMethod: 'S256',
      },
    ]);
    expect(ms.idp.counters.codeGrants).toBe(1);
    expect(ms.idp.counters.errors).toBe(0);
    const exchange = ms.idp.tokenRequests[0]!;
    expect(exchange.form.get('grant_type')).toBe('authorization_code');
    expect(exchange.form.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(exchange.form.get('redirect_uri')).toBe(extensionRedirectUri(env.browser));
    expect(exchange.form.get('client_secret')).toBeNull();
    expect(exchange.origin).toBe(`chrome-extension://${env.browser.extensionId}`);

    const { status, mailbox: synced } = await waitForSyncedAndDelivered(env.browser, mailbox.id, {
      page: popup,
    });
    expect(status.outbox.failed).toBe(0);
    expect(synced.progress).toMatchObject({ logged: 3 });
    await expectLoggedExactlyOnce();
    expect(ms.graph.counters.throttled).toBe(0);
  });

  it('logs mail sent after the first pass on the next sync, through the delta, nothing twice', async () => {
    const deltaBefore = ms.graph.counters.byMethod.delta;
    const listBefore = ms.graph.counters.byMethod.listFolderMessages;
    send({ key: 'new-alice', to: [{ address: alice.email }], expect: [alice.id] });
    send({ key: 'new-stranger', to: [{ address: 'someone@elsewhere.example' }], expect: [] });
    const synced = await syncAndWait();
    expect(synced.progress?.logged).toBe(1);
    expect(ms.graph.counters.byMethod.delta).toBeGreaterThan(deltaBefore);
    // The window is not listed again: only the delta brought the new mail.
    expect(ms.graph.counters.byMethod.listFolderMessages).toBe(listBefore);
    await expectLoggedExactlyOnce();
  });

  it('the popup shows when the sign-in runs out', async () => {
    const row = await mailboxRow();
    expect(row.signInExpiresAt).not.toBeNull();
    const shown = await popupMailboxText();
    expect(shown.state).toBe('Connected');
    expect(shown.expiry).toMatch(expectedExpiryText(row.signInExpiresAt!));
  });

  it('past 24 h the refresh is refused (AADSTS700084) and the sign-in renews silently; the sync goes on', async () => {
    const before = await mailboxRow();
    const silentBefore = ms.idp.counters.silentAuthorizations;
    const authorizationsBefore = ms.authorizations.length;
    const tokenResponsesBefore = ms.tokenResponses.length;
    const opened: Page[] = [];
    const onPage = (page: Page) => opened.push(page);
    env.browser.context.on('page', onPage);
    ms.clock.advance(PAST_SPA_REFRESH_LIFETIME);
    send({ key: 'after-expiry-alice', to: [{ address: alice.email }], expect: [alice.id] });

    const synced = await syncAndWait();
    expect(synced.progress?.logged).toBe(1);
    expect(synced.lastError).toBeNull();

    // Graph refused the day-old access token; the refresh was refused for the SPA lifetime...
    const answers = ms.tokenResponses.slice(tokenResponsesBefore);
    expect(answers[0]).toEqual({ status: 400, error: 'invalid_grant', errorCodes: [700084] });
    // ... then a silent sign-in (prompt=none, for the same account) and its code redeemed.
    expect(ms.idp.counters.silentAuthorizations).toBe(silentBefore + 1);
    expect(ms.authorizations.slice(authorizationsBefore)).toEqual([
      { clientId: TEST_MICROSOFT_CLIENT_ID, prompt: 'none', loginHint: ME, codeChallengeMethod: 'S256' },
    ]);
    expect(answers.slice(1).every((a) => a.status === 200)).toBe(true);
    // No window was opened for the user (an interactive sign-in's window is a page here, see below).
    env.browser.context.off('page', onPage);
    expect(opened.map((p) => p.url())).toEqual([]);

    const after = await mailboxRow();
    expect(Date.parse(after.signInExpiresAt!)).toBeGreaterThan(Date.parse(before.signInExpiresAt!));
    const shown = await popupMailboxText();
    expect(shown.state).toBe('Connected');
    expect(shown.expiry).toMatch(expectedExpiryText(after.signInExpiresAt!));
    await expectLoggedExactlyOnce();
  });

  it('without a session at the IDP the mailbox needs the user; Reconnect resumes from the saved cursor', async () => {
    ms.idp.signOut();
    ms.clock.advance(PAST_SPA_REFRESH_LIFETIME);
    const silentBefore = ms.idp.counters.silentAuthorizations;
    const authorizationsBefore = ms.authorizations.length;
    const tokenResponsesBefore = ms.tokenResponses.length;
    send({ key: 'while-signed-out-alice', to: [{ address: alice.email }], expect: [alice.id] });
    expect(await ask(env.browser, 'mailbox.syncNow', { id: mailbox.id }, popup)).toEqual({ started: 1 });
    await expect
      .poll(async () => (await mailboxRow()).state, { timeout: 30_000, interval: 250 })
      .toBe('needs_reauth');

    // The refresh was refused again, the silent sign-in was tried and answered login_required
    // (no code to redeem); nothing was logged meanwhile.
    expect(ms.tokenResponses.slice(tokenResponsesBefore)).toEqual([
      { status: 400, error: 'invalid_grant', errorCodes: [700084] },
    ]);
    expect(ms.authorizations.slice(authorizationsBefore)).toEqual([
      { clientId: TEST_MICROSOFT_CLIENT_ID, prompt: 'none', loginHint: ME, codeChallengeMethod: 'S256' },
    ]);
    expect(ms.idp.counters.silentAuthorizations).toBe(silentBefore);
    const row = await mailboxRow();
    expect(row.lastError).toMatchObject({ kind: 'auth', source: 'outlook', providerCode: 'AADSTS700084' });
    expect(JSON.stringify(row)).not.toMatch(TOKEN_PATTERN);
    const shown = await popupMailboxText();
    expect(shown.state).toBe('Needs re-authentication');
    // Who to sign in to, as whom, and why.
    expect(shown.all).toContain(
      `Microsoft ends the extension’s sign-in after 24 hours, and it could not be renewed without you (AADSTS700084), so syncing is paused. Sign in to Microsoft again as ${ME} to resume syncing; it continues where it stopped.`,
    );
    expect(shown.all).not.toMatch(TOKEN_PATTERN);
    expect(shown.expiry).toBeNull();
    expect(await loggedContactIds(crm, sent.at(-1)!.externalId)).toEqual([]);
    const cursorBefore = (await readSyncState(popup, mailbox.id)).cursor as { kind: string; link: string };
    expect(cursorBefore).toMatchObject({ kind: 'delta' });

    // The person clicks Reconnect and signs in again in the window that opens.
    const listBefore = ms.graph.counters.byMethod.listFolderMessages;
    const graphRequestsBefore = ms.graphRequests.length;
    const syncedBefore = row.lastSyncAt;
    await popup.getByRole('listitem', { name: ME }).getByRole('button', { name: 'Reconnect' }).click();
    // launchWebAuthFlow's window is a page of the browser context; it shows the IDP's sign-in.
    const findSignInWindow = () =>
      env.browser.context.pages().find((p) => p.url().startsWith(`https://${MICROSOFT_HOSTS.login}/`));
    await expect.poll(() => findSignInWindow() !== undefined, { timeout: 10_000 }).toBe(true);
    const signInWindow = findSignInWindow()!;
    await signInWindow.getByText('Choose an account to continue.').waitFor();
    ms.idp.signIn(ME);
    // Signed in, the page redirects to the extension's redirect URI and Chrome closes the window
    // (the reload may not outlive it).
    await signInWindow.reload().catch(() => undefined);
    await popup.getByText(`${ME} reconnected.`).waitFor({ timeout: 30_000 });
    await expect.poll(() => signInWindow.isClosed(), { timeout: 10_000 }).toBe(true);
    expect(ms.authorizations.at(-1)).toMatchObject({ prompt: 'select_account', codeChallengeMethod: 'S256' });

    const { mailbox: synced } = await waitForSyncedAndDelivered(env.browser, mailbox.id, {
      since: syncedBefore,
      page: popup,
    });
    expect(synced.id).toBe(mailbox.id);
    expect(synced.progress?.logged).toBe(1);
    // From the saved cursor: its deltaLink first, and no new window import.
    const deltaToken = (url: string) => new URL(url).searchParams.get('$deltatoken');
    const firstDelta = ms.graphRequests.slice(graphRequestsBefore).find((u) => u.includes('/messages/delta'));
    expect(firstDelta && deltaToken(firstDelta)).toBe(deltaToken(cursorBefore.link));
    expect(ms.graph.counters.byMethod.listFolderMessages).toBe(listBefore);
    await expectLoggedExactlyOnce();
    const again = await popupMailboxText();
    expect(again.state).toBe('Connected');
    expect(again.expiry).toMatch(expectedExpiryText((await mailboxRow()).signInExpiresAt!));
  });

  it('a "Mobile and desktop" registration is refused (AADSTS9002326) with words that say what to change', async () => {
    await configureMicrosoftApp(env.browser, ms, { clientId: TEST_MICROSOFT_DESKTOP_CLIENT_ID });
    const answersBefore = ms.tokenResponses.length;
    const reply = await sendExtensionMessage(env.browser, 'mailbox.connect', { provider: 'outlook' }, popup);
    expect(reply.ok).toBe(false);
    expect(ms.tokenResponses.slice(answersBefore)).toEqual([
      { status: 400, error: 'invalid_request', errorCodes: [9002326] },
    ]);
    // What the person reads where they connect mailboxes (the options page).
    const options = await env.browser.newPage();
    await options.goto(env.browser.extensionUrl('options.html#settings'));
    await options.getByRole('button', { name: 'Connect Microsoft mailbox' }).click();
    const alert = options.getByRole('alert').filter({ hasText: /Single-page application/i });
    await alert.waitFor({ timeout: 30_000 });
    const text = await alert.innerText();
    // The redirect URI the browser gives this extension, not a pattern.
    const redirectUri = extensionRedirectUri(env.browser);
    expect(text).toContain(`add ${redirectUri} under “Single-page application”`);
    expect(text).not.toMatch(TOKEN_PATTERN);
    // The same URI, with a Copy button, where the admin enters the app registration.
    await expect
      .poll(() => options.getByTestId('redirect-uri-microsoft').innerText(), { timeout: 10_000 })
      .toBe(redirectUri);
    expect(await options.getByRole('button', { name: 'Copy the Microsoft redirect URI' }).count()).toBe(1);
    await options.close();
    // The connected mailbox is untouched.
    expect((await mailboxRow()).state).toBe('connected');
  });

  it('raised no errors in extension pages', () => {
    expect(env.browser.pageErrors.filter((e) => e.startsWith('chrome-extension://'))).toEqual([]);
  });
});
