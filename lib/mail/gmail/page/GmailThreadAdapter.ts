import { type MailMessage, ThreadSnapshot } from '../../MailMessage';
import type { GmailSdk, SdkMessageView, SdkThreadView } from './GmailSdk';
import type { PanelHost } from './PanelHost';
import { readMessageView } from './readMessageView';
import type { InternetMessageIdResolver } from './readOriginalMessageId';

export interface GmailThreadAdapterOptions {
  panelHost: PanelHost;
  /** Sidebar icon (an extension URL from `browser.runtime.getURL`). */
  iconUrl: string;
  /** The tab's current URL, stored on each snapshot as the link back. */
  pageUrl: () => string;
  /** Creates the element InboxSDK hosts in its sidebar. */
  createPanelElement: () => HTMLElement;
  /** Upgrades Gmail ids to exact Message-IDs; without it every message stays `messageIdSource: 'none'`. */
  resolveInternetMessageId?: InternetMessageIdResolver;
  /** Called with every snapshot the panel is given (after the panel host). */
  onSnapshot?: (snapshot: ThreadSnapshot) => void;
  /** Reading errors are reported here instead of thrown into InboxSDK's handlers. */
  onError?: (error: unknown) => void;
}

export interface GmailThreadAdapter {
  /** Unregisters the handlers and unmounts every open panel. */
  stop(): void;
}

export const CRM_PANEL_TITLE = 'CRM';

/**
 * Follows Gmail's thread views through InboxSDK and keeps one CRM panel per open thread
 * in the thread sidebar (`ThreadView.addSidebarContentPanel`: the SDK shows it only while
 * that thread is open and removes it when the thread view is destroyed, which is what
 * moving to another thread or back to a list does).
 *
 * The snapshot is rebuilt from `ThreadView.getMessageViewsAll()` whenever a message loads
 * (expanding a collapsed stub), changes view state, goes away, or arrives later
 * (`registerMessageViewHandler`), so it always lists the loaded messages in thread order.
 */
export function startGmailThreadAdapter(
  sdk: GmailSdk,
  options: GmailThreadAdapterOptions,
): GmailThreadAdapter {
  const mailbox = sdk.User.getEmailAddress().trim().toLowerCase();
  const internetMessageIds = new Map<string, string>();
  const resolutionAttempted = new Set<string>();
  const openThreads = new Set<OpenThread>();
  const reportError = options.onError ?? (() => {});

  class OpenThread {
    readonly element = options.createPanelElement();
    private readonly watched = new WeakSet<SdkMessageView>();
    private generation = 0;
    private closed = false;

    constructor(private readonly threadView: SdkThreadView) {
      threadView.addSidebarContentPanel({
        el: this.element,
        title: CRM_PANEL_TITLE,
        iconUrl: options.iconUrl,
      });
      threadView.on('destroy', () => this.close());
    }

    close(): void {
      if (this.closed) return;
      this.closed = true;
      openThreads.delete(this);
      options.panelHost.unmount(this.element);
    }

    /** Re-reads the thread; a newer refresh supersedes an older one still awaiting SDK promises. */
    refresh(): Promise<void> {
      return this.read().catch(reportError);
    }

    private async read(): Promise<void> {
      if (this.closed || this.threadView.destroyed) return;
      const generation = ++this.generation;
      const views = this.threadView.getMessageViewsAll();
      for (const view of views) this.watch(view);
      const threadId = await this.threadView.getThreadIDAsync().catch(() => null);
      const subject = this.threadView.getSubject();
      const read = await Promise.all(
        views.map((view) =>
          readMessageView(view, { mailbox, threadId, subject, internetMessageIds }).catch(
            (error: unknown) => {
              reportError(error);
              return null;
            },
          ),
        ),
      );
      if (this.closed || generation !== this.generation) return;
      const messages = read.filter((m): m is MailMessage => m !== null);
      const snapshot = ThreadSnapshot.parse({
        provider: 'gmail',
        mailbox,
        threadId,
        subject,
        messages,
        url: options.pageUrl(),
      });
      options.panelHost.render(this.element, snapshot);
      options.onSnapshot?.(snapshot);
      await this.resolveMessageIds(messages);
    }

    private watch(view: SdkMessageView): void {
      if (this.watched.has(view)) return;
      this.watched.add(view);
      const refresh = () => void this.refresh();
      view.on('load', refresh);
      view.on('viewStateChange', refresh);
      view.on('destroy', refresh);
    }

    /** One request at a time, once per Gmail id per page, then one redraw if anything was found. */
    private async resolveMessageIds(messages: readonly MailMessage[]): Promise<void> {
      const resolve = options.resolveInternetMessageId;
      if (!resolve) return;
      let found = false;
      for (const message of messages) {
        const gmailId = message.providerMessageId;
        if (message.messageId !== null || resolutionAttempted.has(gmailId)) continue;
        resolutionAttempted.add(gmailId);
        const messageId = await resolve(gmailId).catch((error: unknown) => {
          reportError(error);
          return null;
        });
        if (this.closed) return;
        if (messageId !== null) {
          internetMessageIds.set(gmailId, messageId);
          found = true;
        }
      }
      if (found) await this.refresh();
    }
  }

  const refreshAll = () => {
    for (const thread of openThreads) void thread.refresh();
  };

  const unregisterThreads = sdk.Conversations.registerThreadViewHandler((threadView) => {
    const thread = new OpenThread(threadView);
    openThreads.add(thread);
    void thread.refresh();
  });
  // Messages that arrive in an open thread (a reply coming in, "show trimmed" content) are
  // new MessageViews; the open thread re-reads its list and starts watching them.
  const unregisterMessages = sdk.Conversations.registerMessageViewHandler(refreshAll);

  return {
    stop() {
      unregisterThreads();
      unregisterMessages();
      for (const thread of [...openThreads]) thread.close();
    },
  };
}
