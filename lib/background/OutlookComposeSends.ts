import { MailMessage } from '../mail/MailMessage';
import type { OutlookSentMessage, OutlookSentMessageOutcome } from '../mail/outlook/page/outlookMessages';
import type { MailboxApi } from '../mail/sync/MailboxProvider';
import type { EventLog } from '../store/EventLog';

export interface OutlookComposeSendsOptions {
  /** The connected Outlook mailbox `address`'s API, or null when that mailbox is not connected. */
  connectedApi(address: string): Promise<MailboxApi | null>;
  /** The pipeline a click uses (CrmSidebarBackground.logSentMessage): the same rules, the registry. */
  logSentMessage(message: MailMessage): Promise<OutlookSentMessageOutcome>;
  /** A sync pass of the mailbox right after the send (near real time for everything else). */
  syncAfterSend(address: string): Promise<unknown>;
  /**
   * Waits before each Sent Items lookup: Exchange files the message a moment after the form
   * closes (longer with "Undo send"). Default: at once, then over about 40 s.
   */
  lookupDelaysMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
  /** Where a failed compose log is recorded (the popup lists it until a later one succeeds). */
  events?: Pick<EventLog, 'failure' | 'success'>;
}

/** The event log's area for compose sends from Outlook tabs. */
export const OUTLOOK_COMPOSE_AREA = 'compose:outlook';

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Logs a message sent from Outlook on the web's compose form with "Log to CRM" on. With the
 * mailbox connected, the send is confirmed by finding it in Sent Items through Graph and is
 * logged with its exact Message-ID, so the sync and any later click see the same registry key
 * (logged once); without one, it is logged under the page's key for the send.
 */
export class OutlookComposeSends {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly delays: readonly number[];

  constructor(private readonly options: OutlookComposeSendsOptions) {
    this.sleep = options.sleep ?? defaultSleep;
    this.delays = options.lookupDelaysMs ?? [0, 1_000, 2_000, 4_000, 8_000, 10_000, 15_000];
  }

  async log(sent: OutlookSentMessage): Promise<OutlookSentMessageOutcome> {
    const events = this.options.events;
    try {
      const outcome = await this.confirmAndLog(sent);
      await events?.success(
        OUTLOOK_COMPOSE_AREA,
        'compose.logged',
        `Outlook compose send: ${outcome.outcome}`,
      );
      return outcome;
    } catch (error) {
      // Nobody in the background awaits this: the failure is recorded, and the tab hears it too.
      await events?.failure(
        OUTLOOK_COMPOSE_AREA,
        'compose.failed',
        'Logging a message sent from Outlook',
        error,
      );
      throw error;
    }
  }

  private async confirmAndLog(sent: OutlookSentMessage): Promise<OutlookSentMessageOutcome> {
    const mailbox = sent.mailbox.toLowerCase();
    const api = await this.options.connectedApi(mailbox);
    if (!api?.findSentMessage) return this.options.logSentMessage(pageMessage(sent, mailbox));
    try {
      const query = {
        subject: sent.subject,
        to: sent.to.map((p) => p.address.toLowerCase()).filter(Boolean),
        conversationId: sent.conversationId,
        sentAt: new Date(sent.sentAt),
      };
      for (const delay of this.delays) {
        if (delay > 0) await this.sleep(delay);
        const found = await api.findSentMessage(query, mailbox);
        if (found) return await this.options.logSentMessage(found);
      }
      return {
        outcome: 'skipped',
        reason: 'the message did not reach Sent Items (the send was undone or is still held)',
      };
    } finally {
      // The sync picks up anything else sent meanwhile, and the registry keeps this one single.
      await this.options.syncAfterSend(mailbox).catch(() => undefined);
    }
  }
}

/** The send as the form showed it, keyed by the page's key for it (no Message-ID is known). */
function pageMessage(sent: OutlookSentMessage, mailbox: string): MailMessage {
  return MailMessage.parse({
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
  });
}
