interface ImportMetaEnv {
  /** Build-time fallback for the InboxSDK app id when the options page has none. */
  readonly WXT_INBOXSDK_APP_ID?: string;
}
