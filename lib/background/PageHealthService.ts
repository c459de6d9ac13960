import { z } from 'zod';
import { ExtensionError } from '../errors/ErrorInfo';
import {
  initialPageIntegrationState,
  nextPageHealth,
  type PageHealthSignal,
  PageIntegrationState,
  PageProvider,
} from '../health/PageIntegrationHealth';
import type { EventLog } from '../store/EventLog';

/** `browser.storage.session`: health lasts while the browser runs, across service-worker restarts. */
export interface PageHealthStore {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

const STORE_KEY = 'pageIntegrationHealth';
const Stored = z.record(z.string(), z.unknown());
const NAMES: Record<PageProvider, string> = { gmail: 'Gmail', outlook: 'Outlook' };

/**
 * Keeps whether each page integration still reads threads (lib/health/PageIntegrationHealth)
 * and records in the event log when one stops and when it works again.
 */
export class PageHealthService {
  // Reports from several tabs arrive together; each read-modify-write waits for the last.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: { store: PageHealthStore; events: EventLog; now: () => number }) {}

  report(provider: PageProvider, signal: PageHealthSignal, detail = ''): Promise<void> {
    const run = this.queue.then(() => this.apply(provider, signal, detail));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async states(): Promise<PageIntegrationState[]> {
    const all = await this.read();
    return PageProvider.options.flatMap((p) => (all[p] && all[p].state !== 'not_seen' ? [all[p]] : []));
  }

  private async apply(provider: PageProvider, signal: PageHealthSignal, detail: string): Promise<void> {
    const all = await this.read();
    const step = nextPageHealth(
      all[provider] ?? initialPageIntegrationState(provider),
      signal,
      new Date(this.deps.now()),
      detail,
    );
    await this.deps.store.set({ [STORE_KEY]: { ...all, [provider]: step.state } });
    const name = NAMES[provider];
    if (step.transition === 'broke')
      await this.deps.events.failure(
        `page:${provider}`,
        'page.integration.broken',
        `Reading ${name} threads`,
        new ExtensionError(
          'invalid_response',
          `The ${name} page no longer has what the extension reads (${step.state.detail || signal}).`,
          { source: provider },
        ),
      );
    else if (step.transition === 'recovered')
      await this.deps.events.success(
        `page:${provider}`,
        'page.integration.recovered',
        `${name} threads are read again`,
      );
  }

  private async read(): Promise<Partial<Record<PageProvider, PageIntegrationState>>> {
    const stored = Stored.safeParse((await this.deps.store.get(STORE_KEY))[STORE_KEY] ?? {});
    const out: Partial<Record<PageProvider, PageIntegrationState>> = {};
    if (!stored.success) return out;
    for (const provider of PageProvider.options) {
      const state = PageIntegrationState.safeParse(stored.data[provider]);
      if (state.success && state.data.provider === provider) out[provider] = state.data;
    }
    return out;
  }
}
