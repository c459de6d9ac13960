import { execSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxStatus } from '../../lib/messaging/messages';
import { SEED } from '../../server/seed';
import type { FakeGmailHeader } from '../fakes/FakeGmailApi';
import { contentScriptWorld } from './harness/contentScriptWorld';
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
import {
  createMicrosoftFakes,
  type MicrosoftFakes,
  TEST_MICROSOFT_CLIENT_ID,
  TEST_MICROSOFT_TENANT,
} from './harness/microsoftFakes';
import { loggedContactIds, type ReferenceCrm, startReferenceCrm } from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

const ME = SEED.demoUser.email;
const alice = SEED.contacts.primary;
/** Sends measured one after another, from the send to the CRM holding the activity. */
const LATENCY_SAMPLES = 12;

let counter = 0;
function messageId(): { header: string; externalId: string } {
  const local = `CAMARKS-${++counter}-${Date.now().toString(36)}`;
  return { header: `<${local}@mail.gmail.com>`, externalId: `${local}@mail.gmail.com`.toLowerCase() };
}

function gmailHeaders(from: string, to: string, subject: string, id: string): FakeGmailHeader[] {
  return [
    { name: 'From', value: from },
    { name: 'To', value: to },
    { name: 'Subject', value: subject },
    { name: 'Date', value: new Date(Date.now() - 60_000).toUTCString().replace('GMT', '+0000') },
    { name: 'Message-ID', value: id },
  ];
}

