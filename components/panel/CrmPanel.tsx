import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { describeError } from '../../lib/errors/describeError';
import type { ErrorInfo } from '../../lib/errors/ErrorInfo';
import type { ThreadSnapshot } from '../../lib/mail/MailMessage';
import type { MessageLogStatus } from '../../lib/panel/ThreadView';
import { formatRelativeTime } from '../shared/formatRelativeTime';
import type { Correction } from './CardCorrections';
import { ContactCard } from './ContactCard';
import { MessageLogList } from './MessageLogList';
import type { PanelApi } from './PanelApi';
import { PANEL_SECTIONS } from './panelSections';
import { ReceiptActions } from './ReceiptActions';
import { UnknownParticipantRow } from './UnknownParticipantRow';
import { type CorrectionsModel, useCorrections } from './useCorrections';
import { describeCrmError, type ThreadViewModel, useThreadView } from './useThreadView';

export interface CrmPanelProps {
  snapshot: ThreadSnapshot | null;
  api: PanelApi;
  /**
   * The addresses of the mailbox the user is reading. The background leaves the CRM
   * user out, but only the host knows the webmail account (and its aliases) in use.
   */
  userAddresses?: string[];
  /**
   * Why the host passed no thread although the page shows one (over the snapshot limits):
   * the panel says so instead of "Open an email".
   */
  pageError?: ErrorInfo | null;
}

/** Fire-and-forget from a click handler; a failure to open the page is logged, not silent. */
/** `route`: a view of the options page, e.g. `#setup/connect` (lib/setup/optionsRoute). */
function openOptions(api: PanelApi, route?: string): void {
  api.options
    .open(route ? { route } : {})
    .catch((error: unknown) => console.warn('Could not open the settings', error));
}

/** The remembered collapsed state; a click before it has loaded wins over the stored value. */
function useCollapsed(api: PanelApi): [boolean, () => void] {
  const [collapsed, setCollapsed] = useState(false);
  const userToggledRef = useRef(false);
  const apiRef = useRef(api);
  apiRef.current = api;
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
  function toggle() {
    userToggledRef.current = true;
    const next = !collapsed;
    setCollapsed(next);
    apiRef.current
      .saveCollapsed(next)
      .catch((error: unknown) => console.warn('Could not remember the panel state', error));
  }
  return [collapsed, toggle];
}

export function CrmPanel({ snapshot, api, userAddresses, pageError }: CrmPanelProps) {
  const model = useThreadView(snapshot, api);
  const [collapsed, toggleCollapsed] = useCollapsed(api);
  const bodyId = useId();
  const ownAddresses = useMemo(
    () => new Set((userAddresses ?? []).map((address) => address.trim().toLowerCase())),
    [userAddresses],
  );
  const crmUserName = model.state.status === 'ready' ? model.state.view.crmUser?.name : undefined;

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
        <PanelBody model={model} api={api} ownAddresses={ownAddresses} pageError={pageError ?? null} />
      </div>
      <div className="crm-visually-hidden" aria-live="polite" role="status">
        {model.announcement}
      </div>
    </section>
  );
}

interface PanelBodyProps {
  model: ThreadViewModel;
  api: PanelApi;
  ownAddresses: ReadonlySet<string>;
  pageError: ErrorInfo | null;
}

