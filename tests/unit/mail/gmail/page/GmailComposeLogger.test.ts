// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type ComposeLogResult,
  LOG_TO_CRM_LABEL,
  startGmailComposeLogger,
} from '../../../../../lib/mail/gmail/page/GmailComposeLogger';
import {
  GMAIL_MESSAGES,
  type GmailSentDecline,
  type GmailSentMessageInput,
} from '../../../../../lib/mail/gmail/page/gmailMessages';
import { FakeComposeView, FakeInboxSdk } from './FakeInboxSdk';

const SENT_AT = new Date('2025-03-04T10:14:00.000Z');
const IDS = { gmailMessageId: '1955d1a2b3c4d5e6', gmailThreadId: '1955d0f0e0d0c0b0' };

function draft() {
  return new FakeComposeView({
    subject: 'Proposal',
    from: { name: 'Rep', emailAddress: 'Rep@Example.com' },
    to: [{ name: 'Ada Lovelace', emailAddress: 'ADA@client.example' }],
    cc: [{ emailAddress: 'boss@client.example' }],
    bcc: [{ emailAddress: 'archive@example.com' }],
  });
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

function start(options: { logByDefault: boolean; resolve?: (id: string) => Promise<string | null> }) {
  const sdk = new FakeInboxSdk('rep@example.com');
  const sent: GmailSentMessageInput[] = [];
  const declined: GmailSentDecline[] = [];
  const results: ComposeLogResult[] = [];
  const sleeps: number[] = [];
  const logger = startGmailComposeLogger(sdk, {
    logByDefault: () => options.logByDefault,
    logSentMessage: async (request) => {
      // What the background's router does with the payload.
      GMAIL_MESSAGES['gmail.sent.log'].request.parse(request);
      sent.push(request);
      return { outcome: 'queued' };
    },
    declineSentMessage: async (request) => {
      declined.push(GMAIL_MESSAGES['gmail.sent.decline'].request.parse(request));
      return { outcome: 'skipped' };
    },
    accountIndex: () => 1,
    resolveInternetMessageId: options.resolve,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: () => SENT_AT,
    onLogged: (result) => results.push(result),
  });
  stop = logger.stop;
  return { sdk, sent, declined, results, sleeps };
}

describe('startGmailComposeLogger', () => {
  it('shows a "Log to CRM" toggle in each compose view, checked per the setting', () => {
    const on = start({ logByDefault: true });
    const first = draft();
    on.sdk.openCompose(first);
    expect(first.statusBar?.textContent).toBe(LOG_TO_CRM_LABEL);
    expect(first.toggle.checked).toBe(true);
    stop?.();

    const off = start({ logByDefault: false });
    const second = draft();
    off.sdk.openCompose(second);
    expect(second.toggle.checked).toBe(false);
  });

  it('sends the sent message to the background with its ids and exact Message-ID when the toggle is on', async () => {
    const resolve = vi.fn(async () => 'caf=proposal.1@mail.gmail.com');
    const { sdk, sent, results } = start({ logByDefault: true, resolve });
    const compose = draft();
    sdk.openCompose(compose);
    compose.send(IDS);

    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(resolve).toHaveBeenCalledWith(IDS.gmailMessageId);
    expect(sent[0]).toEqual({
      accountIndex: 1,
      bcc: [{ name: '', address: 'archive@example.com' }],
      message: expect.objectContaining({
        provider: 'gmail',
        mailbox: 'rep@example.com',
        providerMessageId: IDS.gmailMessageId,
        providerThreadId: IDS.gmailThreadId,
        messageId: 'caf=proposal.1@mail.gmail.com',
        messageIdSource: 'header',
        from: { name: 'Rep', address: 'rep@example.com' },
        to: [{ name: 'Ada Lovelace', address: 'ada@client.example' }],
        cc: [{ name: '', address: 'boss@client.example' }],
        subject: 'Proposal',
        date: SENT_AT.toISOString(),
        folderRole: 'sent',
      }),
    });
    expect(results).toEqual([
      expect.objectContaining({ status: 'sent_to_background', outcome: { outcome: 'queued' } }),
    ]);
  });

  it('logs without a Message-ID (approximate, for the background to fetch) when it cannot be read', async () => {
    const resolve = vi.fn(async () => null);
    const { sdk, sent, sleeps } = start({ logByDefault: true, resolve });
    const compose = draft();
    sdk.openCompose(compose);
    compose.send(IDS);

    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(resolve).toHaveBeenCalledTimes(2);
    expect(sleeps).toEqual([2000]);
    expect(sent[0]!.message).toMatchObject({ messageId: null, messageIdSource: 'none' });
  });

  it('does not log when the toggle is off, and tells the background so the sync leaves it out too', async () => {
    const { sdk, sent, declined, results } = start({ logByDefault: false });
    const compose = draft();
    sdk.openCompose(compose);
    compose.send(IDS);

    await vi.waitFor(() => expect(results).toHaveLength(1));
    expect(results[0]).toEqual({ status: 'skipped_toggle_off', gmailMessageId: IDS.gmailMessageId });
    expect(sent).toEqual([]);
    await vi.waitFor(() =>
      expect(declined).toEqual([{ mailbox: 'rep@example.com', gmailMessageId: IDS.gmailMessageId }]),
    );
  });

  it('follows the user flipping the toggle before sending', async () => {
    const { sdk, sent, results } = start({ logByDefault: true });
    const turnedOff = draft();
    const turnedOn = draft();
    sdk.openCompose(turnedOff);
    sdk.openCompose(turnedOn);

    turnedOff.toggle.click();
    expect(turnedOff.toggle.checked).toBe(false);
    turnedOff.send(IDS);
    await vi.waitFor(() => expect(results).toHaveLength(1));
    expect(results[0]!.status).toBe('skipped_toggle_off');

    turnedOn.toggle.click();
    turnedOn.toggle.click();
    turnedOn.send({ gmailMessageId: '1955d1a2b3c4d5ff', gmailThreadId: IDS.gmailThreadId });
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]!.message).toMatchObject({
      providerMessageId: '1955d1a2b3c4d5ff',
      messageIdSource: 'none',
    });
  });
});
