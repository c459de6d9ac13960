import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailboxAuthError } from '../../../lib/auth/MailboxAuthError';
import { GMAIL_SCOPES } from '../../../lib/auth/OAuthProviders';
import type { CrmSidebarBackground } from '../../../lib/background/CrmSidebarBackground';
import { composeBackground } from '../../../lib/background/composeBackground';
import type { MailboxService } from '../../../lib/background/MailboxService';
import { CrmError } from '../../../lib/crm/CrmError';
import { GmailApiClient } from '../../../lib/mail/gmail/api/GmailApiClient';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { FakeCrmConnector } from '../../fakes/FakeCrmConnector';
import { FakeGmailApi, type FakeGmailHeader } from '../../fakes/FakeGmailApi';
import { FakeOauthServer } from '../../fakes/FakeOauthServer';
import { memorySessionArea } from '../../fakes/memorySessionArea';

const ME = 'riley@ourco.example';
const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const GOOGLE_CLIENT = '123-abc.apps.googleusercontent.com';
// Made up, in the shape of a Google client secret.
const GOOGLE_SECRET = 'GOCSPX-fake0secret0for0tests00';
const ALICE = 'alice@customer.example';
let dbCounter = 0;
let idCounter = 0;

function headers(from: string, to: string, subject: string): FakeGmailHeader[] {
  return [
    { name: 'From', value: from },
    { name: 'To', value: to },
    { name: 'Subject', value: subject },
    { name: 'Date', value: new Date(Date.now() - 3_600_000).toUTCString() },
    { name: 'Message-ID', value: `<marks-${++idCounter}-${Date.now()}@mail.example>` },
  ];
}

