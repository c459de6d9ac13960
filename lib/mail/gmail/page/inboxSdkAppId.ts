/**
 * The InboxSDK app id the extension ships with, so Gmail works without any set-up.
 *
 * InboxSDK's loader accepts, without asking its servers, an id of the form
 * `sdk_<name of 5-15 characters>_<first 10 hex digits of sha1(name)>` (`isValidAppId` in
 * @inboxsdk/core 2.2.26 `inboxsdk.js`: `appIdRegex = /^sdk_(.{5,15})_([0-9a-f]{10})$/` and
 * the sha1 check); any other id gets InboxSDK's "invalid appId" console error and a warning
 * bar in Gmail. This one is sha1("CRMSidebar"). InboxSDK uses the app id to label its own
 * error and usage reports; a store publisher registers their own at
 * https://www.inboxsdk.com/register (README "Gmail: InboxSDK app id") and sets it in the
 * options or with `WXT_INBOXSDK_APP_ID` at build time.
 */
export const DEFAULT_INBOXSDK_APP_ID = 'sdk_CRMSidebar_9906f5d604';

export type InboxSdkAppIdSource = 'settings' | 'build' | 'default';

/** The options page's id first, then the build's, then the shipped one. */
export function resolveInboxSdkAppId(
  fromSettings: string,
  fromBuild: string,
): { appId: string; source: InboxSdkAppIdSource } {
  if (fromSettings.trim() !== '') return { appId: fromSettings.trim(), source: 'settings' };
  if (fromBuild.trim() !== '') return { appId: fromBuild.trim(), source: 'build' };
  return { appId: DEFAULT_INBOXSDK_APP_ID, source: 'default' };
}
