import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../../lib/errors/describeError';
import type { ThreadSnapshot } from '../../lib/mail/MailMessage';
import type { MessageLogStatus, ThreadView } from '../../lib/panel/ThreadView';
import type { PanelApi } from './PanelApi';

export type PanelState =
  | { status: 'no_thread' }
  | { status: 'loading' }
  | { status: 'failed'; error: unknown }
  | {
      status: 'ready';
      view: ThreadView;
      /** Sequence number of the request that produced `view`. */
      viewSeq: number;
      refreshing: boolean;
      /** A refresh failed while an earlier (cached) view stays on screen. */
      refreshError: unknown;
    };

/** A log answer newer than the view on screen; `seq` is the request counter when it arrived. */
export interface LogOverride {
  status: MessageLogStatus;
  seq: number;
  /** The log call itself failed (nothing reached the outbox), so retrying means logging again. */
  failedLocally: boolean;
}

const EMPTY_SET: ReadonlySet<string> = new Set();

/** Identity of a thread as far as the CRM is concerned: re-rendering the same thread must not re-query. */
function threadKeyOf(snapshot: ThreadSnapshot | null): string | null {
  if (!snapshot) return null;
  return JSON.stringify([
    snapshot.provider,
    snapshot.mailbox,
    snapshot.threadId,
    snapshot.messages.map((message) => message.providerMessageId),
  ]);
}

/** Errors the user must fix in the settings: cached data would only hide them. */
export function needsSettings(error: unknown): boolean {
  return describeError(error, 'crm').action === 'open_settings';
}

export function describeCrmError(error: unknown): string {
  return describeError(error, 'crm').text;
}

function describeLogResults(results: MessageLogStatus[]): string {
  const count = (state: MessageLogStatus['state']) =>
    results.filter((result) => result.state === state).length;
  const plural = (n: number) => (n === 1 ? '1 email' : `${n} emails`);
  const parts: string[] = [];
  if (count('logged') > 0) parts.push(`Logged ${plural(count('logged'))}.`);
  if (count('queued') > 0) parts.push(`${plural(count('queued'))} queued until the CRM is reachable.`);
  if (count('failed') > 0) parts.push(`${plural(count('failed'))} could not be logged.`);
  if (count('not_loggable') > 0) parts.push(`${plural(count('not_loggable'))} cannot be logged.`);
  return parts.join(' ') || 'Nothing was logged.';
}

export interface ThreadViewModel {
  state: PanelState;
  /** The view's messages with newer log answers applied. */
  messages: MessageLogStatus[];
  inFlight: ReadonlySet<string>;
  announcement: string;
  announce(text: string): void;
  /** Asks the background again, bypassing its cache; `showLoading` replaces the view by the skeleton. */
  refresh(options?: { showLoading?: boolean }): void;
  log(providerMessageIds: string[]): Promise<void>;
  retry(message: MessageLogStatus): Promise<void>;
}

/**
 * The panel's conversation with the background about the thread on screen: one cached
 * answer then one refresh per visit, answers for a thread already left are dropped, a
 * newer answer wins over an older one, and a message is never logged twice at once.
 */