describe('Mailbox marks: Gmail labels and archiving for logged mail, with incremental consent', () => {
  let db: CrmSidebarDb;
  let crm: FakeCrmConnector;
  let gmail: FakeGmailApi;
  let idp: FakeOauthServer;
  let background: CrmSidebarBackground;
  let service: MailboxService;
  let flow: ReturnType<FakeOauthServer['webAuthFlow']>;

  beforeEach(async () => {
    db = openCrmSidebarDb(`mailbox-marks-${++dbCounter}`);
    crm = new FakeCrmConnector();
    gmail = new FakeGmailApi({ enforceQuota: true });
    idp = new FakeOauthServer({
      provider: 'google',
      clients: [{ clientId: GOOGLE_CLIENT, clientSecret: GOOGLE_SECRET, redirectUris: [REDIRECT] }],
      onAccessToken: (token, subject, scope, expiresIn) =>
        gmail.issueAccessToken(subject, {
          token,
          expiresInMs: expiresIn * 1000,
          scopes: scope.split(' ').filter(Boolean),
        }),
    });
    const [gmailUrl] = await Promise.all([gmail.start(), idp.start()]);
    flow = idp.webAuthFlow(REDIRECT, ME);
    // Built as the extension builds it: marks settle after each delivery, clicks are remembered.
    const composed = composeBackground({
      db,
      version: 'test',
      webAuthFlow: flow,
      sessionArea: memorySessionArea(),
      scheduleOutboxDrain: async () => {},
      openOptionsPage: async () => {},
      createConnector: () => crm,
      mailboxOptions: {
        apiBaseUrls: { gmail: gmailUrl },
        oauthEndpoints: {
          gmail: { authorizationEndpoint: idp.authorizationEndpoint, tokenEndpoint: idp.tokenEndpoint },
        },
        allowInsecureOAuth: true,
      },
    });
    background = composed.service;
    service = composed.mailboxes;
    await background.updateSettings({
      crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' },
      oauth: {
        googleClientId: GOOGLE_CLIENT,
        microsoftClientId: '',
        microsoftTenant: 'common',
        tokenExchangeUrl: '',
      },
      historicalImportDays: 30,
      autoLogReceived: true,
    });
    await service.setClientSecret('gmail', GOOGLE_SECRET);
    gmail.addMailbox(ME);
    crm.addContact({ name: 'Alice Doe', emails: [ALICE] });
  });
  afterEach(async () => {
    await Promise.all([gmail.stop(), idp.stop()]);
    db.close();
  });

  /** A received message from Alice (logged), a sent one to her (logged), a received one from a stranger (skipped). */
  function seedMail() {
    const received = gmail.sendMessage(ME, {
      labelIds: ['INBOX', 'UNREAD'],
      headers: headers(`Alice Doe <${ALICE}>`, ME, 'Question'),
    });
    const sent = gmail.sendMessage(ME, { labelIds: ['SENT'], headers: headers(ME, ALICE, 'Answer') });
    const stranger = gmail.sendMessage(ME, {
      labelIds: ['INBOX'],
      headers: headers('Quinn <quinn@nowhere.example>', ME, 'Hello'),
    });
    return { received, sent, stranger };
  }

  const labelsOf = (id: string) => gmail.messages(ME).find((m) => m.id === id)?.labelIds ?? [];

  async function connectAndSync() {
    const { id } = await service.connect('gmail');
    await service.syncMailbox(id);
    await background.drainOutbox();
    return id;
  }

  it('connects read-only while the option is off, and writes nothing to the mailbox', async () => {
    const mail = seedMail();
    const id = await connectAndSync();
    expect(flow.launches[0]?.url).not.toContain('gmail.modify');
    expect(await service.hasWriteAccess(id)).toBe(false);
    expect(labelsOf(mail.received.id)).toEqual(['INBOX', 'UNREAD']);
    expect(gmail.counters.byMethod.messagesBatchModify).toBe(0);
    // The thread-list marker needs no write access: the logged threads are known.
    const answer = await service.loggedThreads('gmail', ME, [
      mail.received.threadId,
      mail.sent.threadId,
      mail.stranger.threadId,
    ]);
    expect(answer.marker).toBe(true);
    expect(answer.threadIds.sort()).toEqual([mail.received.threadId, mail.sent.threadId].sort());
  });

  it('asks for gmail.modify only when turned on (incremental, same account), then labels logged mail and archives received mail only', async () => {
    const id = await service.connect('gmail');
    await service.syncMailbox(id.id);
    await background.updateSettings({ mailboxMarks: { labelLogged: true, archiveLogged: true } });
    const [access] = await service.grantWriteAccess();
    const consent = new URL(flow.launches.at(-1)!.url);
    expect(consent.searchParams.get('scope')).toContain(GMAIL_SCOPES.modify);
    expect(consent.searchParams.get('include_granted_scopes')).toBe('true');
    expect(consent.searchParams.get('login_hint')).toBe(ME);
    expect(access).toMatchObject({ mailboxId: `gmail:${ME}`, granted: true, refusal: null });

    const mail = seedMail();
    await service.syncMailbox(id.id);
    await background.drainOutbox();

    const label = gmail.userLabels(ME).find((l) => l.name === 'CRM/Logged');
    expect(label).toBeDefined();
    // Received and logged: labelled and out of the inbox.
    expect(labelsOf(mail.received.id)).toEqual(['UNREAD', label!.id]);
    // Sent and logged: labelled, never archived (it was never in the inbox either).
    expect(labelsOf(mail.sent.id)).toEqual(['SENT', label!.id]);
    // Skipped (nobody in the CRM): untouched, still in the inbox.
    expect(labelsOf(mail.stranger.id)).toEqual(['INBOX']);
    expect(gmail.counters.scopeRejections).toBe(0);
    // One label lookup, one creation, and one batchModify per distinct change (not per message).
    expect(gmail.counters.byMethod.labelsCreate).toBe(1);
    expect(gmail.counters.byMethod.messagesBatchModify).toBeLessThanOrEqual(2);
    // With the label showing in Gmail, the thread list draws no second marker.
    expect((await service.loggedThreads('gmail', ME, [mail.received.threadId])).marker).toBe(false);

    // A second pass changes nothing more.
    const calls = gmail.counters.byMethod.messagesBatchModify;
    await service.syncMailbox(id.id);
    await background.drainOutbox();
    expect(gmail.counters.byMethod.messagesBatchModify).toBe(calls);
  });

  it('never archives or labels mail whose delivery failed', async () => {
    await background.updateSettings({ mailboxMarks: { labelLogged: true, archiveLogged: true } });
    const { id } = await service.connect('gmail');
    expect(await service.hasWriteAccess(id)).toBe(true);
    await service.syncMailbox(id);
    const mail = seedMail();
    // The CRM refuses every delivery: the outbox parks the items as failed.
    crm.faultInjector = (call) =>
      call.method === 'logActivities' && call.phase === 'before'
        ? new CrmError('invalid_request', 'refused', { status: 400 })
        : undefined;
    await service.syncMailbox(id);
    await background.drainOutbox();
    expect(labelsOf(mail.received.id)).toEqual(['INBOX', 'UNREAD']);
    expect(labelsOf(mail.sent.id)).toEqual(['SENT']);
    expect(gmail.counters.byMethod.messagesBatchModify).toBe(0);
  });

  it('keeps working read-only when the box is left unticked, and says why', async () => {
    const { id } = await service.connect('gmail');
    await service.syncMailbox(id);
    await background.updateSettings({ mailboxMarks: { labelLogged: true } });
    idp.declineScopes(GMAIL_SCOPES.modify);
    const [access] = await service.grantWriteAccess(id);
    expect(access).toMatchObject({ granted: false, refusal: { kind: 'cancelled' } });
    expect(access?.refusal?.message).toMatch(/did not grant/);

    const mail = seedMail();
    await service.syncMailbox(id);
    await background.drainOutbox();
    // Logged as before, nothing written, the mailbox still connected.
    expect(crm.activities.some((a) => a.direction === 'incoming')).toBe(true);
    expect(labelsOf(mail.received.id)).toEqual(['INBOX', 'UNREAD']);
    expect((await db.mailboxes.get(id))?.status).toBe('connected');
    expect(gmail.counters.byMethod.messagesBatchModify).toBe(0);
    // The thread list shows the marker instead.
    expect((await service.loggedThreads('gmail', ME, [mail.received.threadId])).threadIds).toEqual([
      mail.received.threadId,
    ]);
  });
});

