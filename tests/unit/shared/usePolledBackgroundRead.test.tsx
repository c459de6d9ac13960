// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { usePolledBackgroundRead } from '../../../components/shared/usePolledBackgroundRead';
import { describeError } from '../../../lib/errors/describeError';
import type { ErrorInfo } from '../../../lib/errors/ErrorInfo';

/** A sync's progress as a read answers it: polling goes on while `syncing` holds. */
interface Progress {
  syncing: boolean;
  done: number;
}

/**
 * A read whose answers the test gives one at a time, so each request is seen and answered
 * on purpose (how many are asked, and whether a second one is asked before the first answered).
 */
class ScriptedRead {
  private pending: { resolve: (p: Progress) => void; reject: (e: unknown) => void }[] = [];
  asked = 0;
  readonly read = (): Promise<Progress> => {
    this.asked += 1;
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  };
  get waiting(): number {
    return this.pending.length;
  }
  async answer(progress: Progress): Promise<void> {
    await act(async () => this.take().resolve(progress));
  }
  async fail(error: unknown): Promise<void> {
    await act(async () => this.take().reject(error));
  }
  private take() {
    const next = this.pending.shift();
    if (!next) throw new Error('no request is waiting for an answer');
    return next;
  }
}

const POLL_MS = 10;
const keepPolling = (p: Progress) => p.syncing;
const pause = (ms: number) => act(() => new Promise<void>((r) => setTimeout(r, ms)));

function renderRead(source: ScriptedRead) {
  return renderHook(() =>
    usePolledBackgroundRead({
      read: source.read,
      keepPolling,
      pollIntervalMs: POLL_MS,
      errorContext: 'settings',
    }),
  );
}

afterEach(cleanup);

describe('usePolledBackgroundRead', () => {
  it('reads once on mount, shows nothing until the answer, and does not poll when nothing is under way', async () => {
    const source = new ScriptedRead();
    const { result } = renderRead(source);
    expect(result.current.value).toBeNull();
    expect(result.current.error).toBeNull();
    expect(source.asked).toBe(1);
    await source.answer({ syncing: false, done: 3 });
    expect(result.current.value).toEqual({ syncing: false, done: 3 });
    await pause(POLL_MS * 5);
    expect(source.asked).toBe(1);
  });

  it('asks again one interval after each answer while polling holds, never twice before an answer, and stops after', async () => {
    const source = new ScriptedRead();
    const { result } = renderRead(source);
    await source.answer({ syncing: true, done: 1 });
    await waitFor(() => expect(source.asked).toBe(2));
    // The second request is slow: no third one goes out while it is unanswered.
    await pause(POLL_MS * 5);
    expect(source.asked).toBe(2);
    await source.answer({ syncing: true, done: 2 });
    expect(result.current.value).toEqual({ syncing: true, done: 2 });
    await waitFor(() => expect(source.asked).toBe(3));
    await source.answer({ syncing: false, done: 3 });
    await pause(POLL_MS * 5);
    expect(source.asked).toBe(3);
    expect(result.current.value).toEqual({ syncing: false, done: 3 });
  });

  it('words a failed read, keeps the last value beside it, goes on polling after it, and clears it with the next good answer', async () => {
    const source = new ScriptedRead();
    const { result } = renderRead(source);
    await source.answer({ syncing: true, done: 1 });
    await waitFor(() => expect(source.waiting).toBe(1));
    const refused: ErrorInfo = { kind: 'storage', message: 'QuotaExceededError' };
    await source.fail(refused);
    expect(result.current.error).toBe(describeError(refused, 'settings').text);
    expect(result.current.error).toMatch(/QuotaExceededError/);
    expect(result.current.value).toEqual({ syncing: true, done: 1 });
    await waitFor(() => expect(source.asked).toBe(3));
    await source.answer({ syncing: false, done: 2 });
    expect(result.current.error).toBeNull();
    expect(result.current.value).toEqual({ syncing: false, done: 2 });
  });

  it('reads again on refresh, and its own failure lands in error rather than throwing', async () => {
    const source = new ScriptedRead();
    const { result } = renderRead(source);
    await source.answer({ syncing: false, done: 1 });
    let refreshed: Promise<void> = Promise.resolve();
    act(() => {
      refreshed = result.current.refresh();
    });
    expect(source.asked).toBe(2);
    await source.fail(new Error('background went away'));
    await expect(refreshed).resolves.toBeUndefined();
    expect(result.current.error).toMatch(/background went away/);
    expect(result.current.value).toEqual({ syncing: false, done: 1 });
  });

  it('lets the caller replace the value, and tells it when the component is gone', async () => {
    const source = new ScriptedRead();
    const { result, unmount } = renderRead(source);
    await source.answer({ syncing: false, done: 1 });
    act(() => result.current.setValue((current) => ({ syncing: false, done: (current?.done ?? 0) + 10 })));
    expect(result.current.value).toEqual({ syncing: false, done: 11 });
    expect(result.current.isMounted()).toBe(true);
    const { isMounted } = result.current;
    unmount();
    expect(isMounted()).toBe(false);
  });

  it('asks nothing after unmount, neither the pending timer nor after a late answer that says the work goes on', async () => {
    const source = new ScriptedRead();
    const first = renderRead(source);
    await source.answer({ syncing: true, done: 1 });
    await waitFor(() => expect(source.waiting).toBe(1));
    first.unmount();
    await source.answer({ syncing: true, done: 2 });
    await pause(POLL_MS * 5);
    expect(source.asked).toBe(2);
    // Unmounted with the timer set (the answer came, the next request not yet due).
    const second = renderRead(source);
    await source.answer({ syncing: true, done: 3 });
    second.unmount();
    await pause(POLL_MS * 5);
    expect(source.asked).toBe(3);
  });
});
