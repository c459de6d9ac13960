import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailboxAuthError } from '../../../../../lib/auth/MailboxAuthError';
import { GraphClient } from '../../../../../lib/mail/outlook/api/GraphClient';
import { markGraphMessages } from '../../../../../lib/mail/outlook/api/markGraphMessages';
import { FakeGraphApi } from '../../../../fakes/FakeGraphApi';

const EMAIL = 'riley@ourco.example';

describe('Outlook marks through Graph: a category and the Archive folder, only with Mail.ReadWrite', () => {
  let fake: FakeGraphApi;
  let baseUrl: string;

  beforeEach(async () => {
    fake = new FakeGraphApi({ seed: 3 });
    fake.addMailbox(EMAIL);
    baseUrl = await fake.start();
  });
  afterEach(() => fake.stop());

  const client = (scopes: string[]) => {
    const token = fake.issueAccessToken(EMAIL, { scopes });
    return new GraphClient({ mailboxId: `outlook:${EMAIL}`, getAccessToken: async () => token, baseUrl });
  };

  it('refuses a category or a move with Mail.Read only: 403 ErrorAccessDenied, read as insufficient_scope', async () => {
    const message = fake.sendMessage(EMAIL, { folder: 'inbox', subject: 'Hi' });
    const readOnly = client(['Mail.Read', 'User.Read']);
    const error = await readOnly.addMessageCategory(message.id, 'Logged to CRM').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailboxAuthError);
    expect((error as MailboxAuthError).reason).toBe('insufficient_scope');
    await expect(readOnly.moveMessage(message.id, 'archive')).rejects.toBeInstanceOf(MailboxAuthError);
    expect(fake.counters.scopeRejections).toBe(2);
    expect(fake.counters.updatedMessages + fake.counters.movedMessages).toBe(0);
  });

  it('adds the category beside existing ones, archives received mail, and reports gone messages', async () => {
    const received = fake.sendMessage(EMAIL, { folder: 'inbox', subject: 'Question', categories: ['Blue'] });
    const sent = fake.sendMessage(EMAIL, { folder: 'sentitems', subject: 'Answer' });
    const writer = client([
      'https://graph.microsoft.com/Mail.ReadWrite',
      'https://graph.microsoft.com/User.Read',
    ]);
    const outcomes = await markGraphMessages(
      writer,
      [
        { providerMessageId: received.id, label: true, archive: true },
        { providerMessageId: sent.id, label: true, archive: false },
        { providerMessageId: 'AAMkAGI2gone', label: true, archive: false },
      ],
      'Logged to CRM',
    );
    expect(outcomes).toEqual([
      { providerMessageId: received.id, applied: true },
      { providerMessageId: sent.id, applied: true },
      { providerMessageId: 'AAMkAGI2gone', applied: false },
    ]);
    const archived = fake.messages(EMAIL).find((m) => m.subject === 'Question');
    expect(archived).toMatchObject({ folder: 'archive', categories: ['Blue', 'Logged to CRM'] });
    expect(archived?.id).not.toBe(received.id);
    expect(fake.messages(EMAIL).find((m) => m.id === sent.id)).toMatchObject({
      folder: 'sentitems',
      categories: ['Logged to CRM'],
    });
    // Already categorised: no second PATCH.
    const updates = fake.counters.updatedMessages;
    await writer.addMessageCategory(sent.id, 'logged to crm');
    expect(fake.counters.updatedMessages).toBe(updates);
  });
});
