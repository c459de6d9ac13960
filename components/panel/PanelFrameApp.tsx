import { useEffect, useMemo, useRef, useState } from 'react';
import type { DockState } from '../../lib/mail/outlook/page/outlookPanelDock';
import type { PanelFrameHostLink } from '../../lib/platform/acceptPanelFrameHost';
import type { PanelFrameState } from '../../lib/platform/panelFrameProtocol';
import { markPanelTiming, PANEL_TIMING } from '../../lib/platform/panelTiming';
import type { PanelApi } from './PanelApi';
import { guardPanelWrites, PanelClickGuard } from './PanelClickGuard';
import { dockStyles, PanelDock } from './PanelDock';
import { PanelRoot } from './PanelRoot';

export interface PanelFrameAppProps {
  api: PanelApi;
  /** Resolves once the host's channel is confirmed (lib/platform/acceptPanelFrameHost). */
  link: PanelFrameHostLink | null;
  /** Set when the frame was refused (not made by the extension in this tab). */
  refused: boolean;
}

/** The page's own stylesheet: the frame is the panel's whole viewport. */
const frameStyles = `
html, body { margin: 0; padding: 0; height: 100%; background: transparent; }
.crm-frame-root { position: fixed; inset: 0; overflow: auto; }
.crm-frame-notice { margin: 8px; padding: 8px; border-radius: 6px; font: 13px/1.4 system-ui, sans-serif;
  background: #fff8c5; color: #3b2300; border: 1px solid #d4a72c; }
@media (prefers-color-scheme: dark) { .crm-frame-notice { background: #2e2400; color: #f0e2b0; border-color: #7a5b00; } }
`;

/**
 * The panel page: the shared panel for the thread its host (the Outlook or Gmail content
 * script) sends, inside the Outlook dock when the host is Outlook. Writes go through the
 * click guard: only right after a real gesture in this frame while nothing covered it.
 */
export function PanelFrameApp({ api, link, refused }: PanelFrameAppProps) {
  const [state, setState] = useState<PanelFrameState | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const guard = useMemo(
    () => new PanelClickGuard(undefined, (reason) => setNotice(`Click not accepted: ${reason}.`)),
    [],
  );
  const guardedApi = useMemo(() => guardPanelWrites(api, guard), [api, guard]);

  useEffect(() => {
    const root = rootRef.current;
    if (!root) return;
    return guard.watch(root, window);
  }, [guard]);

  useEffect(() => {
    link?.onState((next) => {
      markPanelTiming(PANEL_TIMING.firstState);
      setState(next);
    });
  }, [link]);

  // Without a dock (Gmail's sidebar) the host sizes the frame to the panel's content.
  const contentRef = useRef<HTMLDivElement>(null);
  const docked = Boolean(state?.dock);
  useEffect(() => {
    const content = contentRef.current;
    if (!link || docked || !content) return;
    const observer = new ResizeObserver(() =>
      link.send({ type: 'height', height: Math.ceil(content.getBoundingClientRect().height) }),
    );
    observer.observe(content);
    return () => observer.disconnect();
  }, [link, docked]);

  // The notice goes once the rep acts again, so it always belongs to the last click.
  useEffect(() => {
    if (!notice) return;
    const clear = () => setNotice(null);
    const timer = setTimeout(clear, 8_000);
    return () => clearTimeout(timer);
  }, [notice]);

  const changeDock = (next: DockState) => link?.send({ type: 'dock', state: next });

  const panel = refused ? (
    <p className="crm-frame-notice" role="alert">
      This CRM panel was not opened by the CRM Sidebar extension in this tab, so it shows nothing.
    </p>
  ) : (
    <>
      {notice ? (
        <p className="crm-frame-notice" role="alert">
          {notice} Make sure nothing covers the CRM panel, then click again.
        </p>
      ) : null}
      <PanelRoot
        snapshot={state?.snapshot ?? null}
        pageError={state?.pageError ?? null}
        api={guardedApi}
        userAddresses={state?.userAddresses ?? []}
      />
    </>
  );

  return (
    <div ref={rootRef} className="crm-frame-root" data-host={link?.host ?? ''}>
      <style>{frameStyles}</style>
      {state?.dock ? (
        <>
          <style>{dockStyles}</style>
          <PanelDock
            state={state.dock.state}
            width={state.dock.width}
            theme={state.theme ?? 'light'}
            onChange={changeDock}
          >
            {panel}
          </PanelDock>
        </>
      ) : (
        <div ref={contentRef}>{panel}</div>
      )}
    </div>
  );
}
