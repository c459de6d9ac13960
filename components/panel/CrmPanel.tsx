import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { describeError } from '../../lib/errors/describeError';
import type { ThreadSnapshot } from '../../lib/mail/MailMessage';
import type { MessageLogStatus, ThreadView } from '../../lib/panel/ThreadView';
import { ContactCard } from './ContactCard';
import { formatRelativeTime } from './formatRelativeTime';
import { MessageLogList } from './MessageLogList';
import type { PanelApi } from './PanelApi';
import { SuggestedTaskList } from './SuggestedTaskList';
import { UnknownParticipantRow } from './UnknownParticipantRow';

export interface CrmPanelProps {
  snapshot: ThreadSnapshot | null;
  api: PanelApi;
  /**
   * The addresses of the mailbox the user is reading. The background leaves the CRM
   * user out, but only the host knows the webmail account (and its aliases) in use.
   */
  userAddresses?: string[];
}

type PanelState =
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
interface LogOverride {
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
function needsSettings(error: unknown): boolean {
  return describeError(error, 'crm').action === 'open_settings';
}

function describeLoadError(error: unknown): string {
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

export function CrmPanel({ snapshot, api, userAddresses }: CrmPanelProps) {
  const [state, setState] = useState<PanelState>({ status: snapshot ? 'loading' : 'no_thread' });
  const [collapsed, setCollapsed] = useState(false);
  const [overrides, setOverrides] = useState<ReadonlyMap<string, LogOverride>>(new Map());
  const [inFlight, setInFlight] = useState<ReadonlySet<string>>(EMPTY_SET);
  const [announcement, setAnnouncement] = useState('');
  const bodyId = useId();

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
  const userToggledRef = useRef(false);

  const openThread = useCallback(async (preferCache: boolean): Promise<ThreadView | null> => {
    const current = snapshotRef.current;
    if (!current) return null;
    const visit = visitRef.current;
    const seq = ++seqRef.current;
    setState((previous) => (previous.status === 'ready' ? { ...previous, refreshing: true } : previous));
    try {
      const view = await apiRef.current.openThread(current, { preferCache });
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

  useEffect(() => {
    let cancelled = false;
    apiRef.current.loadCollapsed().then(
      (stored) => {
        if (!cancelled && !userToggledRef.current) setCollapsed(stored);
      },
      // An unreadable preference is not worth an error state: the panel opens expanded.
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, []);

  function toggleCollapsed() {
    userToggledRef.current = true;
    const next = !collapsed;
    setCollapsed(next);
    api
      .saveCollapsed(next)
      .catch((error: unknown) => console.warn('Could not remember the panel state', error));
  }

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

  async function logMessages(ids: string[], shown: MessageLogStatus[]) {
    const current = snapshotRef.current;
    const fresh = ids.filter((id) => !inFlightRef.current.has(id));
    if (!current || fresh.length === 0) return;
    const visit = visitRef.current;
    setMessagesInFlight(fresh, true);
    try {
      const results = await api.logMessages(current, fresh);
      if (visit !== visitRef.current) return;
      recordOverrides(results, false);
      setAnnouncement(describeLogResults(results));
    } catch (error) {
      if (visit !== visitRef.current) return;
      const message = describeLoadError(error);
      const failed = shown
        .filter((status) => fresh.includes(status.providerMessageId))
        .map((status): MessageLogStatus => ({ ...status, state: 'failed', error: message }));
      recordOverrides(failed, true);
      setAnnouncement(`Could not log: ${message}`);
    } finally {
      if (visit === visitRef.current) setMessagesInFlight(fresh, false);
    }
  }

  async function retry(message: MessageLogStatus, shown: MessageLogStatus[]) {
    if (overrides.get(message.providerMessageId)?.failedLocally) {
      await logMessages([message.providerMessageId], shown);
      return;
    }
    const id = message.providerMessageId;
    if (inFlightRef.current.has(id)) return;
    const visit = visitRef.current;
    setMessagesInFlight([id], true);
    try {
      await api.retryFailed();
      if (visit !== visitRef.current) return;
      setAnnouncement('Retrying failed emails.');
      await openThread(false);
    } catch (error) {
      if (visit === visitRef.current) setAnnouncement(`Could not retry: ${describeLoadError(error)}`);
    } finally {
      if (visit === visitRef.current) setMessagesInFlight([id], false);
    }
  }

  const ownAddresses = useMemo(
    () => new Set((userAddresses ?? []).map((address) => address.trim().toLowerCase())),
    [userAddresses],
  );

  const crmUserName = state.status === 'ready' ? state.view.crmUser?.name : undefined;

  return (
    <section className="crm-panel" aria-label="CRM sidebar" data-testid="crm-panel">
      <header className="crm-header">
        <h2 className="crm-title">CRM</h2>
        {crmUserName && (
          <span className="crm-user" title={`Signed in to the CRM as ${crmUserName}`}>
            {crmUserName}
          </span>
        )}
        <button
          type="button"
          className="crm-icon-button"
          aria-expanded={!collapsed}
          aria-controls={bodyId}
          aria-label={collapsed ? 'Expand CRM panel' : 'Collapse CRM panel'}
          onClick={toggleCollapsed}
        >
          <span aria-hidden="true">{collapsed ? '▸' : '▾'}</span>
        </button>
      </header>
      <div id={bodyId} className="crm-body" hidden={collapsed}>
        <PanelBody
          state={state}
          api={api}
          ownAddresses={ownAddresses}
          overrides={overrides}
          inFlight={inFlight}
          onRetryLoad={() => {
            setState({ status: 'loading' });
            void openThread(false);
          }}
          onRefresh={() => void openThread(false)}
          onAnnounce={setAnnouncement}
          onLog={logMessages}
          onRetryLog={retry}
        />
      </div>
      <div className="crm-visually-hidden" aria-live="polite" role="status">
        {announcement}
      </div>
    </section>
  );
}

interface PanelBodyProps {
  state: PanelState;
  api: PanelApi;
  ownAddresses: ReadonlySet<string>;
  overrides: ReadonlyMap<string, LogOverride>;
  inFlight: ReadonlySet<string>;
  onRetryLoad(): void;
  onRefresh(): void;
  onAnnounce(text: string): void;
  onLog(ids: string[], shown: MessageLogStatus[]): void;
  onRetryLog(message: MessageLogStatus, shown: MessageLogStatus[]): void;
}

function PanelBody({
  state,
  api,
  ownAddresses,
  overrides,
  inFlight,
  onRetryLoad,
  onRefresh,
  onAnnounce,
  onLog,
  onRetryLog,
}: PanelBodyProps) {
  switch (state.status) {
    case 'no_thread':
      return <p className="crm-empty">Open an email to see who's in it.</p>;
    case 'loading':
      return <LoadingSkeleton />;
    case 'failed':
      return <LoadError error={state.error} api={api} onRetry={onRetryLoad} />;
    case 'ready':
      break;
  }
  const { view, viewSeq } = state;
  const now = Date.now();
  const known = view.known.filter((card) => !ownAddresses.has(card.matchedAddress.toLowerCase()));
  const unknown = view.unknown.filter((participant) => !ownAddresses.has(participant.address.toLowerCase()));
  // An override is newer than the view only if it arrived after the view's request started.
  const messages = view.messages.map((message) => {
    const override = overrides.get(message.providerMessageId);
    return override && override.seq >= viewSeq ? override.status : message;
  });

  return (
    <>
      {view.notice && <p className="crm-notice">{view.notice}</p>}
      {state.refreshError !== null && (
        <div className="crm-notice crm-notice-warning" role="alert">
          <p>
            Showing saved data from {formatRelativeTime(view.fetchedAt, now)}.{' '}
            {describeLoadError(state.refreshError)}
          </p>
          <button type="button" className="crm-button" onClick={onRefresh}>
            Retry
          </button>
        </div>
      )}
      {state.refreshing && (
        <p className="crm-muted crm-refreshing" aria-hidden="true">
          Updating…
        </p>
      )}
      {known.length === 0 && unknown.length === 0 ? (
        <p className="crm-empty">Nobody else is in this thread.</p>
      ) : (
        <>
          {known.length > 0 && (
            <section className="crm-section" aria-label="Contacts in your CRM">
              <h3 className="crm-heading">In your CRM</h3>
              <ul className="crm-contacts">
                {known.map((card) => (
                  <li key={card.contact.id}>
                    <ContactCard card={card} now={now} />
                  </li>
                ))}
              </ul>
            </section>
          )}
          {unknown.length > 0 && (
            <section className="crm-section" aria-label="Not in your CRM">
              <h3 className="crm-heading">Not in your CRM</h3>
              <ul className="crm-unknowns">
                {unknown.map((participant) => (
                  <UnknownParticipantRow
                    key={participant.address}
                    participant={participant}
                    createContact={(input) => api.createContact(input)}
                    onContactCreated={({ name, existed }) => {
                      onAnnounce(
                        existed ? `${participant.address} is already in the CRM.` : `Created ${name}.`,
                      );
                      onRefresh();
                    }}
                  />
                ))}
              </ul>
            </section>
          )}
        </>
      )}
      <SuggestedTaskList
        tasks={view.suggestedTasks}
        createTask={(task) => api.createTask(task)}
        onAnnounce={onAnnounce}
      />
      <MessageLogList
        messages={messages}
        inFlight={inFlight}
        onLog={(ids) => onLog(ids, messages)}
        onRetry={(message) => onRetryLog(message, messages)}
        now={now}
      />
    </>
  );
}

function LoadingSkeleton() {
  return (
    <div className="crm-skeleton" aria-busy="true">
      <span className="crm-visually-hidden">Loading CRM data…</span>
      <div className="crm-skeleton-line crm-skeleton-title" />
      <div className="crm-skeleton-line" />
      <div className="crm-skeleton-line crm-skeleton-short" />
      <div className="crm-skeleton-block" />
    </div>
  );
}

function LoadError({ error, api, onRetry }: { error: unknown; api: PanelApi; onRetry(): void }) {
  const wording = describeError(error, 'crm');
  if (wording.action === 'open_settings') {
    return (
      <div className="crm-state" role="alert">
        <p className="crm-state-title">{wording.title}</p>
        <p>{wording.text}</p>
        <button type="button" className="crm-button crm-button-primary" onClick={() => api.openOptions()}>
          Open settings
        </button>
      </div>
    );
  }
  return (
    <div className="crm-state" role="alert">
      <p className="crm-state-title">Couldn't load CRM data</p>
      <p>{wording.text}</p>
      <button type="button" className="crm-button crm-button-primary" onClick={onRetry}>
        Retry
      </button>
    </div>
  );
}
