// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import {
  COLLAPSED_STORAGE_KEY,
  createMemoryStorage,
  createPanelApiFromMessaging,
} from '../../../components/panel/PanelApi';
import { createClient } from '../../../lib/messaging/client';
import { MESSAGES } from '../../../lib/messaging/messages';
import { RemoteError } from '../../../lib/messaging/protocol';
import { contact, messageStatus, snapshot, threadView } from './fixtures';

/** The real typed client over a transport that answers like the background router. */
function backgroundAnswering(answers: Record<string, unknown>) {
  const envelopes: Array<{ type: string; payload: unknown }> = [];
  const send = createClient(MESSAGES, async (envelope) => {
    envelopes.push(envelope);
    if (!(envelope.type in answers))
      return { ok: false, error: { kind: 'not_configured', message: 'No CRM' } };
    return { ok: true, data: answers[envelope.type] };
  });
  return { send, envelopes };
}

const thread = snapshot();

describe('createPanelApiFromMessaging', () => {
  it('offers the panel’s messages, one method each, all of them for extension pages only', () => {
    const api = createPanelApiFromMessaging(backgroundAnswering({}).send);
    const methods = Object.entries(api)
      .filter(([, value]) => typeof value === 'object')
      .flatMap(([group, actions]) => Object.keys(actions as object).map((action) => `${group}.${action}`));
    expect(methods.sort()).toEqual(
      [
        'thread.open',
        'thread.log',
        'contact.create',
        'outbox.retry',
        'options.open',
        'deal.choose',
        'deal.clear',
        'match.correct',
        'match.uncorrect',
        'neverLog.add',
        'neverLog.remove',
        'task.create',
        'contact.addAlternateEmail',
        'contact.removeAlternateEmail',
        'activity.remove',
        'activity.move',
        'activity.redact',
        'activity.restore',
      ].sort(),
    );
    expect(methods).not.toContain('settings.update');
    for (const method of methods)
      expect(MESSAGES[method as keyof typeof MESSAGES].senders).toEqual(['extension']);
  });

  it('opens a thread with thread.open and parses the ThreadView', async () => {
    const { send, envelopes } = backgroundAnswering({ 'thread.open': threadView({ fromCache: true }) });
    const api = createPanelApiFromMessaging(send);
    const view = await api.thread.open({ snapshot: thread, preferCache: true });
    expect(view.fromCache).toBe(true);
    expect(envelopes).toEqual([{ type: 'thread.open', payload: { snapshot: thread, preferCache: true } }]);
  });

  it('logs messages with thread.log and answers the statuses', async () => {
    const statuses = [messageStatus({ state: 'queued' })];
    const { send, envelopes } = backgroundAnswering({ 'thread.log': { messages: statuses } });
    const api = createPanelApiFromMessaging(send);
    expect(await api.thread.log({ snapshot: thread, providerMessageIds: ['msg-1'] })).toEqual({
      messages: statuses,
    });
    expect(envelopes[0]).toEqual({
      type: 'thread.log',
      payload: { snapshot: thread, providerMessageIds: ['msg-1'] },
    });
  });

  it('creates contacts, retries the outbox and opens the options page', async () => {
    const { send, envelopes } = backgroundAnswering({
      'contact.create': { contact: contact(), existed: false },
      'outbox.retry': { retried: 2 },
      'options.open': {},
    });
    const api = createPanelApiFromMessaging(send);
    const input = { name: 'Jane Doe', email: 'jane@acme.example', companyId: 'co_acme' };
    expect(await api.contact.create(input)).toEqual({ contact: contact(), existed: false });
    await api.outbox.retry({});
    await api.options.open({});
    await vi.waitFor(() => expect(envelopes).toHaveLength(3));
    expect(envelopes.map((envelope) => envelope.type)).toEqual([
      'contact.create',
      'outbox.retry',
      'options.open',
    ]);
    expect(envelopes[0]!.payload).toEqual(input);
  });

  it('passes background errors on as RemoteError with their kind', async () => {
    const api = createPanelApiFromMessaging(backgroundAnswering({}).send);
    const failure = await api.thread
      .open({ snapshot: thread, preferCache: false })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RemoteError);
    expect((failure as RemoteError).kind).toBe('not_configured');
  });

  it('remembers the collapsed state in the injected storage, expanded by default', async () => {
    const storage = createMemoryStorage();
    const api = createPanelApiFromMessaging(backgroundAnswering({}).send, storage);
    expect(await api.loadCollapsed()).toBe(false);
    await api.saveCollapsed(true);
    expect(await storage.get(COLLAPSED_STORAGE_KEY)).toEqual({ [COLLAPSED_STORAGE_KEY]: true });
    expect(await createPanelApiFromMessaging(backgroundAnswering({}).send, storage).loadCollapsed()).toBe(
      true,
    );
  });
});