function PanelBody({ model, api, ownAddresses, pageError }: PanelBodyProps) {
  const { state, messages } = model;
  const corrections = useCorrections(api, model.announce, () => model.refresh());
  switch (state.status) {
    case 'no_thread': {
      if (!pageError) return <p className="crm-empty">Open an email to see who's in it.</p>;
      const wording = describeError(pageError, 'crm');
      return (
        <div className="crm-state" role="alert" data-testid="crm-page-error">
          <p className="crm-state-title">{wording.title}</p>
          <p>{wording.text}</p>
        </div>
      );
    }
    case 'loading':
      return <LoadingSkeleton />;
    case 'failed':
      return <LoadError error={state.error} api={api} onRetry={() => model.refresh({ showLoading: true })} />;
    case 'ready':
      break;
  }
  const { view } = state;
  const now = Date.now();
  const known = view.known.filter((card) => !ownAddresses.has(card.matchedAddress.toLowerCase()));
  const unknown = view.unknown.filter((participant) => !ownAddresses.has(participant.address.toLowerCase()));
  const refresh = () => model.refresh();
  const correct = (correction: Correction) => void corrections.apply(correction);

  return (
    <>
      <p className="crm-muted crm-source" data-testid="crm-source">
        <span
          className="crm-badge"
          title={
            view.source === 'exact'
              ? 'Every message was confirmed by the mail provider (exact Message-IDs and recipients).'
              : 'Read from what the page shows; connect the mailbox for exact Message-IDs and recipients.'
          }
        >
          {view.source === 'exact' ? 'exact' : 'read from the page'}
        </span>
      </p>
      {view.notice && <p className="crm-notice">{view.notice}</p>}
      {view.namedOnly.length > 0 && (
        <section className="crm-section" aria-label="Shown by name only">
          <h3 className="crm-heading">Shown by name only</h3>
          <ul>
            {view.namedOnly.map((name) => (
              <li key={name}>{name}</li>
            ))}
          </ul>
          <p className="crm-muted">The page shows no address for them, so the CRM cannot be searched.</p>
        </section>
      )}
      <UndoBar corrections={corrections} />
      {state.refreshError !== null && (
        <div className="crm-notice crm-notice-warning" role="alert">
          <p>
            Showing saved data from {formatRelativeTime(view.fetchedAt, now)}.{' '}
            {describeCrmError(state.refreshError)}
          </p>
          <button type="button" className="crm-button" onClick={refresh}>
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
                    <ContactCard
                      card={card}
                      now={now}
                      onCorrect={correct}
                      crm={view.connectedCrm}
                      teamContact={{
                        person: view.teamContacts.byContact[card.contact.id] ?? null,
                        company: card.company ? (view.teamContacts.byCompany[card.company.id] ?? null) : null,
                      }}
                    />
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
                    createContact={(input) => api.contact.create(input)}
                    onContactCreated={({ name, existed }) => {
                      model.announce(
                        existed ? `${participant.address} is already in the CRM.` : `Created ${name}.`,
                      );
                      refresh();
                    }}
                    otherAddress={
                      view.alternateAddresses.supported
                        ? {
                            offer:
                              view.alternateAddresses.offers.find((o) => o.address === participant.address) ??
                              null,
                            contacts: known.map((card) => ({ id: card.contact.id, name: card.contact.name })),
                            onAdd: correct,
                          }
                        : undefined
                    }
                  />
                ))}
              </ul>
            </section>
          )}
        </>
      )}
      {PANEL_SECTIONS.map(({ id, Section }) => (
        <Section
          key={id}
          view={view}
          api={api}
          onAnnounce={model.announce}
          onRefresh={refresh}
          onCorrect={correct}
        />
      ))}
      <MessageLogList
        messages={messages}
        privacyLevel={view.privacyLevel}
        onChangePrivacy={() => openOptions(api, '#setup/privacy')}
        inFlight={model.inFlight}
        onLog={(ids) => void model.log(ids)}
        onRetry={(message: MessageLogStatus) => void model.retry(message)}
        renderActions={(message) => (
          <ReceiptActions
            message={message}
            view={view}
            api={api}
            onAnnounce={model.announce}
            onRefresh={refresh}
          />
        )}
        now={now}
      />
    </>
  );
}

function UndoBar({ corrections }: { corrections: CorrectionsModel }) {
  if (corrections.error)
    return (
      <p className="crm-error" role="alert">
        Could not save the correction: {corrections.error}
      </p>
    );
  if (!corrections.offer) return null;
  return (
    <div className="crm-notice crm-undo" role="status">
      <span>{corrections.offer.text}</span>
      <button
        type="button"
        className="crm-button"
        disabled={corrections.busy}
        onClick={() => void corrections.undo()}
      >
        Undo
      </button>
      <button type="button" className="crm-link-button" onClick={corrections.dismiss}>
        Dismiss
      </button>
    </div>
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
        {/* Both a missing and a refused connection are fixed in the set-up's connect step. */}
        <button
          type="button"
          className="crm-button crm-button-primary"
          onClick={() => openOptions(api, '#setup/connect')}
        >
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
