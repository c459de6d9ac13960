import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmSidebarBackground } from '../../../lib/background/CrmSidebarBackground';
import { providerDerivedExternalId } from '../../../lib/logging/externalIdFor';
import { MailMessage, type MailMessageInput, ThreadSnapshot } from '../../../lib/mail/MailMessage';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';
import { FakeCrmConnector } from '../../fakes/FakeCrmConnector';
import { backgroundForTest } from './backgroundForTest';

/**
 * Gmail with no mailbox connected (no restricted scope granted, README "Gmail without a
 * restricted scope"): the open thread and the compose "Log to CRM" toggle still log, with
 * the exact Message-ID the content script read from Gmail's "Show original" page
 * (lib/mail/gmail/page/readOriginalMessageId.ts; messageIdSource 'header'). The ids here
 * are ours: what the page reader hands over, not a Gmail response.
 */
const ME = 'riley@ourco.example';
let dbCounter = 0;

function sent(overrides: Partial<MailMessageInput> = {}): MailMessage {
  return MailMessage.parse({
    provider: 'gmail',
    mailbox: ME,
    providerMessageId: '18c2f0a1b2c3d4e5',
    providerThreadId: '18c2f0a1b2c3d4e5',
    messageId: 'caexact-0001@mail.gmail.com',
    messageIdSource: 'header',
    from: { name: 'Riley Rep', address: ME },
    to: [{ name: 'Jane Buyer', address: 'jane@acme.example' }],
    subject: 'Proposal',
    date: new Date().toISOString(),
    folderRole: 'sent',
    ...overrides,
  });
}

describe('Gmail logging with no mailbox connected', () => {
  let db: CrmSidebarDb;
  let crm: FakeCrmConnector;
  let background: CrmSidebarBackground;

  beforeEach(async () => {
    db = openCrmSidebarDb(`gmail-no-mailbox-${++dbCounter}`);
    crm = new FakeCrmConnector();
    background = backgroundForTest({
      db,
      version: 't',
      createConnector: () => crm,
      clickDrainMaxWaitMs: 0,
    });
    await background.updateSettings({ crm: { type: 'rest', baseUrl: 'https://crm.example', token: 't' } });
    crm.addContact({ name: 'Jane Buyer', emails: ['jane@acme.example'] });
    expect(await db.mailboxes.count()).toBe(0);
  });
  afterEach(() => db.close());

  it('the compose toggle logs the sent message under the exact Message-ID read from the page', async () => {
    expect(await background.logSentMessage(sent())).toEqual({ outcome: 'queued' });
    expect(crm.activities.map((a) => a.externalId)).toEqual(['caexact-0001@mail.gmail.com']);
    // Sent again (a second tab, a retry): never twice.
    expect(await background.logSentMessage(sent())).toMatchObject({ outcome: 'already_logged' });
    expect(crm.activities).toHaveLength(1);
  });

  it('when the page could not give the Message-ID, the toggle still logs, under a key that says so', async () => {
    const message = sent({ messageId: null, messageIdSource: 'none' });
    expect(await background.logSentMessage(message)).toEqual({ outcome: 'queued' });
    expect(crm.activities.map((a) => a.externalId)).toEqual([
      providerDerivedExternalId('gmail', '18c2f0a1b2c3d4e5'),
    ]);
  });

  it('a click on the open thread logs each page-read message under its exact Message-ID', async () => {
    const incoming = sent({
      providerMessageId: '18c2f0a1b2c3d4e6',
      messageId: 'reply-7@acme.example',
      from: { name: 'Jane Buyer', address: 'jane@acme.example' },
      to: [{ name: 'Riley Rep', address: ME }],
      folderRole: 'inbox',
    });
    const snapshot = ThreadSnapshot.parse({
      provider: 'gmail',
      mailbox: ME,
      threadId: '18c2f0a1b2c3d4e5',
      subject: 'Proposal',
      messages: [sent(), incoming],
    });
    const view = await background.openThread(snapshot, false);
    expect(view.messages.map((m) => m.state)).toEqual(['not_logged', 'not_logged']);
    await background.logThread(snapshot, ['18c2f0a1b2c3d4e5', '18c2f0a1b2c3d4e6']);
    expect(crm.activities.map((a) => a.externalId).sort()).toEqual([
      'caexact-0001@mail.gmail.com',
      'reply-7@acme.example',
    ]);
  });
});
