// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import type { PanelApi } from '../../../components/panel/PanelApi';
import { guardPanelWrites, MIN_VISIBLE_MS, PanelClickGuard } from '../../../components/panel/PanelClickGuard';
import { describeError } from '../../../lib/errors/describeError';

/** A clock and a guard whose gestures the test makes (what the capture listeners would stamp). */
function setUp() {
  let now = 1_000;
  const refused: string[] = [];
  const guard = new PanelClickGuard(
    () => now,
    (reason) => refused.push(reason),
  );
  const gesture = () => {
    (guard as unknown as { lastGesture: unknown }).lastGesture = guard.gestureNow();
  };
  return { guard, refused, gesture, advance: (ms: number) => (now += ms) };
}

const visible = { isIntersecting: true, intersectionRatio: 1, isVisible: true };
const covered = { isIntersecting: true, intersectionRatio: 1, isVisible: false };

describe('PanelClickGuard', () => {
  it('accepts a gesture after the panel was unobstructed for the minimum time', () => {
    const { guard, gesture, advance } = setUp();
    guard.observe(visible);
    advance(MIN_VISIBLE_MS);
    gesture();
    expect(() => guard.check()).not.toThrow();
  });

  it('refuses a click while something covers the panel (IntersectionObserver v2 isVisible false), in words', () => {
    const { guard, gesture, advance, refused } = setUp();
    guard.observe(visible);
    advance(2_000);
    guard.observe(covered);
    gesture();
    let error: unknown;
    try {
      guard.check();
    } catch (e) {
      error = e;
    }
    expect(refused).toEqual(['something on the page covered or altered the CRM panel when you clicked']);
    expect(describeError(error, 'crm')).toMatchObject({
      title: 'Click not accepted',
      text: expect.stringContaining('Nothing was done: something on the page covered'),
    });
  });

  it('refuses a click right after the panel became visible, without a gesture, or long after one', () => {
    const { guard, gesture, advance } = setUp();
    expect(() => guard.check()).toThrow(/did not come from a click/);
    guard.observe(visible);
    advance(MIN_VISIBLE_MS - 100);
    gesture();
    expect(() => guard.check()).toThrow(/only just appeared/);
    advance(1_000);
    gesture();
    advance(6_000);
    expect(() => guard.check()).toThrow(/too long after/);
  });

  it('without IntersectionObserver v2 (Firefox) requires the panel fully on screen', () => {
    const { guard, gesture, advance } = setUp();
    guard.observe({ isIntersecting: true, intersectionRatio: 0.5 });
    advance(1_000);
    gesture();
    expect(() => guard.check()).toThrow(/not fully on screen/);
    guard.observe({ isIntersecting: true, intersectionRatio: 1 });
    advance(MIN_VISIBLE_MS);
    gesture();
    expect(() => guard.check()).not.toThrow();
  });

  it('checks writes only: reads pass without a gesture', async () => {
    const log = vi.fn(async () => ({ messages: [] }));
    const open = vi.fn(async () => ({}));
    const api = { thread: { log, open }, contact: { create: vi.fn() } } as unknown as PanelApi;
    const guarded = guardPanelWrites(api, {
      check: () => {
        throw new Error('refused');
      },
    });
    await guarded.thread.open({} as never);
    expect(open).toHaveBeenCalledTimes(1);
    await expect(guarded.thread.log({} as never)).rejects.toThrow('refused');
    expect(log).not.toHaveBeenCalled();
  });
});
