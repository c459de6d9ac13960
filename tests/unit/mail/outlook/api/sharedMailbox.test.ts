import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SingleFlight } from '../../../../../lib/async/SingleFlight';
import { MailboxAuthError } from '../../../../../lib/auth/MailboxAuthError';
import {
  GRAPH_MAIL_READ_SHARED_SCOPE,
  hasSharedMailboxScope,
  microsoftOAuthConfig,
} from '../../../../../lib/auth/OAuthProviders';
import { externalIdFor } from '../../../../../lib/logging/externalIdFor';
import { MessageRegistry } from '../../../../../lib/logging/MessageRegistry';
import type { MailMessage } from '../../../../../lib/mail/MailMessage';
import { GRAPH_MESSAGE_SELECT, GraphClient } from '../../../../../lib/mail/outlook/api/GraphClient';
import { GraphSentSync, type GraphSyncCursor } from '../../../../../lib/mail/outlook/api/GraphSentSync';
import { sharedMailboxCredit } from '../../../../../lib/mail/outlook/api/sharedMailboxCredit';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../../../lib/store/db';
import { FakeGraphApi } from '../../../../fakes/FakeGraphApi';
import { MemoryCursorStore } from '../../../sync/memoryCursorStore';

const REP = 'sam@contoso.example';
const COLLEAGUE = 'kim@contoso.example';
const SHARED = 'sales@contoso.example';
const CUSTOMER = { name: 'Ana Okafor', address: 'ana@fabrikam.example' };
const OLDER = Date.now() - 5 * 60_000;
const at = (minutesBefore: number) =>
  new Date(OLDER - minutesBefore * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const sales = { name: 'Sales', address: SHARED };

describe('sharedMailboxCredit: Graph message `sender` vs `from`', () => {
  // learn.microsoft.com/graph/api/resources/message: `from` is the mailbox the message is sent
  // from, `sender` the account actually used; they differ for send on behalf.
  it('credits the rep when they sent on behalf of the shared mailbox', () => {
    expect(
      sharedMailboxCredit({ sender: { emailAddress: { address: 'Sam@Contoso.example' } } }, REP, SHARED),
    ).toBe('rep');
  });
  it('leaves a colleague’s message to the colleague', () => {
    expect(sharedMailboxCredit({ sender: { emailAddress: { address: COLLEAGUE } } }, REP, SHARED)).toBe(
      'colleague',
    );
  });
  it('cannot attribute Send As (sender is the shared address) or a missing sender', () => {
    expect(sharedMailboxCredit({ sender: { emailAddress: { address: SHARED } } }, REP, SHARED)).toBe(
      'unattributed',
    );
    expect(sharedMailboxCredit({ sender: null }, REP, SHARED)).toBe('unattributed');
  });
});

describe('Mail.Read.Shared is asked for only with a shared mailbox', () => {
  it('adds the scope to the Microsoft sign-in on request and recognises it in a grant', () => {
    expect(microsoftOAuthConfig({ clientId: 'c' }).scopes).not.toContain(GRAPH_MAIL_READ_SHARED_SCOPE);
    expect(microsoftOAuthConfig({ clientId: 'c', shared: true }).scopes).toContain(
      GRAPH_MAIL_READ_SHARED_SCOPE,
    );
    expect(hasSharedMailboxScope(['Mail.Read', 'Mail.Read.Shared'])).toBe(true);
    expect(hasSharedMailboxScope(['https://graph.microsoft.com/Mail.ReadWrite.Shared'])).toBe(true);
    expect(hasSharedMailboxScope(['Mail.Read', 'Mail.ReadWrite'])).toBe(false);
  });
});

describe('a shared mailbox’s Sent Items through GraphClient and GraphSentSync (FakeGraphApi)', () => {
  let fake: FakeGraphApi;
  let baseUrl: string;
  let db: CrmSidebarDb | null = null;

  beforeEach(async () => {
    fake = new FakeGraphApi({ seed: 11 });
    baseUrl = await fake.start();
    fake.addMailbox(REP, 'Sam Seller');
    fake.addSharedMailbox(SHARED, [REP, COLLEAGUE]);
  });
  afterEach(async () => {
    await fake.stop();
    await db?.delete();
    db = null;
  });

  const client = (token: string, sharedMailbox: string | undefined = SHARED) =>
    new GraphClient({
      mailboxId: 'mbx-shared',
      baseUrl,
      getAccessToken: async () => token,
      retryEnvironment: { sleep: async () => {}, random: () => 0.5 },
      ...(sharedMailbox ? { sharedMailbox } : {}),
    });
  const list = (c: GraphClient) =>
    c.listMessages({
      folder: 'sentitems',
      select: GRAPH_MESSAGE_SELECT,
      receivedFrom: new Date(OLDER - 86_400_000),
      receivedThrough: new Date(OLDER),
      top: 50,
    });

  it('is refused without Mail.Read.Shared, and for a mailbox the rep has no access to (403 ErrorAccessDenied)', async () => {
    fake.sendMessage(SHARED, { from: sales, sender: { name: 'Sam', address: REP }, sentDateTime: at(1) });
    const readOnly = fake.issueAccessToken(REP);
    await expect(list(client(readOnly))).rejects.toMatchObject({
      name: MailboxAuthError.name,
      reason: 'insufficient_scope',
    });
    fake.addSharedMailbox('support@contoso.example', [COLLEAGUE]);
    const shared = fake.issueAccessToken(REP, { scopes: ['Mail.Read', 'Mail.Read.Shared', 'User.Read'] });
    await expect(list(client(shared, 'support@contoso.example'))).rejects.toBeInstanceOf(MailboxAuthError);
    expect(fake.counters.scopeRejections).toBe(2);
    expect((await list(client(shared))).value).toHaveLength(1);
  });

  it('logs the rep’s and the unattributed sent mail, credited by `sender`, and leaves colleagues’ alone', async () => {
    const mine = fake.sendMessage(SHARED, {
      from: sales,
      sender: { name: 'Sam Seller', address: REP },
      toRecipients: [CUSTOMER],
      subject: 'Your quote',
      sentDateTime: at(3),
    });
    fake.sendMessage(SHARED, {
      from: sales,
      sender: { name: 'Kim', address: COLLEAGUE },
      toRecipients: [CUSTOMER],
      sentDateTime: at(2),
    });
    const sendAs = fake.sendMessage(SHARED, { from: sales, toRecipients: [CUSTOMER], sentDateTime: at(1) });
    const token = fake.issueAccessToken(REP, { scopes: ['Mail.Read', 'Mail.Read.Shared', 'User.Read'] });
    const delivered: MailMessage[] = [];
    const sync = new GraphSentSync({
      mailboxId: 'mbx-shared',
      mailboxAddress: SHARED,
      client: client(token),
      cursors: new MemoryCursorStore<GraphSyncCursor>(),
      importWindowDays: 30,
      flights: new SingleFlight(),
      accept: (m) => sharedMailboxCredit(m, REP, SHARED) !== 'colleague',
      sink: async (messages) => {
        delivered.push(...messages);
      },
    });
    await sync.run();
    expect(delivered.map((m) => m.providerMessageId).sort()).toEqual([mine.id, sendAs.id].sort());
    expect(delivered.every((m) => m.folderRole === 'sent' && m.from?.address === SHARED)).toBe(true);
  });

  it('keeps a message once when it is in both the rep’s own Sent Items and the shared mailbox’s (Message-ID)', async () => {
    // A message sent on behalf of a shared mailbox can be saved in both Sent Items (Exchange's
    // MessageCopyForSentAsEnabled / MessageCopyForSendOnBehalfEnabled,
    // https://learn.microsoft.com/en-us/exchange/collaboration-exo/shared-mailboxes): one Message-ID.
    const internetMessageId = '<SHAREDQUOTE01@EXAMPLEPR01MB1234.namprd01.prod.outlook.example>';
    const base = { from: sales, sender: { name: 'Sam Seller', address: REP }, toRecipients: [CUSTOMER] };
    fake.sendMessage(SHARED, { ...base, internetMessageId, sentDateTime: at(2) });
    fake.sendMessage(REP, { ...base, internetMessageId, sentDateTime: at(2) });
    const token = fake.issueAccessToken(REP, { scopes: ['Mail.Read', 'Mail.Read.Shared', 'User.Read'] });
    db = openCrmSidebarDb(`shared-mailbox-${process.pid}-${Date.now()}`);
    const registry = new MessageRegistry(db);
    const logged: string[] = [];
    // The sink does what the pipeline does with synced mail: skip what the registry holds, log the rest.
    const sink = async (messages: MailMessage[]) => {
      for (const m of messages) {
        const externalId = externalIdFor(m, 'auto');
        if (externalId === null || (await registry.isLogged('crm-user-1', externalId))) continue;
        logged.push(externalId);
        await registry.markLogged('crm-user-1', [
          { status: 'created', externalId, contactId: 'c1', id: 'a1' },
        ]);
      }
    };
    const syncOf = (address: string, sharedMailbox: string | undefined) =>
      new GraphSentSync({
        mailboxId: `mbx-${address}`,
        mailboxAddress: address,
        client: client(token, sharedMailbox),
        cursors: new MemoryCursorStore<GraphSyncCursor>(),
        importWindowDays: 30,
        flights: new SingleFlight(),
        sink,
      });
    await syncOf(REP, undefined).run();
    await syncOf(SHARED, SHARED).run();
    expect(logged).toEqual(['sharedquote01@examplepr01mb1234.namprd01.prod.outlook.example']);
  });
});