export function useThreadView(snapshot: ThreadSnapshot | null, api: PanelApi): ThreadViewModel {
  const [state, setState] = useState<PanelState>({ status: snapshot ? 'loading' : 'no_thread' });
  const [overrides, setOverrides] = useState<ReadonlyMap<string, LogOverride>>(new Map());
  const [inFlight, setInFlight] = useState<ReadonlySet<string>>(EMPTY_SET);
  const [announcement, setAnnouncement] = useState('');

  const threadKey = threadKeyOf(snapshot);
  const snapshotRef = useRef(snapshot);
  snapshotRef.current = snapshot;
  // Hosts may build a new api object on every render; that alone must not re-query the CRM.
  const apiRef = useRef(api);
  apiRef.current = api;
  /** Bumped each time another thread is shown; answers carry the visit they were asked for. */
  const visitRef = useRef(0);
  /** Monotonic request counter: a newer answer wins over an older one for the same visit. */
  const seqRef = useRef(0);
  const appliedSeqRef = useRef(0);
  /** Read synchronously so a double click cannot start a second call before React re-renders. */
  const inFlightRef = useRef(new Set<string>());

  const openThread = useCallback(async (preferCache: boolean): Promise<ThreadView | null> => {
    const current = snapshotRef.current;
    if (!current) return null;
    const visit = visitRef.current;
    const seq = ++seqRef.current;
    setState((previous) => (previous.status === 'ready' ? { ...previous, refreshing: true } : previous));
    try {
      const view = await apiRef.current.thread.open({ snapshot: current, preferCache });
      if (visit !== visitRef.current || seq < appliedSeqRef.current) return null;
      appliedSeqRef.current = seq;
      setState({ status: 'ready', view, viewSeq: seq, refreshing: false, refreshError: null });
      return view;
    } catch (error) {
      if (visit !== visitRef.current || seq < appliedSeqRef.current) return null;
      setState((previous) =>
        previous.status === 'ready' && !needsSettings(error)
          ? { ...previous, refreshing: false, refreshError: error }
          : { status: 'failed', error },
      );
      return null;
    }
  }, []);

  useEffect(() => {
    visitRef.current += 1;
    appliedSeqRef.current = 0;
    inFlightRef.current = new Set();
    setInFlight(EMPTY_SET);
    setOverrides(new Map());
    setAnnouncement('');
    if (threadKey === null) {
      setState({ status: 'no_thread' });
      return;
    }
    setState({ status: 'loading' });
    void (async () => {
      const view = await openThread(true);
      // One refresh after a cached answer; the refreshed answer is never cached, so this cannot loop.
      if (view?.fromCache) await openThread(false);
    })();
  }, [threadKey, openThread]);

  function setMessagesInFlight(ids: string[], busy: boolean) {
    const next = new Set(inFlightRef.current);
    for (const id of ids) {
      if (busy) next.add(id);
      else next.delete(id);
    }
    inFlightRef.current = next;
    setInFlight(next);
  }

  function recordOverrides(statuses: MessageLogStatus[], failedLocally: boolean) {
    setOverrides((previous) => {
      const next = new Map(previous);
      for (const status of statuses) {
        next.set(status.providerMessageId, { status, seq: seqRef.current, failedLocally });
      }
      return next;
    });
  }

  // An override is newer than the view only if it arrived after the view's request started.
  const messages =
    state.status === 'ready'
      ? state.view.messages.map((message) => {
          const override = overrides.get(message.providerMessageId);
          return override && override.seq >= state.viewSeq ? override.status : message;
        })
      : [];

  async function log(ids: string[]) {
    const current = snapshotRef.current;
    const fresh = ids.filter((id) => !inFlightRef.current.has(id));
    if (!current || fresh.length === 0) return;
    const shown = messages;
    const visit = visitRef.current;
    setMessagesInFlight(fresh, true);
    try {
      const answer = await apiRef.current.thread.log({ snapshot: current, providerMessageIds: fresh });
      if (visit !== visitRef.current) return;
      recordOverrides(answer.messages, false);
      setAnnouncement(describeLogResults(answer.messages));
    } catch (error) {
      if (visit !== visitRef.current) return;
      const message = describeCrmError(error);
      const failed = shown
        .filter((status) => fresh.includes(status.providerMessageId))
        .map((status): MessageLogStatus => ({ ...status, state: 'failed', error: message }));
      recordOverrides(failed, true);
      setAnnouncement(`Could not log: ${message}`);
    } finally {
      if (visit === visitRef.current) setMessagesInFlight(fresh, false);
    }
  }

  async function retry(message: MessageLogStatus) {
    if (overrides.get(message.providerMessageId)?.failedLocally) {
      await log([message.providerMessageId]);
      return;
    }
    const id = message.providerMessageId;
    if (inFlightRef.current.has(id)) return;
    const visit = visitRef.current;
    setMessagesInFlight([id], true);
    try {
      await apiRef.current.outbox.retry({});
      if (visit !== visitRef.current) return;
      setAnnouncement('Retrying failed emails.');
      await openThread(false);
    } catch (error) {
      if (visit === visitRef.current) setAnnouncement(`Could not retry: ${describeCrmError(error)}`);
    } finally {
      if (visit === visitRef.current) setMessagesInFlight([id], false);
    }
  }

  return {
    state,
    messages,
    inFlight,
    announcement,
    announce: setAnnouncement,
    refresh({ showLoading = false } = {}) {
      if (showLoading) setState({ status: 'loading' });
      void openThread(false);
    },
    log,
    retry,
  };
}
