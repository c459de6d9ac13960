import { describe, expect, it } from 'vitest';
import {
  clampDockWidth,
  DEFAULT_DOCK_STATE,
  DOCK_TAB_WIDTH,
  dockedWidth,
  parseDockState,
  themeFromBackground,
} from '../../../../../lib/mail/outlook/page/outlookPanelDock';

describe('Outlook panel dock', () => {
  it('keeps the width between its bounds and leaves the page most of the window', () => {
    expect(clampDockWidth(100, 1920)).toBe(280);
    expect(clampDockWidth(900, 1920)).toBe(560);
    expect(clampDockWidth(560, 1000)).toBe(450);
    expect(clampDockWidth(400, 400)).toBe(280);
  });

  it('gives up only the edge tab when collapsed', () => {
    expect(dockedWidth({ width: 400, collapsed: true }, 1280)).toBe(DOCK_TAB_WIDTH);
    expect(dockedWidth({ width: 400, collapsed: false }, 1280)).toBe(400);
  });

  it('reads what storage holds, falling back on anything unreadable', () => {
    expect(parseDockState({ width: 360, collapsed: true })).toEqual({ width: 360, collapsed: true });
    expect(parseDockState(undefined)).toEqual(DEFAULT_DOCK_STATE);
    expect(parseDockState({ width: 'wide', collapsed: 'yes' })).toEqual(DEFAULT_DOCK_STATE);
  });

  it("follows Outlook's light or dark page background", () => {
    expect(themeFromBackground('rgb(250, 249, 248)')).toBe('light');
    expect(themeFromBackground('rgb(31, 31, 31)')).toBe('dark');
    expect(themeFromBackground('rgba(0, 0, 0, 0)')).toBe('light');
    expect(themeFromBackground('transparent')).toBe('light');
  });
});
