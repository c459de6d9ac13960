import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmSidebarBackground } from '../../../lib/background/CrmSidebarBackground';
import { MailboxService } from '../../../lib/background/MailboxService';
import { describeError } from '../../../lib/errors/describeError';
import { toErrorInfo } from '../../../lib/errors/toErrorInfo';
import { MailMessage } from '../../../lib/mail/MailMessage';
import { normaliseMessageId } from '../../../lib/mail/normaliseMessageId';
import { parseAddressList } from '../../../lib/mail/parseAddressList';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { extensionFetch } from '../../fakes/extensionFetch';
import { FakeCrmConnector } from '../../fakes/FakeCrmConnector';
import { FakeGmailApi } from '../../fakes/FakeGmailApi';
import { FakeGraphApi } from '../../fakes/FakeGraphApi';
import { FakeOauthServer } from '../../fakes/FakeOauthServer';
import { backgroundForTest } from './backgroundForTest';

const EMAIL = 'riley@ourco.example';
const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const GOOGLE_CLIENT = '123-abc.apps.googleusercontent.com';
// Made up, in the shape of a Google client secret.
const GOOGLE_SECRET = 'GOCSPX-fake0secret0for0tests00';
let dbCounter = 0;

describe('MailboxService: connect, sync sent mail, re-authentication', () => {
  let db: CrmSidebarDb;
  let crm: FakeCrmConnector;
  let gmail: FakeGmailApi;
  let idp: FakeOauthServer;
  let background: CrmSidebarBackground;
  let service: MailboxService;

  beforeEach(async () => {
    db = openCrmSidebarDb(`mailbox-service-${++dbCounter}`);
    crm = new FakeCrmConnector();
    gmail = new FakeGmailApi({ enforceQuota: true });
    idp = new FakeOauthServer({
      provider: 'google',
      clients: [{ clientId: GOOGLE_CLIENT, clientSecret: GOOGLE_SECRET, redirectUris: [REDIRECT] }],
      onAccessToken: (token, subject, _scope, expiresIn) =>
        gmail.issueAccessToken(subject, { token, expiresInMs: expiresIn * 1000 }),
    });
    const [gmailUrl] = await Promise.all([gmail.start(), idp.start()]);
    background = backgroundForTest({
      db,
      version: 'test',
      createConnector: () => crm,
      clickDrainMaxWaitMs: 0,
    });
    await background.updateSettings({
      crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' },
      oauth: {
        googleClientId: GOOGLE_CLIENT,
        microsoftClientId: '',
        microsoftTenant: 'common',
        tokenExchangeUrl: '',
      },
      historicalImportDays: 30,
    });
    service = new MailboxService({
      db,
      background,
      webAuthFlow: idp.webAuthFlow(REDIRECT, EMAIL),
      apiBaseUrls: { gmail: gmailUrl },
      oauthEndpoints: {
        gmail: { authorizationEndpoint: idp.authorizationEndpoint, tokenEndpoint: idp.tokenEndpoint },
      },
      allowInsecureOAuth: true,
    });
    await service.setClientSecret('gmail', GOOGLE_SECRET);
  });
  afterEach(async () => {
    await Promise.all([gmail.stop(), idp.stop()]);
    db.close();
  });

  /** Every To/Cc recipient of the seeded mail becomes a CRM contact. */
  function addRecipientsAsContacts(): Set<string> {
    const seen = new Set<string>();
    for (const m of gmail.messages(EMAIL)) {
      for (const h of m.headers.filter((x) => /^(to|cc)$/i.test(x.name))) {
        for (const a of parseAddressList(h.value)) {
          if (seen.has(a.address)) continue;
          seen.add(a.address);
          crm.addContact({ name: a.name || a.address, emails: [a.address] });
        }
      }
    }
    return seen;
  }

  function expectedLoggable(): number {
    return gmail
      .messages(EMAIL)
      .filter((m) => m.labelIds.includes('SENT') && m.headers.some((h) => /^message-id$/i.test(h.name)))
      .map((m) => normaliseMessageId(m.headers.find((h) => /^message-id$/i.test(h.name))!.value)).length;
  }

  it('connects with PKCE, imports the window of sent mail once, and never logs a message twice', async () => {
    gmail.addMailbox(EMAIL);
    gmail.seedSentMessages(EMAIL, 40, { spacingMs: 3_600_000, missingMessageIdRatio: 0.1 });
    addRecipientsAsContacts();

    const status = await service.connect('gmail');
    expect(status).toMatchObject({ id: `gmail:${EMAIL}`, address: EMAIL, primary: true });
    await service.syncMailbox(status.id);
    await background.drainOutbox();

    const externalIds = new Set(crm.activities.map((a) => a.externalId));
    expect(externalIds.size).toBe(expectedLoggable());
    const perKey = new Set(crm.activities.map((a) => `${a.externalId} ${a.contactId}`));
    expect(perKey.size).toBe(crm.activities.length);
    expect(crm.activities.every((a) => a.direction === 'outgoing' && a.source === 'gmail')).toBe(true);
    expect(crm.activities.every((a) => a.body === undefined)).toBe(true);

    // New mail arrives: the next pass (history) logs only it.
    const before = crm.activities.length;
    gmail.seedSentMessages(EMAIL, 3, { missingMessageIdRatio: 0 });
    addRecipientsAsContacts();
    await service.syncMailbox(status.id);
    await background.drainOutbox();
    expect(new Set(crm.activities.map((a) => a.externalId)).size).toBe(expectedLoggable());
    expect(crm.activities.length).toBeGreaterThan(before);

    // An expired history id falls back to a re-scan; the registry keeps it from doubling.
    const total = crm.activities.length;
    gmail.expireHistory(EMAIL);
    await service.syncMailbox(status.id);
    await background.drainOutbox();
    expect(crm.activities.length).toBe(total);

    const described = service.statusOf((await db.mailboxes.get(status.id))!);
    expect(described.state).toBe('connected');
    expect(described.progress?.skipped ?? 0).toBeGreaterThanOrEqual(0);
    expect(described.lastSyncAt).not.toBeNull();
  });

  it('marks the mailbox "needs re-authentication" when consent is revoked, and a reconnect resumes', async () => {
    gmail.addMailbox(EMAIL);
    gmail.seedSentMessages(EMAIL, 5, { missingMessageIdRatio: 0 });
    addRecipientsAsContacts();
    const { id } = await service.connect('gmail');
    await service.syncMailbox(id);
    const cursor = await db.syncCursors.get(id);
    expect(cursor).toBeDefined();

    idp.revokeGrant(EMAIL);
    for (const token of await db.tokens.toArray()) gmail.revokeAccessToken(token.accessToken as string);
    await db.tokens.update(id, { expiresAt: 0 });
    await service.syncMailbox(id);
    const row = await db.mailboxes.get(id);
    expect(row?.status).toBe('needs_reauth');
    expect(row?.lastError).toMatchObject({ kind: 'auth', source: 'gmail' });
    expect(JSON.stringify(row?.lastError)).not.toMatch(/ya29|token_[a-z0-9]{8}/i);
    expect(service.statusOf(row!).state).toBe('needs_reauth');

    const reconnected = await service.connect('gmail');
    expect(reconnected.id).toBe(id);
    await service.syncMailbox(id);
    expect((await db.mailboxes.get(id))?.status).toBe('connected');
    expect((await db.syncCursors.get(id))?.cursor).toBeDefined();
  });

  it('asks for the Google client secret before opening a sign-in window, and never shows it', async () => {
    await service.setClientSecret('gmail', '');
    const flow = idp.webAuthFlow(REDIRECT, EMAIL);
    const error = await service.connect('gmail').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'not_configured' });
    expect((error as Error).message).toMatch(/client secret/);
    // Worded as the mailbox's set-up, not as the CRM's ("Add its address and your token").
    expect(describeError(toErrorInfo(error), 'mailbox')).toEqual({
      kind: 'not_configured',
      title: 'Google sign-in is not set up',
      text: 'Google needs the client secret of your OAuth client at sign-in and at every refresh. Store it under Mail provider apps (“Google client secret”), or set a token exchange server that adds it.',
      action: 'open_settings',
    });
    expect(flow.launches).toHaveLength(0);
    expect(await service.clientSecretStatus()).toEqual({ gmail: false, outlook: false });

    await service.setClientSecret('gmail', ` ${GOOGLE_SECRET} `);
    expect(await service.clientSecretStatus()).toEqual({ gmail: true, outlook: false });
    gmail.addMailbox(EMAIL);
    const { id } = await service.connect('gmail');
    // The refresh carries the secret too (Google refuses it otherwise).
    await db.tokens.update(id, { expiresAt: 0 });
    await service.syncMailbox(id);
    expect((await db.mailboxes.get(id))?.status).toBe('connected');
    expect(idp.counters.refreshGrants).toBe(1);
    expect(idp.tokenErrors).toEqual([]);
    const settings = JSON.stringify(await background.getSettings());
    expect(settings).not.toContain(GOOGLE_SECRET);
    const events = JSON.stringify(await db.events.toArray());
    expect(events).not.toContain(GOOGLE_SECRET);
  });

  it('disconnect stops syncing and keeps what was logged', async () => {
    gmail.addMailbox(EMAIL);
    gmail.seedSentMessages(EMAIL, 4, { missingMessageIdRatio: 0 });
    addRecipientsAsContacts();
    const { id } = await service.connect('gmail');
    await service.syncMailbox(id);
    await background.drainOutbox();
    const logged = crm.activities.length;
    await service.disconnect(id);
    gmail.seedSentMessages(EMAIL, 2, { missingMessageIdRatio: 0 });
    addRecipientsAsContacts();
    expect(await service.syncNow()).toBe(0);
    expect(crm.activities.length).toBe(logged);
    expect(await db.tokens.get(id)).toBeUndefined();
  });

  /** One sent message to `to`, as Gmail stores it (RFC 5322 header names). */
  function send(subject: string, localId: string, to: string[], cc: string[] = []) {
    gmail.sendMessage(EMAIL, {
      headers: [
        { name: 'From', value: `Riley Rep <${EMAIL}>` },
        { name: 'To', value: to.join(', ') },
        ...(cc.length > 0 ? [{ name: 'Cc', value: cc.join(', ') }] : []),
        { name: 'Subject', value: subject },
        { name: 'Date', value: new Date().toUTCString() },
        { name: 'Message-ID', value: `<${localId}@mail.ourco.example>` },
      ],
    });
  }
  const statusOf = async (id: string) => service.statusOf((await db.mailboxes.get(id))!);

  it('moves the cursor past a message the CRM contract refuses: set aside once, never retried, later mail logged', async () => {
    gmail.addMailbox(EMAIL);
    crm.addContact({ name: 'Pat Buyer', emails: ['pat@buyer.example'] });
    send('Before the bad one', 'before', ['Pat Buyer <pat@buyer.example>']);
    // A NUL in the subject: the CRM contract refuses it (docs/SECURITY.md), on every retry.
    send('Pricing\u0000 update', 'refused', ['Pat Buyer <pat@buyer.example>']);
    send('After the bad one', 'after', ['Pat Buyer <pat@buyer.example>']);
    const { id } = await service.connect('gmail');

    await service.syncMailbox(id);
    await background.drainOutbox();
    const subjects = () => crm.activities.map((a) => a.subject).sort();
    expect(subjects()).toEqual(['After the bad one', 'Before the bad one']);
    expect((await statusOf(id)).skippedReasons).toEqual({ refused_by_crm: 1 });
    expect((await db.events.where('kind').equals('sync.set_aside').toArray()).length).toBe(1);

    // The next pass starts after it: the refused message is not read or set aside again, new mail is logged.
    send('Later mail', 'later', ['Pat Buyer <pat@buyer.example>']);
    await service.syncMailbox(id);
    await background.drainOutbox();
    expect(subjects()).toEqual(['After the bad one', 'Before the bad one', 'Later mail']);
    expect((await statusOf(id)).skippedReasons).toEqual({});
    expect((await statusOf(id)).progress).toMatchObject({ logged: 1, skipped: 0 });
    expect((await db.events.where('kind').equals('sync.set_aside').toArray()).length).toBe(1);
    expect((await db.mailboxes.get(id))?.lastError).toBeUndefined();
  });

  it('never cuts recipients silently: a 620-recipient message is logged with 500 and the cut is recorded and shown', async () => {
    gmail.addMailbox(EMAIL);
    const to = Array.from({ length: 620 }, (_, i) => `Person ${i} <person${i}@buyer.example>`);
    // Two contacts, one past the 500 the activity keeps: both get the email.
    const first = crm.addContact({ name: 'Person 0', emails: ['person0@buyer.example'] });
    const late = crm.addContact({ name: 'Person 555', emails: ['person555@buyer.example'] });
    send('All hands', 'all-hands', to);
    const { id } = await service.connect('gmail');
    await service.syncMailbox(id);
    await background.drainOutbox();

    expect(crm.activities.map((a) => a.contactId).sort()).toEqual([first.id, late.id].sort());
    expect(crm.activities.every((a) => a.to.length === 500)).toBe(true);
    expect((await statusOf(id)).recipientsCut).toBe(1);
    const [cut] = await db.events.where('kind').equals('sync.recipients_cut').toArray();
    expect(cut?.level).toBe('warn');
    expect(cut?.message).toContain('120 more (of 620 To, 0 Cc)');
  });

  it('logs a received helpdesk reply to mail the pass read in Sent, and skips the same headers answering nothing of the rep', async () => {
    gmail.addMailbox(EMAIL);
    await background.updateSettings({ autoLogReceived: true });
    const support = crm.addContact({ name: 'Globex Support', emails: ['support@globex.example'] });
    // Riley sends as the team alias (Gmail "Send mail as"): the reply goes to the alias, not
    // to a connected mailbox, so only the Message-ID it answers says it answers Riley.
    gmail.sendMessage(EMAIL, {
      threadId: 't-4411',
      headers: [
        { name: 'From', value: 'Sales at Ourco <sales@ourco.example>' },
        { name: 'To', value: 'Globex Support <support@globex.example>' },
        { name: 'Subject', value: 'Order 4411 arrived damaged' },
        { name: 'Date', value: new Date().toUTCString() },
        { name: 'Message-ID', value: '<order-4411@mail.ourco.example>' },
      ],
    });
    // Zendesk stamps these on all its outbound mail, agents' replies included
    // (https://support.zendesk.com/hc/en-us/articles/4408836366362).
    const helpdeskReply = (messageId: string, inReplyTo: string, threadId: string) =>
      gmail.sendMessage(EMAIL, {
        labelIds: ['INBOX', 'UNREAD', 'CATEGORY_PERSONAL'],
        threadId,
        headers: [
          { name: 'From', value: 'Dana (Globex Support) <support@globex.example>' },
          { name: 'To', value: 'Sales at Ourco <sales@ourco.example>' },
          { name: 'Subject', value: 'Re: Order 4411 arrived damaged' },
          { name: 'Date', value: new Date().toUTCString() },
          { name: 'Message-ID', value: `<${messageId}>` },
          { name: 'In-Reply-To', value: `<${inReplyTo}>` },
          { name: 'References', value: `<${inReplyTo}>` },
          { name: 'Auto-Submitted', value: 'auto-generated' },
          { name: 'X-Auto-Response-Suppress', value: 'All' },
          { name: 'X-Mailer', value: 'Zendesk Mailer' },
        ],
      });
    helpdeskReply('reply-4411@globex.example', 'order-4411@mail.ourco.example', 't-4411');
    helpdeskReply('reply-9000@globex.example', 'ticket-9000@globex.example', 't-9000');
    const { id } = await service.connect('gmail');
    await service.syncMailbox(id);
    await background.drainOutbox();

    expect(crm.activities.map((a) => [a.externalId, a.direction, a.contactId]).sort()).toEqual([
      ['order-4411@mail.ourco.example', 'outgoing', support.id],
      ['reply-4411@globex.example', 'incoming', support.id],
    ]);
    expect((await statusOf(id)).skippedReasons).toEqual({ 'automated:notification': 1 });
  });
});

