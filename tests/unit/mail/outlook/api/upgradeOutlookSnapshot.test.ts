import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DOMParser } from 'linkedom';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ThreadSnapshot } from '../../../../../lib/mail/MailMessage';
import { GraphClient } from '../../../../../lib/mail/outlook/api/GraphClient';
import { upgradeOutlookSnapshot } from '../../../../../lib/mail/outlook/api/upgradeOutlookSnapshot';
import { parseOutlookUrl } from '../../../../../lib/mail/outlook/page/parseOutlookUrl';
import { readOutlookReadingPane } from '../../../../../lib/mail/outlook/page/readOutlookReadingPane';
import { FakeGraphApi } from '../../../../fakes/FakeGraphApi';

const DIR = resolve(import.meta.dirname, '../../../../fixtures/outlook');
const ME = 'dana.whitfield@northwind-trading.com';
const ALICE = { name: 'Alice Moreau', address: 'alice.moreau@acme-robotics.com' };
const BEN = { name: 'Ben Carter', address: 'ben.carter@brightwater.co.uk' };

function readFixture(file: string, url: string): ThreadSnapshot {
  // linkedom, not happy-dom: this test talks to the fake over Node's own fetch.
  const doc = new DOMParser().parseFromString(readFileSync(resolve(DIR, file), 'utf8'), 'text/html');
  return ThreadSnapshot.parse(
    readOutlookReadingPane(doc as unknown as Document, parseOutlookUrl(url), { url }),
  );
}

/** Graph's time for a local wall-clock minute shown on the page, plus some seconds. */
const at = (local: string, seconds = 17) =>
  new Date(new Date(local).getTime() + seconds * 1000).toISOString();

describe('upgradeOutlookSnapshot (Graph upgrade of the open item)', () => {
  let graph: FakeGraphApi;
  let client: GraphClient;
  let baseUrl: string;
  beforeEach(async () => {
    graph = new FakeGraphApi();
    baseUrl = await graph.start();
    const token = graph.issueAccessToken(ME);
    client = new GraphClient({ mailboxId: 'mbx', getAccessToken: async () => token, baseUrl });
  });
  afterEach(() => graph.stop());

  it('matches the conversation page messages to Graph by sender and minute: exact ids, full recipients', async () => {
    const url =
      'https://outlook.live.com/mail/0/inbox/id/AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQAConv04A';
    const page = readFixture('own-reply-in-inbox.html', url);
    const conversationId = page.threadId!;
    const incoming = graph.sendMessage(ME, {
      folder: 'inbox',
      conversationId,
      subject: 'Contract redlines',
      from: ALICE,
      toRecipients: [{ name: 'Dana Whitfield', address: ME }],
      ccRecipients: [BEN],
      sentDateTime: at('2026-11-17T09:02', 3),
      receivedDateTime: at('2026-11-17T09:02'),
    });
    const reply = graph.sendMessage(ME, {
      folder: 'sentitems',
      conversationId,
      subject: 'RE: Contract redlines',
      from: { name: 'Dana Whitfield', address: ME },
      toRecipients: [ALICE],
      sentDateTime: at('2026-11-17T11:20'),
    });
    // Another conversation's message at the same minute is not taken.
    graph.sendMessage(ME, { folder: 'inbox', from: ALICE, sentDateTime: at('2026-11-17T11:20', 5) });

    const upgraded = await upgradeOutlookSnapshot(page, client, ME);
    expect(upgraded.source).toBe('exact');
    const [ownReply, fromAlice] = upgraded.messages;
    expect(ownReply).toMatchObject({
      providerMessageId: page.messages[0]!.providerMessageId,
      messageId: reply.internetMessageId!.slice(1, -1).toLowerCase(),
      messageIdSource: 'api',
      folderRole: 'sent',
      from: { address: ME },
    });
    expect(fromAlice!.cc).toEqual([BEN]);
    expect(fromAlice!.messageId).toBe(incoming.internetMessageId!.slice(1, -1).toLowerCase());
    expect(graph.counters.byMethod.listMessages).toBe(1);
  });

  it('says "read from the page" when a page message has no Graph counterpart', async () => {
    const url =
      'https://outlook.office.com/mail/inbox/id/AAQkADAwATM0MDAAMS1hYjBiLTRlZDAtMDACLTAwCgAQAConv02A';
    const page = readFixture('conversation-collapsed.html', url);
    graph.sendMessage(ME, {
      folder: 'inbox',
      conversationId: page.threadId!,
      from: ALICE,
      sentDateTime: at('2026-11-20T10:05'),
    });
    const upgraded = await upgradeOutlookSnapshot(page, client, ME);
    expect(upgraded.source).toBe('page');
    expect(upgraded.messages[0]!.messageIdSource).toBe('api');
    expect(upgraded.messages[1]).toEqual(page.messages[1]);
  });

  it('translates an EWS item id from the deeplink URL with translateExchangeIds, then reads the item', async () => {
    const item = graph.sendMessage(ME, {
      folder: 'inbox',
      from: BEN,
      toRecipients: [{ name: 'Dana Whitfield', address: ME }],
      subject: 'Invoice 2026-118',
      sentDateTime: at('2026-11-11T15:45'),
    });
    const ews = item.id.replace(/_/g, '+').replace(/-/g, '/');
    const url = `https://outlook.cloud.microsoft/mail/deeplink/read/${encodeURIComponent(ews)}?ispopout=0`;
    const page = readFixture('deeplink-read.html', url);
    const upgraded = await upgradeOutlookSnapshot(page, client, ME);
    expect(upgraded.source).toBe('exact');
    expect(upgraded.messages[0]!.to).toEqual([{ name: 'Dana Whitfield', address: ME }]);
    expect(graph.counters.byMethod.translateExchangeIds).toBe(ews === item.id ? 0 : 1);
    expect(graph.counters.byMethod.getMessage).toBe(1);
  });

  it('refuses what Graph refuses: more than 1000 ids, and a list filter it does not support', async () => {
    await expect(client.translateExchangeIds(Array(1001).fill('x'), 'ewsId', 'restId')).rejects.toThrow(
      RangeError,
    );
    const res = await fetch(`${baseUrl}/v1.0/me/messages?$filter=subject eq 'x'`, {
      headers: { authorization: `Bearer ${graph.issueAccessToken(ME)}` },
    });
    expect(res.status).toBe(400);
  });
});
