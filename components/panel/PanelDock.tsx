import { type KeyboardEvent, type PointerEvent, type ReactNode, useEffect, useId, useRef } from 'react';
import { DOCK_MAX_WIDTH, DOCK_MIN_WIDTH, type DockState } from '../../lib/mail/outlook/page/outlookPanelDock';
import { panelColours } from './panelStyles';

const KEY_STEP = 16;

/**
 * The dock's own stylesheet (in the panel page, which fills the frame the Outlook content
 * script positions). The panel takes Outlook's theme, whatever the system's scheme: the
 * page's light or dark colours override the panel's media-query ones (more specific
 * selectors), so panel and page never disagree.
 */
export const dockStyles = `
.crm-dock { position: fixed; top: 0; right: 0; bottom: 0; left: 0; display: flex;
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  --dock-bg: #ffffff; --dock-fg: #1f2328; --dock-border: #d1d9e0; --dock-accent: #0969da; }
.crm-dock[data-theme="dark"] { --dock-bg: #151b23; --dock-fg: #e6edf3; --dock-border: #3d444d; --dock-accent: #4493f8; }
${panelColours('.crm-dock[data-theme="light"] .crm-panel', 'light')}
${panelColours('.crm-dock[data-theme="dark"] .crm-panel', 'dark')}
.crm-dock .crm-panel { max-width: none; min-width: 0; }
.crm-dock-column { display: flex; flex-direction: column; flex: 1; min-width: 0;
  background: var(--dock-bg); color: var(--dock-fg); border-left: 1px solid var(--dock-border); }
.crm-dock-bar { display: flex; align-items: center; justify-content: flex-end; padding: 2px 4px;
  border-bottom: 1px solid var(--dock-border); }
.crm-dock-body { flex: 1; overflow: auto; }
.crm-dock-button { all: unset; cursor: pointer; padding: 4px 8px; border-radius: 4px; color: var(--dock-fg); }
.crm-dock-button:hover { background: color-mix(in srgb, var(--dock-fg) 10%, transparent); }
.crm-dock-button:focus-visible, .crm-dock-handle:focus-visible, .crm-dock-tab:focus-visible {
  outline: 2px solid var(--dock-accent); outline-offset: -2px; }
.crm-dock-handle { width: 6px; cursor: col-resize; background: transparent; flex: none; touch-action: none; }
.crm-dock-handle:hover { background: color-mix(in srgb, var(--dock-accent) 35%, transparent); }
.crm-dock-tab { all: unset; box-sizing: border-box; cursor: pointer; width: 100%; height: 100%;
  display: flex; align-items: flex-start; justify-content: center; padding-top: 16px;
  background: var(--dock-bg); color: var(--dock-fg); border-left: 1px solid var(--dock-border);
  writing-mode: vertical-rl; font-weight: 600; letter-spacing: 0.05em; }
`;

export interface PanelDockProps {
  state: DockState;
  /** The width the panel takes now (the state's width clamped to Outlook's window by the host). */
  width: number;
  theme: 'light' | 'dark';
  onChange: (next: DockState) => void;
  children: ReactNode;
}

/**
 * The panel as a right-hand column with a resize handle, or a slim tab when collapsed. It
 * fills its frame; the host sizes the frame (and clamps the width to its window).
 */
export function PanelDock({ state, width, theme, onChange, children }: PanelDockProps) {
  const bodyId = useId();
  const dragging = useRef(false);
  // The width last asked for: key presses faster than the host's answer add up, not repeat.
  const requested = useRef(width);
  useEffect(() => {
    requested.current = width;
  }, [width]);
  const setWidth = (w: number) => {
    const next = Math.round(Math.min(DOCK_MAX_WIDTH, Math.max(DOCK_MIN_WIDTH, w)));
    requested.current = next;
    onChange({ ...state, width: next });
  };

  if (state.collapsed) {
    return (
      <div className="crm-dock" data-theme={theme} data-state="collapsed" style={{ width }}>
        <button
          type="button"
          className="crm-dock-tab"
          aria-label="Show CRM panel"
          aria-expanded="false"
          onClick={() => onChange({ ...state, collapsed: false })}
        >
          CRM
        </button>
      </div>
    );
  }

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    dragging.current = true;
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  // Captured, the pointer keeps reporting past the frame's left edge (negative clientX):
  // the frame's right edge is the window's, so the new width is its own width minus clientX.
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (dragging.current) setWidth(window.innerWidth - e.clientX);
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    dragging.current = false;
    e.currentTarget.releasePointerCapture(e.pointerId);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const next =
      e.key === 'ArrowLeft'
        ? requested.current + KEY_STEP
        : e.key === 'ArrowRight'
          ? requested.current - KEY_STEP
          : e.key === 'Home'
            ? DOCK_MIN_WIDTH
            : e.key === 'End'
              ? DOCK_MAX_WIDTH
              : null;
    if (next === null) return;
    e.preventDefault();
    setWidth(next);
  };

  return (
    <div className="crm-dock" data-theme={theme} data-state="open" style={{ width }}>
      {/* biome-ignore lint/a11y/useSemanticElements: a focusable separator is the ARIA window-splitter pattern; <hr> cannot take focus or keys. */}
      <div
        className="crm-dock-handle"
        role="separator"
        aria-orientation="vertical"
        aria-label="Resize CRM panel"
        aria-controls={bodyId}
        aria-valuemin={DOCK_MIN_WIDTH}
        aria-valuemax={DOCK_MAX_WIDTH}
        aria-valuenow={width}
        tabIndex={0}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onKeyDown={onKeyDown}
      />
      <div className="crm-dock-column">
        <div className="crm-dock-bar">
          <button
            type="button"
            className="crm-dock-button"
            aria-label="Hide CRM panel"
            aria-expanded="true"
            aria-controls={bodyId}
            onClick={() => onChange({ ...state, collapsed: true })}
          >
            Hide ⟩
          </button>
        </div>
        <div className="crm-dock-body" id={bodyId}>
          {children}
        </div>
      </div>
    </div>
  );
}
