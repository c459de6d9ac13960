import { describe, expect, it } from 'vitest';
import { browserSidePanel } from '../../../lib/platform/browserSidePanel';

describe('browserSidePanel', () => {
  it('is null where the browser has no side panel', () => {
    expect(browserSidePanel({})).toBeNull();
    expect(browserSidePanel({ chrome: { windows: { getCurrent: async () => ({ id: 1 }) } } })).toBeNull();
  });

  it('opens Chrome’s side panel of this window synchronously once the window id is known', async () => {
    const calls: { windowId: number }[] = [];
    const panel = browserSidePanel({
      chrome: {
        sidePanel: {
          open: async (options) => {
            calls.push(options);
          },
        },
        windows: { getCurrent: async () => ({ id: 42 }) },
      },
    });
    expect(panel).not.toBeNull();
    await Promise.resolve();
    await Promise.resolve();
    // No await before sidePanel.open: the call happens in the same turn as the click.
    void panel!.open();
    expect(calls).toEqual([{ windowId: 42 }]);
  });

  it('waits for the window id when clicked before it is known', async () => {
    const calls: { windowId: number }[] = [];
    const panel = browserSidePanel({
      chrome: {
        sidePanel: {
          open: async (options) => {
            calls.push(options);
          },
        },
        windows: { getCurrent: () => new Promise((resolve) => setTimeout(() => resolve({ id: 7 }), 5)) },
      },
    });
    await panel!.open();
    expect(calls).toEqual([{ windowId: 7 }]);
  });

  it('opens Firefox’s sidebar, which Firefox also exposes beside a `chrome` namespace', async () => {
    let opened = 0;
    const panel = browserSidePanel({
      chrome: { windows: { getCurrent: async () => ({ id: 1 }) } },
      browser: {
        sidebarAction: {
          open: async () => {
            opened += 1;
          },
        },
      },
    });
    await panel!.open();
    expect(opened).toBe(1);
  });
});
