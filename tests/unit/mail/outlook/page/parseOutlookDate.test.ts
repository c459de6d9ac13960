import { describe, expect, it } from 'vitest';
import { isEwsAlphabet, toGraphRestId } from '../../../../../lib/mail/outlook/page/outlookIds';
import { parseOutlookDate } from '../../../../../lib/mail/outlook/page/parseOutlookDate';
import { parseOutlookUrl } from '../../../../../lib/mail/outlook/page/parseOutlookUrl';

const local = (s: string) => new Date(s).toISOString();

describe('parseOutlookDate', () => {
  it('reads the display formats seen on live pages (tests/fixtures/outlook/SOURCES.md S3, S10)', () => {
    expect(parseOutlookDate('Thu 9/17/2026 2:52 PM', 'en-US')).toBe(local('2026-09-17T14:52'));
    expect(parseOutlookDate('Thu 9/17/2026 12:05 AM', 'en')).toBe(local('2026-09-17T00:05'));
    expect(parseOutlookDate('Di, 14.04.2020 08:51', 'de')).toBe(local('2020-04-14T08:51'));
    expect(parseOutlookDate('Fr, 2026-05-22 15:22', 'de-DE')).toBe(local('2026-05-22T15:22'));
  });

  it('orders day and month by the page language', () => {
    expect(parseOutlookDate('mar. 03/11/2026 08:51', 'fr')).toBe(local('2026-11-03T08:51'));
    expect(parseOutlookDate('Tue 03/11/2026 08:51', 'en-GB')).toBe(local('2026-11-03T08:51'));
    expect(parseOutlookDate('Tue 3/11/2026 8:51 AM', 'en-US')).toBe(local('2026-03-11T08:51'));
  });

  it('is null, never a guess, when the text cannot be read for sure', () => {
    expect(parseOutlookDate('2:52 PM', 'en-US')).toBeNull();
    expect(parseOutlookDate('Gestern 08:51', 'de')).toBeNull();
    expect(parseOutlookDate('3/11/2026 8:51', null)).toBeNull();
    expect(parseOutlookDate('31.04.2026 08:51', 'de')).toBeNull();
    expect(parseOutlookDate('', 'en')).toBeNull();
  });
});

describe('Outlook ids', () => {
  it('maps the EWS alphabet onto the URL-safe one Graph returns (S9)', () => {
    expect(toGraphRestId('AAkALg+HYQDEapm/EWg0AFt')).toBe('AAkALg_HYQDEapm-EWg0AFt=');
    expect(toGraphRestId('AAkALg_HYQDEapm-EWg0AFt')).toBe('AAkALg_HYQDEapm-EWg0AFt=');
    expect(toGraphRestId('AAkALg%2BHYQDEapm%2FEWg0AFtBEAAAAA%3D%3D')).toBe(
      'AAkALg_HYQDEapm-EWg0AFtBEAAAAA==',
    );
    expect(isEwsAlphabet('AAkALg%2BHYQ')).toBe(true);
    expect(isEwsAlphabet('AAkALg_HYQ')).toBe(false);
  });
});

describe('parseOutlookUrl', () => {
  it('reads the deeplink read view, with or without an account segment or a path id', () => {
    const a = parseOutlookUrl('https://outlook.cloud.microsoft/mail/deeplink/read/AAkALg%2BHYQ?ispopout=0');
    expect(a).toMatchObject({ itemId: 'AAkALg+HYQ', deeplink: true });
    expect(parseOutlookUrl('https://outlook.office.com/mail/0/deeplink/read/AAkALg_HYQ')).toMatchObject({
      itemId: 'AAkALg_HYQ',
      deeplink: true,
      accountIndex: 0,
    });
    expect(parseOutlookUrl('https://outlook.live.com/mail/deeplink/read?ItemID=AAkALg%2BHYQ')).toMatchObject({
      itemId: 'AAkALg+HYQ',
      deeplink: true,
    });
  });

  it('reads the three-pane conversation URL', () => {
    expect(parseOutlookUrl('https://outlook.office.com/mail/inbox/id/AAQkAD%3D')).toMatchObject({
      itemId: 'AAQkAD=',
      folderRole: 'inbox',
      deeplink: false,
    });
  });
});
