import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MailMessage } from '../../../../../lib/mail/MailMessage';
import { GraphClient } from '../../../../../lib/mail/outlook/api/GraphClient';
import { listGraphWindow } from '../../../../../lib/mail/outlook/api/listGraphWindow';
import { FakeGraphApi } from '../../../../fakes/FakeGraphApi';

const EMAIL = 'sam@contoso.example';
const DAY = 86_400_000;

describe('listGraphWindow against FakeGraphApi (the sync audit on Outlook)', () => {
  let fake: FakeGraphApi;
  let client: GraphClient;

  beforeEach(async () => {
    fake = new FakeGraphApi({ seed: 11 });
    const baseUrl = await fake.start();
    const token = fake.issueAccessToken(EMAIL);
    client = new GraphClient({ mailboxId: 'mbx-o', baseUrl, getAccessToken: async () => token });
  });
  afterEach(() => fake.stop());

  async function collect(window: { from: number; to: number }, pageSize = 50) {
    const pages: MailMessage[][] = [];
    const progress: number[] = [];
    for await (const page of listGraphWindow(client, 'sent', window, {
      mailboxAddress: EMAIL,
      pageSize,
      onProgress: (p) => progress.push(p.scanned),
    }))
      pages.push(page);
    return { pages, messages: pages.flat(), progress };
  }

  it('lists exactly the Sent Items of the window, each once, with their internetMessageId, one request at a time', async () => {
    const newest = Date.now() - 60_000;
    const seeded = fake.seedSentItems(EMAIL, 400, { newest, spacingMs: DAY / 8 });
    const window = { from: newest - 30 * DAY, to: newest + 1 };
    const { messages, pages, progress } = await collect(window);
    const expected = seeded.filter((m) => {
      const at = Date.parse(m.receivedDateTime);
      return at >= window.from && at < window.to;
    });
    expect(messages).toHaveLength(expected.length);
    expect(new Set(messages.map((m) => m.providerMessageId)).size).toBe(expected.length);
    const withIds = expected.filter((m) => m.internetMessageId !== null).length;
    expect(messages.filter((m) => m.messageId !== null)).toHaveLength(withIds);
    expect(messages.every((m) => m.folderRole === 'sent')).toBe(true);
    expect(pages.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(expected.length);
    // The audit reads Graph one page at a time: well inside the 4 concurrent requests per mailbox.
    expect(fake.counters.maxConcurrent).toBe(1);
  });

  it('is not cut by many messages at the same instant across a page boundary', async () => {
    const at = Date.now() - DAY;
    // 120 sent in the same second: the keyset pager must re-read that instant without repeats or gaps.
    fake.seedSentItems(EMAIL, 120, { newest: at, spacingMs: 0 });
    const { messages } = await collect({ from: at - DAY, to: at + DAY }, 50);
    expect(messages).toHaveLength(120);
    expect(new Set(messages.map((m) => m.providerMessageId)).size).toBe(120);
  });
});
