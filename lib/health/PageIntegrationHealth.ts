import { z } from 'zod';

/**
 * Whether the in-page integration (InboxSDK in Gmail, the reading-pane reader in Outlook) still
 * reads the open email. Webmail pages change without notice; when a change breaks the reader
 * the rep would otherwise just see no panel. The content scripts report what they find, the
 * background decides (nextPageHealth) and the popup and options say it in words
 * (describePageIntegration). Shared by both sides: no browser or background code here.
 */
export const PageProvider = z.enum(['gmail', 'outlook']);
export type PageProvider = z.infer<typeof PageProvider>;

/** What a content script found: started, failed to start, or a thread URL read or not read in time. */
export const PageHealthSignal = z.enum(['started', 'start_failed', 'thread_read', 'thread_unreadable']);
export type PageHealthSignal = z.infer<typeof PageHealthSignal>;

/**
 * Thread URLs opened in a row without a readable thread before the integration counts as
 * broken: one miss can be a slow page or a message deleted meanwhile, two in a row are not.
 */
export const UNREADABLE_OPENS_FOR_BROKEN = 2;

export const PageIntegrationState = z.object({
  provider: PageProvider,
  /** `not_seen`: no tab of this webmail has reported yet. */
  state: z.enum(['not_seen', 'working', 'broken']),
  /** Broken: since the first unreadable open of the run; working: since the last read. ISO. */
  since: z.string().datetime().nullable(),
  lastThreadReadAt: z.string().datetime().nullable(),
  /** Thread URLs opened in a row without a readable thread. */
  unreadableInARow: z.number().int().min(0),
  firstUnreadableAt: z.string().datetime().nullable(),
  /** What the content script said about the last failure (technical; for details and the event log). */
  detail: z.string().max(300),
});
export type PageIntegrationState = z.infer<typeof PageIntegrationState>;

export function initialPageIntegrationState(provider: PageProvider): PageIntegrationState {
  return {
    provider,
    state: 'not_seen',
    since: null,
    lastThreadReadAt: null,
    unreadableInARow: 0,
    firstUnreadableAt: null,
    detail: '',
  };
}

export interface PageHealthStep {
  state: PageIntegrationState;
  /** A change worth recording in the event log. */
  transition: 'broke' | 'recovered' | null;
}

/** The one rule: what a signal does to an integration's state. */
export function nextPageHealth(
  current: PageIntegrationState,
  signal: PageHealthSignal,
  at: Date,
  detail = '',
): PageHealthStep {
  const iso = at.toISOString();
  const wasBroken = current.state === 'broken';
  switch (signal) {
    case 'started':
      // Starting says nothing about reading threads; a broken integration stays broken.
      return {
        state: current.state === 'not_seen' ? { ...current, state: 'working', since: iso } : current,
        transition: null,
      };
    case 'thread_read':
      return {
        state: {
          ...current,
          state: 'working',
          since: wasBroken || current.state === 'not_seen' ? iso : current.since,
          lastThreadReadAt: iso,
          unreadableInARow: 0,
          firstUnreadableAt: null,
          detail: '',
        },
        transition: wasBroken ? 'recovered' : null,
      };
    case 'start_failed':
      return {
        state: {
          ...current,
          state: 'broken',
          since: wasBroken ? current.since : iso,
          detail: detail.slice(0, 300),
        },
        transition: wasBroken ? null : 'broke',
      };
    case 'thread_unreadable': {
      const unreadableInARow = current.unreadableInARow + 1;
      const firstUnreadableAt = current.firstUnreadableAt ?? iso;
      const broken = wasBroken || unreadableInARow >= UNREADABLE_OPENS_FOR_BROKEN;
      return {
        state: {
          ...current,
          state: broken ? 'broken' : current.state === 'not_seen' ? 'not_seen' : 'working',
          since: broken ? (wasBroken ? current.since : firstUnreadableAt) : current.since,
          unreadableInARow,
          firstUnreadableAt,
          detail: detail.slice(0, 300),
        },
        transition: broken && !wasBroken ? 'broke' : null,
      };
    }
  }
}
