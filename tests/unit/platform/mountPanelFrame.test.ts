// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { mountPanelFrame } from '../../../lib/platform/mountPanelFrame';
import { PANEL_FRAME_CONNECT } from '../../../lib/platform/panelFrameProtocol';

const EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';

function mount() {
  const registered: string[] = [];
  const release: Array<() => void> = [];
  const expectSecret = vi.fn(
    (secret: string) =>
      new Promise<void>((done) => {
        registered.push(secret);
        release.push(done);
      }),
  );
  const parent = document.createElement('div');
  document.body.append(parent);
  const frame = mountPanelFrame(parent, {
    extensionUrl: (path) => `${EXTENSION}${path}`,
    expect: expectSecret,
  });
  const posted: Array<{ message: unknown; origin: string }> = [];
  // happy-dom loads no frame documents: the frame's window is a stand-in that records posts.
  Object.defineProperty(frame.element, 'contentWindow', {
    value: { postMessage: (message: unknown, origin: string) => posted.push({ message, origin }) },
  });
  return { frame, registered, release, posted, expectSecret };
}

describe('mountPanelFrame', () => {
  it('registers the secret while the frame loads (waking the background early), posts it only once registered', async () => {
    const { frame, registered, release, posted } = mount();
    // Registered at mount, before the frame's document has loaded.
    expect(registered).toHaveLength(1);
    frame.element.dispatchEvent(new Event('load'));
    await Promise.resolve();
    expect(posted).toEqual([]);
    release[0]!();
    await vi.waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]).toEqual({
      message: { type: PANEL_FRAME_CONNECT, secret: registered[0] },
      origin: EXTENSION,
    });
    frame.destroy();
  });

  it('gives a reloaded frame a fresh secret, registered before it is posted', async () => {
    const { frame, registered, release, posted } = mount();
    frame.element.dispatchEvent(new Event('load'));
    release[0]!();
    await vi.waitFor(() => expect(posted).toHaveLength(1));
    frame.element.dispatchEvent(new Event('load'));
    await vi.waitFor(() => expect(registered).toHaveLength(2));
    expect(registered[1]).not.toBe(registered[0]);
    expect(posted).toHaveLength(1);
    release[1]!();
    await vi.waitFor(() => expect(posted).toHaveLength(2));
    expect((posted[1]!.message as { secret: string }).secret).toBe(registered[1]);
    frame.destroy();
  });
});