describe('MailboxService: Outlook via Microsoft Graph', () => {
  it('connects, syncs Sent Items by delta, and upgrades page-read threads with exact Message-IDs', async () => {
    const OUTLOOK = 'sam@contoso.example';
    const OUTLOOK_APP = '00000000-0000-0000-0000-000000000001';
    const db = openCrmSidebarDb(`mailbox-service-graph-${++dbCounter}`);
    const crm = new FakeCrmConnector();
    const graph = new FakeGraphApi();
    const idp = new FakeOauthServer({
      provider: 'microsoft',
      apps: [{ clientId: OUTLOOK_APP, platform: 'spa', redirectUris: [REDIRECT] }],
      onAccessToken: (token, subject, _scope, expiresIn) =>
        graph.issueAccessToken(subject, { token, expiresInMs: expiresIn * 1000 }),
    });
    const [graphUrl] = await Promise.all([graph.start(), idp.start()]);
    graph.setPublicOrigin(graphUrl);
    try {
      const background = backgroundForTest({
        db,
        version: 't',
        createConnector: () => crm,
        clickDrainMaxWaitMs: 0,
      });
      await background.updateSettings({
        crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' },
        oauth: {
          googleClientId: '',
          microsoftClientId: OUTLOOK_APP,
          microsoftTenant: 'common',
          tokenExchangeUrl: '',
        },
      });
      const service = new MailboxService({
        db,
        background,
        webAuthFlow: idp.webAuthFlow(REDIRECT, OUTLOOK),
        apiBaseUrls: { outlook: graphUrl },
        fetch: extensionFetch,
        oauthEndpoints: {
          outlook: { authorizationEndpoint: idp.authorizationEndpoint, tokenEndpoint: idp.tokenEndpoint },
        },
        allowInsecureOAuth: true,
      });
      graph.addMailbox(OUTLOOK);
      const sent = graph.seedSentItems(OUTLOOK, 12);
      for (const m of sent)
        for (const r of [...m.toRecipients, ...m.ccRecipients]) {
          if (![...crm.contacts.values()].some((c) => c.emails.includes(r.address.toLowerCase()))) {
            crm.addContact({ name: r.name || r.address, emails: [r.address.toLowerCase()] });
          }
        }
      const { id } = await service.connect('outlook');
      expect(id).toBe(`outlook:${OUTLOOK}`);
      await service.syncMailbox(id);
      await background.drainOutbox();
      const withId = sent.filter((m) => m.internetMessageId && !m.isDraft);
      expect(new Set(crm.activities.map((a) => a.externalId)).size).toBe(withId.length);
      expect(crm.activities.every((a) => a.source === 'outlook' && a.direction === 'outgoing')).toBe(true);
      // The newest message was sent within the minute the delta for new mail reaches back, so it
      // came twice (delta and window list): logged once, and counted once in the pass's figures.
      expect(Date.parse(sent.at(-1)!.receivedDateTime)).toBeGreaterThan(Date.now() - 60_000);
      const progress = service.statusOf((await db.mailboxes.get(id))!).progress;
      expect(progress?.scanned).toBe(sent.length + 1);
      expect(progress?.logged).toBe(withId.length);

      const target = withId[0]!;
      const enriched = await service.enrichSnapshot({
        provider: 'outlook',
        mailbox: OUTLOOK,
        threadId: target.conversationId,
        subject: target.subject,
        source: 'page',
        messages: [
          MailMessage.parse({
            provider: 'outlook',
            mailbox: OUTLOOK,
            providerMessageId: target.id,
            providerThreadId: target.conversationId,
            messageId: null,
            messageIdSource: 'none',
            from: { name: 'Sam', address: OUTLOOK },
            subject: target.subject,
            date: target.sentDateTime,
            folderRole: 'sent',
          }),
        ],
      });
      expect(enriched.messages[0]).toMatchObject({
        messageId: normaliseMessageId(target.internetMessageId),
        messageIdSource: 'api',
        providerMessageId: target.id,
      });
    } finally {
      await Promise.all([graph.stop(), idp.stop()]);
      db.close();
    }
  });
});

