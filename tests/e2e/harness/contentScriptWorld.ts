import type { CDPSession, ElementHandle, Page } from 'playwright-core';

/**
 * What DevTools can do and a web page cannot: evaluate in our content script's isolated
 * world, and reach into the panel's closed shadow root. Through the Chrome DevTools
 * Protocol (Runtime.executionContextCreated reports each isolated world with the
 * extension's origin; DOM.describeNode with pierce reports closed shadow roots):
 * https://chromedevtools.github.io/devtools-protocol/tot/Runtime/#event-executionContextCreated
 * https://chromedevtools.github.io/devtools-protocol/tot/DOM/#method-describeNode
 */
export interface ContentScriptWorld {
  /** Evaluates `expression` (an async function body's value) in the isolated world of our content script. */
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

interface ExecutionContext {
  id: number;
  origin: string;
  auxData?: { type?: string; frameId?: string; isDefault?: boolean };
}

async function contexts(page: Page): Promise<{ cdp: CDPSession; list: ExecutionContext[] }> {
  const cdp = await page.context().newCDPSession(page);
  const list: ExecutionContext[] = [];
  cdp.on('Runtime.executionContextCreated', ({ context }: { context: ExecutionContext }) =>
    list.push(context),
  );
  cdp.on('Runtime.executionContextDestroyed', ({ executionContextId }: { executionContextId: number }) => {
    const index = list.findIndex((c) => c.id === executionContextId);
    if (index >= 0) list.splice(index, 1);
  });
  // Enabling replays every context that already exists.
  await cdp.send('Runtime.enable');
  return { cdp, list };
}

/** True once one of our content scripts runs in the page's top frame. */
export async function contentScriptRuns(page: Page, extensionId: string): Promise<boolean> {
  const { cdp, list } = await contexts(page);
  try {
    return list.some(
      (c) => c.auxData?.type === 'isolated' && c.origin === `chrome-extension://${extensionId}`,
    );
  } finally {
    await cdp.detach();
  }
}

export async function contentScriptWorld(page: Page, extensionId: string): Promise<ContentScriptWorld> {
  const { cdp, list } = await contexts(page);
  const own = () =>
    list.find((c) => c.auxData?.type === 'isolated' && c.origin === `chrome-extension://${extensionId}`);
  const deadline = Date.now() + 15_000;
  while (!own() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return {
    async evaluate<T>(expression: string): Promise<T> {
      const context = own();
      if (!context) throw new Error('our content script has no isolated world in this page');
      const { result, exceptionDetails } = (await cdp.send('Runtime.evaluate', {
        expression,
        contextId: context.id,
        awaitPromise: true,
        returnByValue: true,
      })) as {
        result: { value: T };
        exceptionDetails?: { text: string; exception?: { description?: string } };
      };
      if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
      return result.value;
    },
    close: () => cdp.detach(),
  };
}

/**
 * The element matching `selector` inside the closed shadow root of `hostSelector`, as a
 * Playwright handle (DevTools privilege: the page's own scripts get null from
 * `host.shadowRoot`). Resolved afresh on every call, so a re-rendered panel is found again.
 * Clicks on it must be `force`d: Playwright's hit-target check cannot see into closed roots
 * either; the click itself is a real (trusted) mouse event at the element's position.
 */
export async function inClosedShadowRoot(
  page: Page,
  hostSelector: string,
  selector: string,
): Promise<ElementHandle<HTMLElement> | null> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = (await cdp.send('DOM.getDocument', { depth: 0 })) as { root: { nodeId: number } };
    const { nodeId } = (await cdp.send('DOM.querySelector', {
      nodeId: root.nodeId,
      selector: hostSelector,
    })) as {
      nodeId: number;
    };
    if (!nodeId) return null;
    const { node } = (await cdp.send('DOM.describeNode', { nodeId, depth: 1, pierce: true })) as {
      node: { shadowRoots?: { backendNodeId: number }[] };
    };
    const shadow = node.shadowRoots?.[0];
    if (!shadow) return null;
    const { object } = (await cdp.send('DOM.resolveNode', { backendNodeId: shadow.backendNodeId })) as {
      object: { objectId: string };
    };
    // Hand the root to Playwright's main-world handle through a property only this call knows.
    const key = `__e2eClosedRoot${Math.random().toString(36).slice(2)}`;
    await cdp.send('Runtime.callFunctionOn', {
      objectId: object.objectId,
      functionDeclaration: `function () { globalThis[${JSON.stringify(key)}] = this; }`,
    });
    const handle = await page.evaluateHandle(
      ([k, s]) => {
        const holder = globalThis as unknown as Record<string, ShadowRoot | undefined>;
        const found = holder[k]?.querySelector(s) ?? null;
        delete holder[k];
        return found;
      },
      [key, selector] as const,
    );
    const element = handle.asElement() as ElementHandle<HTMLElement> | null;
    if (!element) await handle.dispose();
    return element;
  } finally {
    await cdp.detach();
  }
}
