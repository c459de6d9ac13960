import type { InboxSDK, LabelDescriptor, ThreadRowView } from '@inboxsdk/core';
import { LOGGED_THREADS_MAX } from '../../sync/mailboxMarkMessages';

/** The slice of a thread row the marker uses (the real ThreadRowView, or a test fake). */
export type SdkThreadRowView = Pick<ThreadRowView, 'addLabel' | 'getThreadIDAsync' | 'destroyed'>;

export interface GmailListsSdk {
  Lists: { registerThreadRowViewHandler(handler: (row: SdkThreadRowView) => void): () => void };
  User: Pick<InboxSDK['User'], 'getEmailAddress'>;
}

export interface GmailThreadRowMarkerOptions {
  /**
   * The background's read-only answer (`mailbox.loggedThreads`): which of these threads hold
   * mail the CRM has, and whether the marker is shown at all. The page learns nothing else.
   */
  loggedThreads(request: {
    provider: 'gmail';
    mailbox: string;
    threadIds: string[];
  }): Promise<{ threadIds: string[]; marker: boolean }>;
  /** Rows arrive in bursts as a list renders; they are asked about together after this wait. */
  batchDelayMs?: number;
  onError?: (error: unknown) => void;
}

/** Gmail-like green, readable in both Gmail themes (the label draws its own background). */
export const IN_CRM_LABEL: LabelDescriptor = {
  title: 'In CRM',
  foregroundColor: '#0d652d',
  backgroundColor: '#e6f4ea',
};

/**
 * The "In CRM" marker in Gmail's thread lists (InboxSDK `Lists.registerThreadRowViewHandler`
 * and `ThreadRowView.addLabel`): each visible row's thread id is asked about, in batches of
 * at most LOGGED_THREADS_MAX, and logged threads get the label. It writes nothing anywhere:
 * the mailbox's own labels need the write scope, this marker does not.
 */
export function startGmailThreadRowMarker(
  sdk: GmailListsSdk,
  options: GmailThreadRowMarkerOptions,
): { stop(): void } {
  const mailbox = sdk.User.getEmailAddress().trim().toLowerCase();
  const delay = options.batchDelayMs ?? 150;
  const waiting = new Map<string, SdkThreadRowView[]>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  const flush = async () => {
    timer = null;
    const batch = [...waiting.entries()];
    waiting.clear();
    for (let start = 0; start < batch.length && !stopped; start += LOGGED_THREADS_MAX) {
      const chunk = batch.slice(start, start + LOGGED_THREADS_MAX);
      try {
        const answer = await options.loggedThreads({
          provider: 'gmail',
          mailbox,
          threadIds: chunk.map(([id]) => id),
        });
        if (!answer.marker || stopped) continue;
        const logged = new Set(answer.threadIds);
        for (const [id, rows] of chunk) {
          if (!logged.has(id)) continue;
          for (const row of rows) if (!row.destroyed) row.addLabel(IN_CRM_LABEL);
        }
      } catch (error) {
        options.onError?.(error);
      }
    }
  };

  const unregister = sdk.Lists.registerThreadRowViewHandler((row) => {
    row.getThreadIDAsync().then(
      (threadId) => {
        if (stopped || !threadId) return;
        const rows = waiting.get(threadId) ?? [];
        rows.push(row);
        waiting.set(threadId, rows);
        timer ??= setTimeout(() => void flush(), delay);
      },
      (error: unknown) => options.onError?.(error),
    );
  });

  return {
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      unregister();
    },
  };
}
