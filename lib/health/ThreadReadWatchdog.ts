import type { PageHealthSignal } from './PageIntegrationHealth';

/**
 * How long a thread URL may stay open without a readable thread before it counts as
 * unreadable: far above what the readers need (the Outlook reader answers within a frame of
 * the pane's last change, InboxSDK's thread view within a second or two of navigation), well
 * below the minute in which the rep should be told.
 */
export const THREAD_READ_TIMEOUT_MS = 8_000;

export interface ThreadReadWatchdogOptions {
  /** The page's URL names an open thread (not the inbox list, settings or a search). */
  isThreadUrl(url: string): boolean;
  report(signal: PageHealthSignal, detail: string): void;
  timeoutMs?: number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/**
 * The content scripts' side of page health: for every thread URL the page navigates to, it
 * reports once whether the integration read a thread there in time. Pages that are not a
 * thread (the list, settings, search results) report nothing, so they can never raise an alarm.
 */
export class ThreadReadWatchdog {
  private url: string | null = null;
  private timer: unknown = null;
  private reported = false;
  private readonly setTimer: (run: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;

  constructor(private readonly options: ThreadReadWatchdogOptions) {
    this.setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  }

  /** The page is at `url` now (start, or a navigation inside the single-page app). */
  urlChanged(url: string): void {
    if (url === this.url) return;
    this.stop();
    this.url = url;
    this.reported = false;
    if (!this.options.isThreadUrl(url)) return;
    this.timer = this.setTimer(() => {
      this.timer = null;
      if (this.reported) return;
      this.reported = true;
      this.options.report(
        'thread_unreadable',
        `no thread read within ${Math.round((this.options.timeoutMs ?? THREAD_READ_TIMEOUT_MS) / 1000)} s of opening a thread URL`,
      );
    }, this.options.timeoutMs ?? THREAD_READ_TIMEOUT_MS);
  }

  /** The integration read a thread on the current page. */
  threadRead(): void {
    this.stop();
    if (this.reported) return;
    this.reported = true;
    this.options.report('thread_read', '');
  }

  stop(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }
}

/**
 * A Gmail URL that shows one thread: `#inbox/<token>`, `#label/<name>/<token>`,
 * `#search/<query>/<token>`, `#sent/<token>`. Today's tokens are opaque base-62 strings of about
 * 32 characters (`FMfcgzQgLjNPlfJCVRfnNkPGkLhWClCW`; also starting `Ktbx`, `CXKn`, `QgrcJ`), older
 * links carry the 16-hex-digit API thread id: https://github.com/googleworkspace/cli/issues/790
 * and https://github.com/googleworkspace/cli/issues/858. The list itself (`#inbox`), settings
 * (`#settings/...`) and a search without a thread open are not threads.
 */
export function isGmailThreadUrl(url: string): boolean {
  let hash: string;
  try {
    hash = new URL(url).hash.replace(/^#/, '');
  } catch {
    return false;
  }
  const segments = hash.split('?')[0]!.split('/').filter(Boolean);
  if (segments.length < 2 || segments[0] === 'settings') return false;
  const last = segments.at(-1) ?? '';
  return /^[0-9a-f]{16}$/i.test(last) || /^[A-Za-z0-9]{24,}$/.test(last);
}
