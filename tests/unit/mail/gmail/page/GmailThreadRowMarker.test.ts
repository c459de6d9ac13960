import { describe, expect, it, vi } from 'vitest';
import {
  IN_CRM_LABEL,
  type SdkThreadRowView,
  startGmailThreadRowMarker,
} from '../../../../../lib/mail/gmail/page/GmailThreadRowMarker';

function fakeRow(threadId: string) {
  const labels: unknown[] = [];
  const row: SdkThreadRowView = {
    destroyed: false,
    getThreadIDAsync: async () => threadId,
    addLabel: (label) => void labels.push(label),
  };
  return { row, labels };
}

function fakeSdk() {
  let handler: ((row: SdkThreadRowView) => void) | null = null;
  return {
    sdk: {
      Lists: {
        registerThreadRowViewHandler: (h: (row: SdkThreadRowView) => void) => {
          handler = h;
          return () => {
            handler = null;
          };
        },
      },
      User: { getEmailAddress: () => 'Riley@OurCo.example' },
    },
    show: (row: SdkThreadRowView) => handler?.(row),
  };
}

describe('GmailThreadRowMarker: "In CRM" on logged threads in Gmail lists', () => {
  it('asks once for a burst of rows and labels only the logged threads', async () => {
    const { sdk, show } = fakeSdk();
    const loggedThreads = vi.fn(async (r: { threadIds: string[] }) => ({
      threadIds: r.threadIds.filter((t) => t === 't1'),
      marker: true,
    }));
    const marker = startGmailThreadRowMarker(sdk, { loggedThreads, batchDelayMs: 5 });
    const a = fakeRow('t1');
    const b = fakeRow('t2');
    show(a.row);
    show(b.row);
    await vi.waitFor(() => expect(a.labels).toEqual([IN_CRM_LABEL]));
    expect(b.labels).toEqual([]);
    expect(loggedThreads).toHaveBeenCalledTimes(1);
    expect(loggedThreads).toHaveBeenCalledWith({
      provider: 'gmail',
      mailbox: 'riley@ourco.example',
      threadIds: ['t1', 't2'],
    });
    marker.stop();
  });

  it('draws nothing when the background says the marker is off', async () => {
    const { sdk, show } = fakeSdk();
    const loggedThreads = vi.fn(async () => ({ threadIds: ['t1'], marker: false }));
    startGmailThreadRowMarker(sdk, { loggedThreads, batchDelayMs: 1 });
    const a = fakeRow('t1');
    show(a.row);
    await vi.waitFor(() => expect(loggedThreads).toHaveBeenCalled());
    expect(a.labels).toEqual([]);
  });

  it('asks at most 100 threads at a time', async () => {
    const { sdk, show } = fakeSdk();
    const sizes: number[] = [];
    const loggedThreads = vi.fn(async (r: { threadIds: string[] }) => {
      sizes.push(r.threadIds.length);
      return { threadIds: [], marker: true };
    });
    startGmailThreadRowMarker(sdk, { loggedThreads, batchDelayMs: 5 });
    for (let i = 0; i < 150; i++) show(fakeRow(`t${i}`).row);
    await vi.waitFor(() => expect(sizes).toEqual([100, 50]));
  });
});
