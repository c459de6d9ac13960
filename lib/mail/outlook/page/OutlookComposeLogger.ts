import type { OutlookSentMessage, OutlookSentMessageOutcome } from './outlookMessages';
import type { OutlookLocation } from './parseOutlookUrl';
import {
  findOutlookComposeForms,
  findOutlookSendButton,
  type OutlookComposeDraft,
  readOutlookCompose,
} from './readOutlookCompose';
import { fnv, type OutlookAccount } from './readOutlookReadingPane';

export interface OutlookComposeLoggerOptions {
  /** Initial state of the toggle in a new compose form (settings `logComposeByDefault`). */
  logByDefault: () => boolean;
  /** Hands the sent message to the background, which confirms and logs it. */
  logSentMessage: (request: OutlookSentMessage) => Promise<OutlookSentMessageOutcome>;
  /**
   * Tells the background a message left with the toggle off, so the mailbox sync does not log
   * it by itself either (only for a mailbox it syncs: `confirmedByMailbox`).
   */
  declineSentMessage?: (request: OutlookSentMessage) => Promise<OutlookSentMessageOutcome>;
  account: () => OutlookAccount;
  location: () => OutlookLocation;
  /**
   * Whether the background confirms this mailbox's sends in Sent Items (a connected mailbox):
   * then the send goes over as soon as the form closes; otherwise the tab waits out the
   * "Undo send" window first and drops the send if the draft came back.
   */
  confirmedByMailbox: (address: string) => boolean;
  /**
   * Outlook on the web holds a sent message for a few seconds with an "Undo" banner, 10 s by
   * default (tests/fixtures/outlook-compose/SOURCES.md C10).
   */
  undoWindowMs?: number;
  /** How long after Send the form may take to close; a form still open was not sent (refused). */
  closeTimeoutMs?: number;
  pollMs?: number;
  now?: () => Date;
  /** Called once per confirmed send with what happened, for logs and tests. */
  onLogged?: (result: OutlookComposeLogResult) => void;
  onError?: (error: unknown) => void;
}

export type OutlookComposeLogResult =
  | { status: 'skipped_toggle_off'; draft: OutlookComposeDraft }
  | { status: 'undone'; draft: OutlookComposeDraft }
  | { status: 'sent_to_background'; request: OutlookSentMessage; outcome: OutlookSentMessageOutcome };

export interface OutlookComposeLogger {
  /** Looks for new compose forms now (the content script calls it on page mutations). */
  scan(): void;
  stop(): void;
}

interface FormState {
  enabled: boolean;
  /** The send being watched: the form must close within the timeout. */
  pending: { draft: OutlookComposeDraft; sentAt: Date; enabled: boolean; deadline: number } | null;
}

const TOGGLE_ATTRIBUTE = 'data-crm-log-toggle';
/** The same words as Gmail's compose toggle. */
const LOG_TO_CRM_LABEL = 'Log to CRM';

function sameDraft(a: OutlookComposeDraft, b: OutlookComposeDraft): boolean {
  const people = (d: OutlookComposeDraft) => d.to.map((p) => p.address).join(';');
  return a.subject === b.subject && people(a) === people(b);
}

/**
 * Adds a "Log to CRM" toggle beside the Send button of every Outlook on the web compose form
 * (new message, reply, forward) and, when the form closes after a Send with the toggle on,
 * hands the sent message to the background. Outlook says nothing on the page when a send has
 * gone through; what a person sees is the form closing, so that is the page's confirmation,
 * and a connected mailbox's Sent Items the final one (the background's lookup).
 */
