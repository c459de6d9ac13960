import { PANEL_CLICK_REFUSED } from '../../lib/errors/describeError';
import { RemoteError } from '../../lib/messaging/protocol';
import type { PanelApi } from './PanelApi';

/**
 * How long the panel must have been fully visible before a click in it counts: a decoy
 * pulled away just before the click is still caught. Chromium's own dialogs ignore input for
 * a similar time after they appear (InputEventActivationProtector, 500 ms).
 */
export const MIN_VISIBLE_MS = 500;
/** A write must follow a gesture in the panel this recently (the browser's transient activation is 5 s). */
const GESTURE_WINDOW_MS = 5_000;

/** The panel messages that change something in the CRM or in the rep's settings. */
export const PANEL_WRITES = [
  'thread.log',
  'contact.create',
  'outbox.retry',
  'deal.choose',
  'deal.clear',
  'match.correct',
  'match.uncorrect',
  'neverLog.add',
  'neverLog.remove',
  'task.create',
] as const;

export interface Gesture {
  at: number;
  /** Whether the panel was verifiably unobstructed for MIN_VISIBLE_MS when it happened. */
  visible: boolean;
  /** Why not, in words for the rep. */
  reason: string;
}

/**
 * Watches the panel frame's visibility with IntersectionObserver v2 (`trackVisibility`;
 * https://w3c.github.io/IntersectionObserver/v2/ and
 * https://web.dev/articles/intersectionobserver-v2): Chromium reports `isVisible: false`
 * while anything, from any frame, is painted over the target (pointer-events:none decoys
 * included) or while opacity, a transform or a filter alters it. Firefox has no v2 (no
 * `isVisible` on its entries): there the guard can only require that the frame is fully in
 * the viewport and has been for MIN_VISIBLE_MS; occlusion by the page goes undetected, which
 * docs/SECURITY.md states.
 *
 * Every real pointer or key gesture in the frame is stamped with the visibility at that
 * instant (capture phase, before any handler), and a write is allowed only right after a
 * gesture that was stamped visible.
 */
export class PanelClickGuard {
  private visibleSince: number | null = null;
  private trackedByBrowser: boolean | null = null;
  private lastGesture: Gesture | null = null;
  private observer: IntersectionObserver | null = null;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly onRefused: (reason: string) => void = () => undefined,
  ) {}

  /** Starts watching `target` (the frame's root element) and stamping gestures on `win`. */
  watch(target: Element, win: Window): () => void {
    const options = { threshold: [1], trackVisibility: true, delay: 100 } as IntersectionObserverInit;
    this.observer = new IntersectionObserver((entries) => {
      for (const entry of entries) this.observe(entry);
    }, options);
    this.observer.observe(target);
    const stamp = (event: Event) => {
      if (event.isTrusted) this.lastGesture = this.gestureNow();
    };
    for (const type of ['pointerdown', 'click', 'keydown'] as const)
      win.addEventListener(type, stamp, { capture: true });
    return () => {
      this.observer?.disconnect();
      for (const type of ['pointerdown', 'click', 'keydown'] as const)
        win.removeEventListener(type, stamp, { capture: true });
    };
  }

  /** One observation (exported for tests: IntersectionObserverEntry with or without `isVisible`). */
  observe(
    entry: Pick<IntersectionObserverEntry, 'intersectionRatio' | 'isIntersecting'> & { isVisible?: boolean },
  ) {
    this.trackedByBrowser = typeof entry.isVisible === 'boolean';
    const visible = this.trackedByBrowser ? entry.isVisible === true : entry.intersectionRatio >= 0.999;
    if (!visible) this.visibleSince = null;
    else if (this.visibleSince === null) this.visibleSince = this.now();
  }

  gestureNow(): Gesture {
    const at = this.now();
    if (this.visibleSince === null)
      return {
        at,
        visible: false,
        reason:
          this.trackedByBrowser === false
            ? 'the CRM panel was not fully on screen when you clicked'
            : 'something on the page covered or altered the CRM panel when you clicked',
      };
    if (at - this.visibleSince < MIN_VISIBLE_MS)
      return { at, visible: false, reason: 'the CRM panel had only just appeared when you clicked' };
    return { at, visible: true, reason: '' };
  }

  /** Throws (a `cancelled` error the panel words) unless a visible gesture just happened here. */
  check(): void {
    const gesture = this.lastGesture;
    const reason = !gesture
      ? 'it did not come from a click or key press in the CRM panel'
      : this.now() - gesture.at > GESTURE_WINDOW_MS
        ? 'it came too long after your click'
        : gesture.visible
          ? null
          : gesture.reason;
    if (reason === null) return;
    this.onRefused(reason);
    throw new RemoteError({
      kind: 'cancelled',
      source: 'extension',
      message: `Panel click refused: ${reason}`,
      issues: [{ path: PANEL_CLICK_REFUSED, message: reason }],
    });
  }
}

/** `api` with every write checked by `guard` first; reads pass straight through. */
export function guardPanelWrites(api: PanelApi, guard: Pick<PanelClickGuard, 'check'>): PanelApi {
  const guarded: Record<string, unknown> = { ...api };
  const groups = new Map<string, Record<string, unknown>>();
  for (const type of PANEL_WRITES) {
    const [group, method] = type.split('.') as [string, string];
    const original = (api as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>)[
      group
    ];
    if (!original?.[method]) continue;
    const next = groups.get(group) ?? { ...original };
    const call = original[method];
    next[method] = async (input: unknown) => {
      guard.check();
      return call(input);
    };
    groups.set(group, next);
  }
  for (const [group, methods] of groups) guarded[group] = methods;
  return guarded as PanelApi;
}
