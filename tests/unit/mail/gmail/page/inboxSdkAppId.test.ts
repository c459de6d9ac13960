import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_INBOXSDK_APP_ID,
  resolveInboxSdkAppId,
} from '../../../../../lib/mail/gmail/page/inboxSdkAppId';

/**
 * The shipped id must pass InboxSDK's own check. The check is read from the installed
 * loader (@inboxsdk/core `inboxsdk.js`, `isValidAppId`): its regex, applied as it applies
 * it (name, then the first 10 hex digits of the name's sha1).
 */
function installedAppIdRegex(): RegExp {
  const entry = createRequire(import.meta.url).resolve('@inboxsdk/core/inboxsdk.js');
  const source = readFileSync(entry, 'utf8');
  const check = /function isValidAppId\(appId\) \{[\s\S]*?\n\}/.exec(source)?.[0];
  expect(check, 'isValidAppId is still in the installed InboxSDK').toBeDefined();
  expect(check).toContain("shasum.digest('hex').slice(0, 10) === hash");
  const literal = /const appIdRegex = \/(.+)\/;/.exec(source)?.[1];
  expect(literal).toBeDefined();
  return new RegExp(literal!);
}

describe('the built-in InboxSDK app id', () => {
  it('passes the installed InboxSDK loader’s self-verifying check', () => {
    const match = installedAppIdRegex().exec(DEFAULT_INBOXSDK_APP_ID);
    expect(match).not.toBeNull();
    const [, name, hash] = match!;
    expect(createHash('sha1').update(name!).digest('hex').slice(0, 10)).toBe(hash);
  });

  it('an id with a wrong hash would not (the check is not a formality)', () => {
    const forged = DEFAULT_INBOXSDK_APP_ID.replace(/[0-9a-f]$/, (d) => (d === '0' ? '1' : '0'));
    const [, name, hash] = installedAppIdRegex().exec(forged)!;
    expect(createHash('sha1').update(name!).digest('hex').slice(0, 10)).not.toBe(hash);
  });

  it('the options page’s id wins, then the build’s, then the shipped one', () => {
    expect(resolveInboxSdkAppId(' sdk_Mine_1234 ', 'sdk_build')).toEqual({
      appId: 'sdk_Mine_1234',
      source: 'settings',
    });
    expect(resolveInboxSdkAppId('', 'sdk_build')).toEqual({ appId: 'sdk_build', source: 'build' });
    expect(resolveInboxSdkAppId('', '')).toEqual({ appId: DEFAULT_INBOXSDK_APP_ID, source: 'default' });
  });
});
