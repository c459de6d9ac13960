import { z } from 'zod';

/**
 * Where the Outlook panel sits: a column docked at the right edge that the page is narrowed
 * for (so it never covers Outlook's reading pane, toolbar or message list), or a slim edge
 * tab when collapsed. The state is remembered per browser profile.
 */
export const DOCK_STORAGE_KEY = 'outlookPanelDock';
export const DOCK_MIN_WIDTH = 280;
export const DOCK_MAX_WIDTH = 560;
export const DOCK_DEFAULT_WIDTH = 320;
/** Width of the collapsed edge tab. */
export const DOCK_TAB_WIDTH = 32;
/** The panel takes at most this percentage of the window, however wide it is dragged. */
const PANEL_MAX_PERCENT = 45;

export const DockState = z.object({
  width: z.number().int().min(DOCK_MIN_WIDTH).max(DOCK_MAX_WIDTH).catch(DOCK_DEFAULT_WIDTH),
  collapsed: z.boolean().catch(false),
});
export type DockState = z.infer<typeof DockState>;

export const DEFAULT_DOCK_STATE: DockState = { width: DOCK_DEFAULT_WIDTH, collapsed: false };

/** A stored value, or the default when nothing (or something unreadable) is stored. */
export function parseDockState(raw: unknown): DockState {
  const parsed = DockState.safeParse(raw);
  return parsed.success ? parsed.data : DEFAULT_DOCK_STATE;
}

/** The width the panel may take in a window `viewportWidth` wide. */
export function clampDockWidth(width: number, viewportWidth: number): number {
  const max = Math.max(
    DOCK_MIN_WIDTH,
    Math.min(DOCK_MAX_WIDTH, Math.floor((viewportWidth * PANEL_MAX_PERCENT) / 100)),
  );
  return Math.round(Math.min(max, Math.max(DOCK_MIN_WIDTH, width)));
}

/** How many pixels the page gives up at the right edge. */
export function dockedWidth(state: DockState, viewportWidth: number): number {
  return state.collapsed ? DOCK_TAB_WIDTH : clampDockWidth(state.width, viewportWidth);
}

/** Outlook's theme from its page background (WCAG relative luminance of an `rgb()` colour). */
export function themeFromBackground(cssColor: string): 'light' | 'dark' {
  const m = cssColor.match(/rgba?\(\s*(\d+)[,\s]+(\d+)[,\s]+(\d+)(?:[,\s/]+([\d.]+))?/);
  if (!m) return 'light';
  if (m[4] !== undefined && Number(m[4]) === 0) return 'light';
  const [r, g, b] = [m[1], m[2], m[3]].map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b! < 0.2 ? 'dark' : 'light';
}
