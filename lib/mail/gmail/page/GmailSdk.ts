import type { ComposeView, ContentPanelDescriptor, InboxSDK, MessageView, ThreadView } from '@inboxsdk/core';

/*
 * The slice of InboxSDK's API the adapter uses, written in terms of @inboxsdk/core's own
 * typings (`Pick<RealClass, 'method'>`, `RealClass['method']`). InboxSDK's view classes
 * are nominal (`#private`), so a test fake cannot be one; these structural views can be
 * both the real object and a fake. A method renamed or retyped in the SDK breaks the
 * `Pick` (and the content script, which passes the real `InboxSDK` here), so neither the
 * adapter nor its fakes can drift from the installed SDK.
 */

export type SdkMessageView = Pick<
  MessageView,
  'isLoaded' | 'getSender' | 'getRecipientsFull' | 'getDateString' | 'getMessageIDAsync' | 'destroyed'
> & {
  /** Only the count is read; the cards themselves are nominal SDK classes. */
  getFileAttachmentCardViews(): readonly unknown[];
  on(event: 'load' | 'viewStateChange' | 'destroy', listener: () => void): unknown;
};

export type SdkThreadView = Pick<ThreadView, 'getSubject' | 'getThreadIDAsync' | 'destroyed'> & {
  getMessageViewsAll(): SdkMessageView[];
  addSidebarContentPanel(descriptor: ContentPanelDescriptor): { remove(): void };
  on(event: 'destroy', listener: () => void): unknown;
};

/** The payload of ComposeView's `sent` event (see ComposeViewEvent['sent']). */
export type SdkSentEvent = Parameters<ComposeViewEventMap['sent']>[0];
type ComposeViewEventMap = import('@inboxsdk/core').ComposeViewEvent;

export type SdkComposeView = Pick<
  ComposeView,
  | 'getSubject'
  | 'getToRecipients'
  | 'getCcRecipients'
  | 'getBccRecipients'
  | 'getFromContact'
  | 'isReply'
  | 'isForward'
  | 'destroyed'
> & {
  addStatusBar(descriptor?: { height?: number; orderHint?: number }): { el: HTMLElement; destroy(): void };
  on(event: 'sent', listener: (event: SdkSentEvent) => void): unknown;
  on(event: 'presending' | 'sending' | 'destroy', listener: () => void): unknown;
};

export interface GmailSdk {
  Conversations: {
    registerThreadViewHandler(handler: (threadView: SdkThreadView) => void): () => void;
    registerMessageViewHandler(handler: (messageView: SdkMessageView) => void): () => void;
  };
  Compose: {
    registerComposeViewHandler(handler: (composeView: SdkComposeView) => void): () => void;
  };
  User: Pick<InboxSDK['User'], 'getEmailAddress'>;
}
