import type { Contact, ContactNameOptional, ContentPanelDescriptor, InboxSDK } from '@inboxsdk/core';
import type {
  GmailSdk,
  SdkComposeView,
  SdkMessageView,
  SdkSentEvent,
  SdkThreadView,
} from '../../../../../lib/mail/gmail/page/GmailSdk';

/*
 * A fake InboxSDK for the Gmail adapter. Every fake `implements` the adapter's view types,
 * which are `Pick`s of @inboxsdk/core's own classes, and `realSdkFits` below only compiles
 * while the real `InboxSDK` type is assignable to `GmailSdk`: a method renamed or retyped in
 * the SDK breaks `npm run typecheck` here instead of passing tests against a stale fake.
 */
export const realSdkFits = (sdk: InboxSDK): GmailSdk => sdk;

type Listener = (...args: never[]) => void;

class FakeEmitter {
  private readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  protected emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (...a: unknown[]) => void)(...args);
  }
}

export interface FakeMessageInit {
  gmailId: string;
  sender: Contact;
  recipients: ContactNameOptional[];
  dateString?: string;
  loaded?: boolean;
  attachments?: number;
}

export class FakeMessageView extends FakeEmitter implements SdkMessageView {
  destroyed = false;
  private loaded: boolean;
  constructor(readonly init: FakeMessageInit) {
    super();
    this.loaded = init.loaded ?? true;
  }
  isLoaded(): boolean {
    return this.loaded;
  }
  // The real SDK throws on these for a message that is not loaded yet.
  private assertLoaded(): void {
    if (!this.loaded) throw new Error('tried to get message data before message is loaded');
  }
  getSender(): Contact {
    this.assertLoaded();
    return this.init.sender;
  }
  async getRecipientsFull(): Promise<ContactNameOptional[]> {
    this.assertLoaded();
    return this.init.recipients;
  }
  getDateString(): string {
    return this.init.dateString ?? '';
  }
  async getMessageIDAsync(): Promise<string> {
    this.assertLoaded();
    return this.init.gmailId;
  }
  getFileAttachmentCardViews(): readonly unknown[] {
    return Array.from({ length: this.init.attachments ?? 0 }, () => ({}));
  }
  /** The user expands a collapsed stub: Gmail loads it and InboxSDK emits `load`. */
  expand(): void {
    this.loaded = true;
    this.emit('load', { messageView: this });
    this.emit('viewStateChange', { oldViewState: 'COLLAPSED', newViewState: 'EXPANDED', messageView: this });
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('destroy');
  }
}

export class FakeThreadView extends FakeEmitter implements SdkThreadView {
  destroyed = false;
  readonly panels: ContentPanelDescriptor[] = [];
  readonly removedPanels: ContentPanelDescriptor[] = [];
  constructor(
    private readonly subject: string,
    private readonly threadId: string,
    readonly messageViews: FakeMessageView[],
  ) {
    super();
  }
  getSubject(): string {
    return this.subject;
  }
  async getThreadIDAsync(): Promise<string> {
    return this.threadId;
  }
  getMessageViewsAll(): SdkMessageView[] {
    return this.messageViews.filter((v) => !v.destroyed);
  }
  addSidebarContentPanel(descriptor: ContentPanelDescriptor): { remove(): void } {
    this.panels.push(descriptor);
    return { remove: () => this.removedPanels.push(descriptor) };
  }
  /** Gmail leaves the thread (another thread, back to the list): InboxSDK destroys its views. */
  destroy(): void {
    this.destroyed = true;
    for (const view of this.messageViews) view.destroy();
    this.emit('destroy');
  }
}

export interface FakeComposeInit {
  subject: string;
  from: Contact;
  to: ContactNameOptional[];
  cc?: ContactNameOptional[];
  bcc?: ContactNameOptional[];
  isReply?: boolean;
}

export class FakeComposeView extends FakeEmitter implements SdkComposeView {
  destroyed = false;
  statusBar: HTMLElement | null = null;
  constructor(readonly init: FakeComposeInit) {
    super();
  }
  getSubject(): string {
    this.assertAlive();
    return this.init.subject;
  }
  getToRecipients(): ContactNameOptional[] {
    this.assertAlive();
    return this.init.to;
  }
  getCcRecipients(): ContactNameOptional[] {
    this.assertAlive();
    return this.init.cc ?? [];
  }
  getBccRecipients(): ContactNameOptional[] {
    this.assertAlive();
    return this.init.bcc ?? [];
  }
  getFromContact(): Contact {
    this.assertAlive();
    return this.init.from;
  }
  isReply(): boolean {
    return this.init.isReply ?? false;
  }
  isForward(): boolean {
    return false;
  }
  addStatusBar(): { el: HTMLElement; destroy(): void } {
    const el = document.createElement('div');
    document.body.append(el);
    this.statusBar = el;
    return { el, destroy: () => el.remove() };
  }
  get toggle(): HTMLInputElement {
    const input = this.statusBar?.querySelector<HTMLInputElement>('input[type=checkbox]');
    if (!input) throw new Error('no Log to CRM toggle in the status bar');
    return input;
  }
  /** Gmail's send sequence as InboxSDK reports it; the view is gone by the time ids resolve. */
  send(ids: { gmailMessageId: string; gmailThreadId: string }): void {
    this.emit('presending', { cancel() {} });
    this.emit('sending');
    const sent: SdkSentEvent = {
      getMessageID: async () => ids.gmailMessageId,
      getThreadID: async () => ids.gmailThreadId,
    };
    this.emit('sent', sent);
    this.destroyed = true;
    this.emit('destroy', { messageID: null, closedByInboxSDK: false });
  }
  private assertAlive(): void {
    if (this.destroyed) throw new Error('compose view is destroyed');
  }
}

export class FakeInboxSdk implements GmailSdk {
  private threadHandlers: ((v: SdkThreadView) => void)[] = [];
  private messageHandlers: ((v: SdkMessageView) => void)[] = [];
  private composeHandlers: ((v: SdkComposeView) => void)[] = [];

  constructor(private readonly emailAddress: string) {}

  readonly User = { getEmailAddress: () => this.emailAddress };
  readonly Conversations = {
    registerThreadViewHandler: (handler: (v: SdkThreadView) => void) => {
      this.threadHandlers.push(handler);
      return () => {
        this.threadHandlers = this.threadHandlers.filter((h) => h !== handler);
      };
    },
    registerMessageViewHandler: (handler: (v: SdkMessageView) => void) => {
      this.messageHandlers.push(handler);
      return () => {
        this.messageHandlers = this.messageHandlers.filter((h) => h !== handler);
      };
    },
  };
  readonly Compose = {
    registerComposeViewHandler: (handler: (v: SdkComposeView) => void) => {
      this.composeHandlers.push(handler);
      return () => {
        this.composeHandlers = this.composeHandlers.filter((h) => h !== handler);
      };
    },
  };

  openThread(thread: FakeThreadView): void {
    for (const handler of this.threadHandlers) handler(thread);
    for (const view of thread.messageViews) {
      if (view.isLoaded()) for (const handler of this.messageHandlers) handler(view);
    }
  }
  /** A message arriving in an open thread. */
  addMessage(thread: FakeThreadView, view: FakeMessageView): void {
    thread.messageViews.push(view);
    for (const handler of this.messageHandlers) handler(view);
  }
  openCompose(view: FakeComposeView): void {
    for (const handler of this.composeHandlers) handler(view);
  }
}