export function startOutlookComposeLogger(
  doc: Document,
  options: OutlookComposeLoggerOptions,
): OutlookComposeLogger {
  const now = options.now ?? (() => new Date());
  const undoWindowMs = options.undoWindowMs ?? 10_000;
  const closeTimeoutMs = options.closeTimeoutMs ?? 60_000;
  const pollMs = options.pollMs ?? 250;
  const reportError = options.onError ?? (() => {});
  const states = new WeakMap<HTMLElement, FormState>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let stopped = false;

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) run();
    }, ms);
    timers.add(timer);
  };

  /** A labelled checkbox right after the Send split button: keyboard accessible, Outlook's own colours. */
  function renderToggle(form: HTMLElement, state: FormState): void {
    if (form.querySelector(`[${TOGGLE_ATTRIBUTE}]`)) return;
    const send = findOutlookSendButton(form);
    if (!send) return;
    const label = doc.createElement('label');
    label.style.cssText =
      'display:inline-flex;align-items:center;gap:6px;margin:0 8px;font:inherit;color:inherit;cursor:pointer;white-space:nowrap';
    const checkbox = doc.createElement('input');
    checkbox.type = 'checkbox';
    checkbox.checked = state.enabled;
    checkbox.setAttribute(TOGGLE_ATTRIBUTE, '');
    checkbox.addEventListener('change', () => {
      state.enabled = checkbox.checked;
    });
    label.append(checkbox, doc.createTextNode(LOG_TO_CRM_LABEL));
    const anchor = send.closest('.fui-SplitButton, [role="group"]') ?? send;
    anchor.after(label);
  }

  async function handOver(request: OutlookSentMessage): Promise<void> {
    const outcome = await options.logSentMessage(request);
    options.onLogged?.({ status: 'sent_to_background', request, outcome });
  }

  function confirmed(state: FormState): void {
    const pending = state.pending;
    state.pending = null;
    if (!pending) return;
    const account = options.account();
    if (!account.address && !pending.enabled) {
      options.onLogged?.({ status: 'skipped_toggle_off', draft: pending.draft });
      return;
    }
    if (!account.address) {
      reportError(
        new Error('Outlook compose sent, but the page did not show which mailbox; not logged from the tab'),
      );
      return;
    }
    const { draft, sentAt } = pending;
    const request: OutlookSentMessage = {
      mailbox: account.address,
      fromName: account.name ?? '',
      kind: draft.kind,
      conversationId: draft.conversationId,
      subject: draft.subject,
      to: draft.to,
      cc: draft.cc,
      bcc: draft.bcc,
      sentAt: sentAt.toISOString(),
      composeKey: fnv([
        'compose',
        account.address,
        sentAt.toISOString(),
        draft.subject,
        ...draft.to.map((p) => p.address),
      ]),
    };
    if (!pending.enabled) {
      options.onLogged?.({ status: 'skipped_toggle_off', draft });
      // Without a synced mailbox nothing else would log it; with one, the sync must hear the rep's no.
      if (options.confirmedByMailbox(account.address))
        options.declineSentMessage?.(request).catch(reportError);
      return;
    }
    if (options.confirmedByMailbox(account.address)) {
      handOver(request).catch(reportError);
      return;
    }
    // No mailbox to confirm the send: wait out "Undo send"; a form showing the same draft again
    // means the rep took it back.
    later(undoWindowMs, () => {
      const back = findOutlookComposeForms(doc).some((form) =>
        sameDraft(readOutlookCompose(form, options.location()), draft),
      );
      if (back) options.onLogged?.({ status: 'undone', draft });
      else handOver(request).catch(reportError);
    });
  }

  function watch(form: HTMLElement, state: FormState): void {
    const pending = state.pending;
    if (!pending) return;
    // Closed: Outlook took the form off the page.
    if (!form.isConnected) {
      confirmed(state);
      return;
    }
    if (Date.now() > pending.deadline) {
      // Still open: Outlook refused the send (no recipient, an invalid address). Nothing left.
      state.pending = null;
      return;
    }
    later(pollMs, () => watch(form, state));
  }

  function arm(form: HTMLElement, state: FormState): void {
    const alreadyWatching = state.pending !== null;
    try {
      state.pending = {
        draft: readOutlookCompose(form, options.location()),
        sentAt: now(),
        enabled: state.enabled,
        deadline: Date.now() + closeTimeoutMs,
      };
    } catch (error) {
      reportError(error);
      return;
    }
    if (!alreadyWatching) later(pollMs, () => watch(form, state));
  }

  function attach(form: HTMLElement): void {
    let state = states.get(form);
    if (!state) {
      state = { enabled: options.logByDefault(), pending: null };
      const current = state;
      states.set(form, current);
      // Capture phase: the draft is read before Outlook's own handler starts closing the form.
      form.addEventListener(
        'click',
        (event) => {
          const send = findOutlookSendButton(form);
          if (send && event.target instanceof Node && send.contains(event.target)) arm(form, current);
        },
        true,
      );
      // [C2] Ctrl+Enter sends from anywhere in the form.
      form.addEventListener(
        'keydown',
        (event) => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) arm(form, current);
        },
        true,
      );
    }
    // Outlook may re-render the command row: the toggle comes back with the form's state.
    renderToggle(form, state);
  }

  function scan(): void {
    if (stopped) return;
    try {
      for (const form of findOutlookComposeForms(doc)) attach(form);
    } catch (error) {
      reportError(error);
    }
  }

  scan();
  return {
    scan,
    stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const toggle of Array.from(doc.querySelectorAll(`[${TOGGLE_ATTRIBUTE}]`)))
        toggle.closest('label')?.remove();
    },
  };
}