describe('FakeGmailApi refuses writes without gmail.modify, as Gmail does', () => {
  it('answers 403 insufficientPermissions, which the client reads as insufficient_scope', async () => {
    const gmail = new FakeGmailApi();
    const url = await gmail.start();
    try {
      const token = gmail.issueAccessToken(ME, { scopes: [GMAIL_SCOPES.readonly] });
      const client = new GmailApiClient({
        mailboxId: `gmail:${ME}`,
        getAccessToken: async () => token,
        baseUrl: url,
      });
      await expect(client.listLabels()).resolves.toEqual(
        expect.arrayContaining([expect.objectContaining({ id: 'INBOX' })]),
      );
      const error = await client.createLabel('CRM/Logged').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MailboxAuthError);
      expect((error as MailboxAuthError).reason).toBe('insufficient_scope');
      const raw = await fetch(`${url}/gmail/v1/users/me/messages/batchModify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ids: ['x'], removeLabelIds: ['INBOX'] }),
      });
      expect(raw.status).toBe(403);
      expect(await raw.json()).toMatchObject({
        error: {
          code: 403,
          message: 'Request had insufficient authentication scopes.',
          errors: [{ reason: 'insufficientPermissions' }],
          status: 'PERMISSION_DENIED',
        },
      });
      expect(raw.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    } finally {
      await gmail.stop();
    }
  });
});
