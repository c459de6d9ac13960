import type { ContactNameOptional } from '@inboxsdk/core';
import { type MailAddress, MailMessage } from '../../MailMessage';
import type { GmailSdk, SdkComposeView, SdkSentEvent } from './GmailSdk';
import type {
  GmailSentDecline,
  GmailSentMessage,
  GmailSentMessageInput,
  GmailSentMessageOutcome,
} from './gmailMessages';
import { toMailAddress } from './readMessageView';
import type { InternetMessageIdResolver } from './readOriginalMessageId';

export interface GmailComposeLoggerOptions {
  /** Initial state of the toggle for a new compose view (settings `logComposeByDefault`). */
  logByDefault: (composeView: SdkComposeView) => boolean;
  /** Hands the sent message to the background, which logs it through the outbox. */
  logSentMessage: (request: GmailSentMessageInput) => Promise<GmailSentMessageOutcome>;
  /**
   * Tells the background a message left with the toggle off, so the mailbox sync does not log
   * it by itself either (the rep's word for that message outranks "log sent mail automatically").
   */
  declineSentMessage?: (request: GmailSentDecline) => Promise<GmailSentMessageOutcome>;
  /** `/mail/u/N` index of this tab, recorded with the log for links. */
  accountIndex: () => number | null;
  /** Tries to read the exact Message-ID of the sent message before logging it. */
  resolveInternetMessageId?: InternetMessageIdResolver;
  /**
   * Waits before each Message-ID attempt: the sent message may not be readable the very
   * moment Gmail reports it sent. Default: one attempt right away and one after 2 s.
   */
  messageIdAttemptDelaysMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  /** Called once per `sent` event with what happened, for logs and tests. */
  onLogged?: (result: ComposeLogResult) => void;
  onError?: (error: unknown) => void;
}

export type ComposeLogResult =
  | { status: 'skipped_toggle_off'; gmailMessageId: string | null }
  | { status: 'sent_to_background'; request: GmailSentMessage; outcome: GmailSentMessageOutcome };

export interface GmailComposeLogger {
  stop(): void;
}

export const LOG_TO_CRM_LABEL = 'Log to CRM';

interface DraftDetails {
  subject: string;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
}

function addresses(contacts: readonly ContactNameOptional[]): MailAddress[] {
  return contacts.map(toMailAddress).filter((a): a is MailAddress => a !== null);
}

/** Reads the compose view while it still exists: after `sent` Gmail may have torn it down. */
function readDraft(view: SdkComposeView): DraftDetails {
  return {
    subject: view.getSubject(),
    from: toMailAddress(view.getFromContact()),
    to: addresses(view.getToRecipients()),
    cc: addresses(view.getCcRecipients()),
    bcc: addresses(view.getBccRecipients()),
  };
}

/** A labelled checkbox in the compose view's own status bar: keyboard accessible, no Gmail CSS. */
function renderToggle(container: HTMLElement, checked: boolean, onChange: (checked: boolean) => void): void {
  const doc = container.ownerDocument;
  const label = doc.createElement('label');
  label.style.cssText =
    'display:flex;align-items:center;gap:6px;padding:0 12px;height:100%;font:inherit;cursor:pointer';
  const checkbox = doc.createElement('input');
  checkbox.type = 'checkbox';
  checkbox.checked = checked;
  checkbox.dataset.crmLogToggle = '';
  checkbox.addEventListener('change', () => onChange(checkbox.checked));
  label.append(checkbox, doc.createTextNode(LOG_TO_CRM_LABEL));
  container.replaceChildren(label);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Adds a "Log to CRM" toggle to every compose view (new messages, replies, forwards) and,
 * when it is on as the message is sent, hands the sent message to the background. The
 * Gmail ids come from the `sent` event (`getMessageID()` / `getThreadID()`: Gmail's hex
 * ids, the same the Gmail API uses, so the sent-items sync recognises the message).
 */
export function startGmailComposeLogger(
  sdk: GmailSdk,
  options: GmailComposeLoggerOptions,
): GmailComposeLogger {
  const mailbox = sdk.User.getEmailAddress().trim().toLowerCase();
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? (() => new Date());
  const delays = options.messageIdAttemptDelaysMs ?? [0, 2000];
  const reportError = options.onError ?? (() => {});

  async function resolveMessageId(gmailMessageId: string): Promise<string | null> {
    const resolve = options.resolveInternetMessageId;
    if (!resolve) return null;
    for (const delay of delays) {
      if (delay > 0) await sleep(delay);
      const id = await resolve(gmailMessageId).catch(() => null);
      if (id !== null) return id;
    }
    return null;
  }

  async function logSent(event: SdkSentEvent, draft: DraftDetails, sentAt: Date): Promise<void> {
    const [gmailMessageId, gmailThreadId] = await Promise.all([event.getMessageID(), event.getThreadID()]);
    const messageId = await resolveMessageId(gmailMessageId);
    const message = MailMessage.parse({
      provider: 'gmail',
      mailbox,
      providerMessageId: gmailMessageId,
      providerThreadId: gmailThreadId,
      messageId,
      messageIdSource: messageId === null ? 'none' : 'header',
      from: draft.from ?? { name: '', address: mailbox },
      to: draft.to,
      cc: draft.cc,
      subject: draft.subject,
      date: sentAt.toISOString(),
      folderRole: 'sent',
    });
    const request: GmailSentMessage = { message, bcc: draft.bcc, accountIndex: options.accountIndex() };
    const outcome = await options.logSentMessage(request);
    options.onLogged?.({ status: 'sent_to_background', request, outcome });
  }

  const unregister = sdk.Compose.registerComposeViewHandler((composeView) => {
    let logEnabled = options.logByDefault(composeView);
    let draft: DraftDetails | null = null;
    const captureDraft = () => {
      try {
        draft = readDraft(composeView);
      } catch (error) {
        reportError(error);
      }
    };

    const statusBar = composeView.addStatusBar({ height: 32 });
    renderToggle(statusBar.el, logEnabled, (checked) => {
      logEnabled = checked;
    });

    composeView.on('presending', captureDraft);
    composeView.on('sending', captureDraft);
    composeView.on('sent', (event) => {
      // The toggle's state when the message left counts, not at the time the ids resolve.
      const enabled = logEnabled;
      const sentAt = now();
      if (draft === null) captureDraft();
      const details = draft;
      if (!enabled) {
        event
          .getMessageID()
          .then(
            (id) => {
              options.onLogged?.({ status: 'skipped_toggle_off', gmailMessageId: id });
              return options.declineSentMessage?.({ mailbox, gmailMessageId: id });
            },
            () => options.onLogged?.({ status: 'skipped_toggle_off', gmailMessageId: null }),
          )
          .catch(reportError);
        return;
      }
      if (details === null) {
        reportError(new Error('Gmail compose sent without readable recipients; not logged from the tab'));
        return;
      }
      logSent(event, details, sentAt).catch(reportError);
    });
  });

  return { stop: unregister };
}
