import type { GmailSentDecline, GmailSentMessage } from '../mail/gmail/page/gmailMessages';
import { MailMessage, type MailProvider } from '../mail/MailMessage';
import type { OutlookSentMessage } from '../mail/outlook/page/outlookMessages';
import { LOG_OFF_REASON, type SentMessageOutcome } from '../mail/SentMessageOutcome';
import type { MailboxApi, SentMessageQuery } from '../mail/sync/MailboxProvider';
import type { EventLog } from '../store/EventLog';

/** A send a webmail compose form reported, as the background works with it. */
export interface ComposeSend {
  provider: MailProvider;
  /** The signed-in mailbox (lower-cased address). */
  mailbox: string;
  /** How to find the sent message through the mailbox's API. */
  query: SentMessageQuery;
  /** The message as the page showed it, logged under the page's key when no mailbox is connected. */
  pageMessage: MailMessage;
}

/** A send with "Log to CRM" off: only found, never logged, so the page's own view is not needed. */
export type DeclinedSend = Omit<ComposeSend, 'pageMessage'>;

export interface ComposeSendsOptions {
  /** The connected mailbox `address`'s API, or null when that mailbox is not connected. */
  connectedApi(provider: MailProvider, address: string): Promise<MailboxApi | null>;
  /** The pipeline a click uses (CrmSidebarBackground.logSentMessage): the same rules, the registry. */
  logSentMessage(message: MailMessage): Promise<SentMessageOutcome>;
  /**
   * "Log to CRM" was off when the rep sent it: the registry remembers, so the sync never logs
   * it by itself (a click on its receipt still does).
   */
  declineSentMessage(message: MailMessage): Promise<SentMessageOutcome>;
  /** A sync pass of the mailbox right after the send (near real time for everything else). */
  syncAfterSend(provider: MailProvider, address: string): Promise<unknown>;
  /**
   * Waits before each sent-folder lookup: Exchange files the message a moment after the form
   * closes (longer with "Undo send"). Default: at once, then over about 40 s.
   */
  lookupDelaysMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
  /** Where a failed compose log is recorded (the popup lists it until a later one succeeds). */
  events?: Pick<EventLog, 'failure' | 'success'>;
}

/** The event log's area for compose sends from a webmail's tabs. */
export function composeArea(provider: MailProvider): string {
  return `compose:${provider}`;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * What the "Log to CRM" switch of a compose form decides for the message it sent, in Gmail and
 * Outlook alike. With the mailbox connected, the send is confirmed by finding it in the sent
 * folder through the API and acted on with its exact Message-ID, so the sync and any later click
 * see the same registry key: switched on, it is logged once (even with automatic logging of sent
 * mail off); switched off, the sync never logs it by itself. Without a connected mailbox a send
 * switched on is logged under the page's key for it, and one switched off needs nothing (no sync
 * reads that mailbox).
 */
export class ComposeSends {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly delays: readonly number[];

  constructor(private readonly options: ComposeSendsOptions) {
    this.sleep = options.sleep ?? defaultSleep;
    this.delays = options.lookupDelaysMs ?? [0, 1_000, 2_000, 4_000, 8_000, 10_000, 15_000];
  }

  log(send: ComposeSend): Promise<SentMessageOutcome> {
    return this.recorded(send, 'compose.logged', 'Logging a message sent', async () => {
      const found = await this.findSent(send, true);
      if (found === 'no_mailbox') return this.options.logSentMessage(send.pageMessage);
      if (found === null) return notInSentFolder;
      return this.options.logSentMessage(found);
    });
  }

  decline(send: DeclinedSend): Promise<SentMessageOutcome> {
    return this.recorded(
      send,
      'compose.declined',
      'Keeping a message sent with Log to CRM off out of the CRM',
      async () => {
        const found = await this.findSent(send, false);
        if (found === 'no_mailbox') return { outcome: 'skipped', reason: LOG_OFF_REASON };
        if (found === null) return notInSentFolder;
        return this.options.declineSentMessage(found);
      },
    );
  }

  private async recorded(
    send: DeclinedSend,
    code: string,
    doing: string,
    act: () => Promise<SentMessageOutcome>,
  ): Promise<SentMessageOutcome> {
    const area = composeArea(send.provider);
    const events = this.options.events;
    try {
      const outcome = await act();
      await events?.success(area, code, `Compose send: ${outcome.outcome}`);
      return outcome;
    } catch (error) {
      // Nobody in the background awaits this: the failure is recorded, and the tab hears it too.
      await events?.failure(area, 'compose.failed', doing, error);
      throw error;
    }
  }

  /** The sent message through the API, null if it never arrived, 'no_mailbox' without one. */
  private async findSent(send: DeclinedSend, syncAfter: boolean): Promise<MailMessage | null | 'no_mailbox'> {
    const api = await this.options.connectedApi(send.provider, send.mailbox);
    if (!api?.findSentMessage) return 'no_mailbox';
    try {
      for (const delay of this.delays) {
        if (delay > 0) await this.sleep(delay);
        const found = await api.findSentMessage(send.query, send.mailbox);
        if (found) return found;
      }
      return null;
    } finally {
      // The sync picks up anything else sent meanwhile, and the registry keeps this one single.
      if (syncAfter) await this.options.syncAfterSend(send.provider, send.mailbox).catch(() => undefined);
    }
  }
}

const notInSentFolder: SentMessageOutcome = {
  outcome: 'skipped',
  reason: 'the message did not reach the sent folder (the send was undone or is still held)',
};

/** An Outlook on the web send: found in Sent Items by what the form showed (the page has no id). */
export function outlookComposeSend(sent: OutlookSentMessage): ComposeSend {
  const mailbox = sent.mailbox.toLowerCase();
  return {
    provider: 'outlook',
    mailbox,
    query: {
      subject: sent.subject,
      to: sent.to.map((p) => p.address.toLowerCase()).filter(Boolean),
      conversationId: sent.conversationId,
      sentAt: new Date(sent.sentAt),
    },
    pageMessage: MailMessage.parse({
      provider: 'outlook',
      mailbox,
      providerMessageId: `compose-${sent.composeKey}`,
      providerThreadId: sent.conversationId,
      messageId: null,
      messageIdSource: 'none',
      from: { name: sent.fromName, address: mailbox },
      to: sent.to,
      cc: sent.cc,
      subject: sent.subject,
      date: sent.sentAt,
      folderRole: 'sent',
    }),
  };
}

/**
 * A Gmail send: found by the id Gmail's `sent` event gave. The page's Message-ID is dropped (a
 * page could claim another message's and so keep that one from ever being logged): with a
 * mailbox the API gives the exact one, without one the log takes a provider-derived key.
 */
export function gmailComposeSend(sent: GmailSentMessage): ComposeSend {
  const { message } = sent;
  return {
    provider: 'gmail',
    mailbox: message.mailbox.toLowerCase(),
    query: {
      providerMessageId: message.providerMessageId,
      subject: message.subject,
      to: message.to.map((p) => p.address.toLowerCase()),
      conversationId: message.providerThreadId,
      sentAt: new Date(message.date ?? Date.now()),
    },
    pageMessage: { ...message, messageId: null, messageIdSource: 'none' },
  };
}

/** A Gmail send with "Log to CRM" off, found by the id Gmail's `sent` event gave. */
export function gmailDeclinedSend(sent: GmailSentDecline): DeclinedSend {
  return {
    provider: 'gmail',
    mailbox: sent.mailbox.toLowerCase(),
    query: {
      providerMessageId: sent.gmailMessageId,
      subject: '',
      to: [],
      conversationId: null,
      sentAt: new Date(),
    },
  };
}