function percentile(sorted: number[], p: number): number {
  // Nearest-rank percentile.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

describe('The mailbox shows what reached the CRM (built extension, Chromium, provider fakes)', () => {
  let env: E2eEnvironment;
  let crm: ReferenceCrm;
  let google: GoogleFakes;
  let ms: MicrosoftFakes;
  let popup: Page;
  let gmailBox: MailboxStatus;

  beforeAll(async () => {
    crm = await startReferenceCrm();
    google = createGoogleFakes(ME);
    ms = createMicrosoftFakes(ME);
    env = await startE2eEnvironment({ extraRoutes: { ...google.routes, ...ms.routes } });
    await configureCrm(env.browser, crm.handle.url, crm.handle.token);
    google.idp.registerRedirectUri(TEST_GOOGLE_CLIENT_ID, extensionRedirectUri(env.browser));
    ms.idp.registerRedirectUri(TEST_MICROSOFT_CLIENT_ID, extensionRedirectUri(env.browser));
    await ask(env.browser, 'settings.update', {
      patch: {
        oauth: {
          googleClientId: TEST_GOOGLE_CLIENT_ID,
          microsoftClientId: TEST_MICROSOFT_CLIENT_ID,
          microsoftTenant: TEST_MICROSOFT_TENANT,
        },
        historicalImportDays: 30,
        autoLogReceived: true,
        syncFrequencyMinutes: 1,
      },
    });
    await ask(env.browser, 'oauth.clientSecret.set', {
      provider: 'gmail',
      secret: TEST_GOOGLE_CLIENT_SECRET,
    });
    popup = await env.browser.newPage();
    await popup.goto(env.browser.extensionUrl('popup.html'));
  });
  afterAll(async () => {
    await env?.close();
    await crm?.close();
  });

  it('connects Gmail read-only, then asks for gmail.modify only when labels are turned on', async () => {
    gmailBox = await ask<MailboxStatus>(env.browser, 'mailbox.connect', { provider: 'gmail' }, popup);
    await waitForSyncedAndDelivered(env.browser, gmailBox.id, { page: popup });
    expect(google.idp.tokenRequests.at(-1)?.form.get('grant_type')).toBe('authorization_code');
    const access = await ask<{ mailboxes: { granted: boolean }[] }>(
      env.browser,
      'mailbox.writeAccess.get',
      {},
      popup,
    );
    expect(access.mailboxes.find((m) => m)).toMatchObject({ granted: false });

    await ask(
      env.browser,
      'settings.update',
      { patch: { mailboxMarks: { labelLogged: true, archiveLogged: true } } },
      popup,
    );
    const granted = await ask<{ mailboxes: { mailboxId: string; granted: boolean }[] }>(
      env.browser,
      'mailbox.writeAccess.request',
      { id: gmailBox.id },
      popup,
    );
    expect(granted.mailboxes.find((m) => m.mailboxId === gmailBox.id)).toMatchObject({ granted: true });
  });

  it('labels logged Gmail messages and archives the received one; skipped mail stays as it was', async () => {
    const fromAlice = messageId();
    const toAlice = messageId();
    const stranger = messageId();
    const received = google.gmail.sendMessage(ME, {
      labelIds: ['INBOX', 'UNREAD'],
      headers: gmailHeaders(`${alice.name} <${alice.email}>`, ME, 'Marks: question', fromAlice.header),
    });
    const sent = google.gmail.sendMessage(ME, {
      labelIds: ['SENT'],
      headers: gmailHeaders(ME, alice.email, 'Marks: answer', toAlice.header),
    });
    const unknown = google.gmail.sendMessage(ME, {
      labelIds: ['INBOX'],
      headers: gmailHeaders(
        'Quinn <quinn.doe@unknown-prospect.example>',
        ME,
        'Marks: hello',
        stranger.header,
      ),
    });
    const before = (await ask<{ mailboxes: MailboxStatus[] }>(env.browser, 'status.get', {}, popup))
      .mailboxes[0]?.lastSyncAt;
    await ask(env.browser, 'mailbox.syncNow', { id: gmailBox.id }, popup);
    await waitForSyncedAndDelivered(env.browser, gmailBox.id, { since: before, page: popup });
    expect(await loggedContactIds(crm, fromAlice.externalId)).toEqual([alice.id]);
    expect(await loggedContactIds(crm, toAlice.externalId)).toEqual([alice.id]);

    const labelsOf = (id: string) => google.gmail.messages(ME).find((m) => m.id === id)?.labelIds ?? [];
    await expect
      .poll(() => google.gmail.userLabels(ME).map((l) => l.name), { timeout: 15_000 })
      .toEqual(['CRM/Logged']);
    const labelId = google.gmail.userLabels(ME)[0]!.id;
    await expect.poll(() => labelsOf(received.id), { timeout: 15_000 }).toEqual(['UNREAD', labelId]);
    expect(labelsOf(sent.id)).toEqual(['SENT', labelId]);
    expect(labelsOf(unknown.id)).toEqual(['INBOX']);
    expect(google.gmail.counters.scopeRejections).toBe(0);
    expect(google.gmail.schemaViolations).toEqual([]);
  });

  it('measures send-to-logged latency: a compose send starts a sync pass at once', async () => {
    const gmailTab = await env.browser.newPage();
    await gmailTab.goto('https://mail.google.com/mail/u/0/#inbox');
    const world = await contentScriptWorld(gmailTab, env.browser.extensionId);
    const toCrm: number[] = [];
    const toLabel: number[] = [];
    const labelId = google.gmail.userLabels(ME)[0]!.id;
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const id = messageId();
      const t0 = performance.now();
      // The send: Gmail files the message under Sent, and the compose view reports it to the
      // background as the Gmail tab does when it could not read the Message-ID itself.
      const message = google.gmail.sendMessage(ME, {
        labelIds: ['SENT'],
        headers: gmailHeaders(ME, alice.email, `Latency ${i}`, id.header),
      });
      const request = {
        message: {
          provider: 'gmail',
          mailbox: ME,
          providerMessageId: message.id,
          providerThreadId: message.threadId,
          messageId: null,
          messageIdSource: 'none',
          from: { name: SEED.demoUser.name, address: ME },
          to: [{ name: alice.name, address: alice.email }],
          subject: `Latency ${i}`,
          date: new Date().toISOString(),
          folderRole: 'sent',
        },
        bcc: [],
        accountIndex: 0,
      };
      const reply = await world.evaluate<{ ok: boolean }>(
        `chrome.runtime.sendMessage(${JSON.stringify({ type: 'gmail.sent.log', payload: request })})`,
      );
      expect(reply.ok).toBe(true);
      let logged = Number.NaN;
      for (const deadline = t0 + 30_000; performance.now() < deadline; ) {
        if (Number.isNaN(logged) && (await loggedContactIds(crm, id.externalId)).length > 0)
          logged = performance.now() - t0;
        if (!Number.isNaN(logged) && message.labelIds.includes(labelId)) {
          toLabel.push(performance.now() - t0);
          break;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(logged).not.toBeNaN();
      toCrm.push(logged);
    }
    await world.close();
    await gmailTab.close();
    const sortedCrm = [...toCrm].sort((a, b) => a - b);
    const sortedLabel = [...toLabel].sort((a, b) => a - b);
    const load = execSync('uptime').toString().trim();
    console.log(
      `[latency] send -> logged in the CRM, ${sortedCrm.length} sends: p50 ${percentile(sortedCrm, 50).toFixed(0)} ms, p95 ${percentile(sortedCrm, 95).toFixed(0)} ms (max ${sortedCrm.at(-1)?.toFixed(0)} ms); send -> Gmail label: p50 ${percentile(sortedLabel, 50).toFixed(0)} ms, p95 ${percentile(sortedLabel, 95).toFixed(0)} ms; target: well inside the 1-minute sync period; load: ${load}`,
    );
    expect(sortedLabel).toHaveLength(LATENCY_SAMPLES);
    // The compose send must beat the periodic alarm (at best 30 s in Chrome) by far.
    expect(percentile(sortedCrm, 95)).toBeLessThan(30_000);
    // The sync stayed inside Gmail's per-user quota the whole time.
    expect(google.gmail.counters.quotaRejections).toBe(0);
  });

  it('gives a logged Outlook message the category through Graph once Mail.ReadWrite is granted', async () => {
    const outlookBox = await ask<MailboxStatus>(
      env.browser,
      'mailbox.connect',
      { provider: 'outlook' },
      popup,
    );
    // Marks are on, so the sign-in asked for Mail.ReadWrite along with reading (Graph refuses the PATCH otherwise).
    await waitForSyncedAndDelivered(env.browser, outlookBox.id, { page: popup });
    const local = `E2E-MARKS-${Date.now().toString(36)}`;
    const when = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const sent = ms.graph.sendMessage(ME, {
      internetMessageId: `<${local}@EXAMPLEPR01MB1234.namprd01.prod.outlook.example>`,
      subject: 'Marks: Outlook',
      from: { name: SEED.demoUser.name, address: ME },
      toRecipients: [{ name: alice.name, address: alice.email }],
      sentDateTime: when,
      receivedDateTime: when,
    });
    const before = (
      await ask<{ mailboxes: MailboxStatus[] }>(env.browser, 'status.get', {}, popup)
    ).mailboxes.find((m) => m.id === outlookBox.id)?.lastSyncAt;
    await ask(env.browser, 'mailbox.syncNow', { id: outlookBox.id }, popup);
    await waitForSyncedAndDelivered(env.browser, outlookBox.id, { since: before, page: popup });
    await expect
      .poll(() => ms.graph.messages(ME).find((m) => m.id === sent.id)?.categories ?? [], { timeout: 15_000 })
      .toEqual(['Logged to CRM']);
    // Sent mail is never moved to Archive.
    expect(ms.graph.messages(ME).find((m) => m.id === sent.id)?.folder).toBe('sentitems');
    expect(ms.graph.counters.scopeRejections).toBe(0);
  });

  it('raised no errors in extension pages', () => {
    expect(env.browser.pageErrors.filter((e) => e.startsWith('chrome-extension://'))).toEqual([]);
  });
});