describe('MailboxService: a Microsoft 365 shared mailbox the policy allows', () => {
  it('connects with Mail.Read.Shared, logs the rep’s sent mail from it once (also in their own Sent Items), not a colleague’s', async () => {
    const REP = 'sam@contoso.example';
    const SALES = 'sales@contoso.example';
    const SUPPORT = 'support@contoso.example';
    const CUSTOMER = { name: 'Ana Okafor', address: 'ana@fabrikam.example' };
    const OUTLOOK_APP = '00000000-0000-0000-0000-000000000001';
    const db = openCrmSidebarDb(`mailbox-service-shared-${++dbCounter}`);
    const crm = new FakeCrmConnector();
    const graph = new FakeGraphApi();
    const idp = new FakeOauthServer({
      provider: 'microsoft',
      apps: [{ clientId: OUTLOOK_APP, platform: 'spa', redirectUris: [REDIRECT] }],
      onAccessToken: (token, subject, scope, expiresIn) =>
        graph.issueAccessToken(subject, {
          token,
          expiresInMs: expiresIn * 1000,
          scopes: scope.split(' ').filter(Boolean),
        }),
    });
    const [graphUrl] = await Promise.all([graph.start(), idp.start()]);
    graph.setPublicOrigin(graphUrl);
    try {
      const background = backgroundForTest({
        db,
        version: 't',
        createConnector: () => crm,
        clickDrainMaxWaitMs: 0,
      });
      await background.updateSettings({
        crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' },
        oauth: {
          googleClientId: '',
          microsoftClientId: OUTLOOK_APP,
          microsoftTenant: 'common',
          tokenExchangeUrl: '',
        },
        sharedMailboxes: [SALES, SUPPORT],
      });
      const service = new MailboxService({
        db,
        background,
        webAuthFlow: idp.webAuthFlow(REDIRECT, REP),
        apiBaseUrls: { outlook: graphUrl },
        fetch: extensionFetch,
        oauthEndpoints: {
          outlook: { authorizationEndpoint: idp.authorizationEndpoint, tokenEndpoint: idp.tokenEndpoint },
        },
        allowInsecureOAuth: true,
      });
      graph.addMailbox(REP, 'Sam Seller');
      graph.addSharedMailbox(SALES, [REP, 'kim@contoso.example']);
      graph.addSharedMailbox(SUPPORT, ['kim@contoso.example']);
      crm.addContact({ name: CUSTOMER.name, emails: [CUSTOMER.address] });
      const sentAt = new Date(Date.now() - 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const sales = { name: 'Sales', address: SALES };
      const quote = '<QUOTE42@EXAMPLEPR01MB1234.namprd01.prod.outlook.example>';
      // Sent on behalf of sales@ by the rep: in the shared Sent Items and, as Exchange can keep
      // a copy, in the rep's own (same Message-ID).
      for (const box of [SALES, REP])
        graph.sendMessage(box, {
          from: sales,
          sender: { name: 'Sam Seller', address: REP },
          toRecipients: [CUSTOMER],
          subject: 'Your quote',
          internetMessageId: quote,
          sentDateTime: sentAt,
        });
      // Sent on behalf of sales@ by the rep, kept in the shared Sent Items only.
      graph.sendMessage(SALES, {
        from: sales,
        sender: { name: 'Sam Seller', address: REP },
        toRecipients: [CUSTOMER],
        subject: 'Welcome aboard',
        internetMessageId: '<WELCOME43@EXAMPLEPR01MB1234.namprd01.prod.outlook.example>',
        sentDateTime: sentAt,
      });
      graph.sendMessage(SALES, {
        from: sales,
        sender: { name: 'Kim', address: 'kim@contoso.example' },
        toRecipients: [CUSTOMER],
        subject: 'Kim’s follow-up',
        sentDateTime: sentAt,
      });

      const infoOf = (work: Promise<unknown>) =>
        work.then(
          () => null,
          (e: unknown) => toErrorInfo(e),
        );
      expect(await infoOf(service.connectShared(SALES))).toMatchObject({ code: 'shared_mailbox_needs_own' });
      const own = await service.connect('outlook');
      expect(await infoOf(service.connectShared('ceo@contoso.example'))).toMatchObject({
        kind: 'invalid_request',
      });
      const denied = await service.connectShared(SUPPORT).catch((e: unknown) => e);
      expect(toErrorInfo(denied)).toMatchObject({ kind: 'auth', code: 'shared_mailbox_denied' });
      expect(describeError(denied, 'mailbox').title).toBe('Microsoft refused the shared mailbox');

      const shared = await service.connectShared(SALES);
      expect(shared).toMatchObject({ id: `outlook:${SALES}`, address: SALES, shared: true, primary: false });
      await service.syncMailbox(own.id);
      await service.syncMailbox(shared.id);
      await background.drainOutbox();
      expect(crm.activities.map((a) => a.externalId).sort()).toEqual([
        'quote42@examplepr01mb1234.namprd01.prod.outlook.example',
        'welcome43@examplepr01mb1234.namprd01.prod.outlook.example',
      ]);
      expect(crm.activities.every((a) => a.direction === 'outgoing' && a.source === 'outlook')).toBe(true);
      expect(service.statusOf((await db.mailboxes.get(shared.id))!).lastError).toBeNull();
    } finally {
      await Promise.all([graph.stop(), idp.stop()]);
      db.close();
    }
  });
});
