import type { z } from 'zod';
import type { SendToBackground } from '../../../components/shared/ExtensionApi';
import { errorInfoOf } from '../../../lib/errors/errorInfoOf';
import { createClient } from '../../../lib/messaging/client';
import {
  type ExtensionStatus,
  type MailboxStatus,
  MESSAGES,
  type Messages,
} from '../../../lib/messaging/messages';
import { RemoteError } from '../../../lib/messaging/protocol';
import { createRouter, type Handlers } from '../../../lib/messaging/router';
import { NO_POLICY_VIEW } from '../../../lib/policy/PolicyView';
import { mergeSettings, Settings, type SettingsInput } from '../../../lib/settings/Settings';

export type FakeHandlers = {
  [K in keyof Messages]?: (
    payload: z.output<Messages[K]['request']>,
  ) => z.input<Messages[K]['response']> | Promise<z.input<Messages[K]['response']>>;
};

export interface RecordedCall {
  type: string;
  payload: unknown;
}

/** What `identity.getRedirectURL()` gives an extension in Chrome: https://<extension id>.chromiumapp.org/. */
export const FAKE_REDIRECT_URI = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';

/** Answers every page asks for on its own, unless a test says otherwise: no audit has run yet. */
const DEFAULT_HANDLERS: FakeHandlers = {
  'audit.list': () => ({ reports: [] }),
  'oauth.redirectUri.get': () => ({ redirectUri: FAKE_REDIRECT_URI }),
  'policy.get': () => NO_POLICY_VIEW,
};

/**
 * A background that answers through the real router and client, so requests and replies
 * are parsed by the same schemas as in the extension, a handler's error is mapped by the
 * same `toErrorInfo`, and a RemoteError arrives exactly as it would (kinds are ErrorKind,
 * so a fake cannot answer a kind the background never sends). Every call is recorded; a message without a handler is answered with an error.
 */
export class FakeBackground {
  readonly calls: RecordedCall[] = [];
  readonly send: SendToBackground;

  constructor(private handlers: FakeHandlers) {
    const router = createRouter(
      MESSAGES,
      new Proxy({} as Handlers<Messages>, {
        get: (_target, type: string) => async (payload: unknown) => {
          const handler = (this.handlers[type as keyof Messages] ??
            DEFAULT_HANDLERS[type as keyof Messages]) as ((payload: unknown) => unknown) | undefined;
          if (!handler) throw new RemoteError({ kind: 'internal', message: `no fake handler for ${type}` });
          return handler(payload);
        },
      }),
      errorInfoOf,
    );
    const client = createClient(MESSAGES, (envelope) => {
      this.calls.push(envelope);
      // The options page and the popup are extension pages.
      return router(envelope, { context: 'extension' });
    });
    this.send = client as SendToBackground;
  }

  on(handlers: FakeHandlers): this {
    this.handlers = { ...this.handlers, ...handlers };
    return this;
  }

  callsOf(type: keyof Messages): unknown[] {
    return this.calls.filter((c) => c.type === type).map((c) => c.payload);
  }
}

export function mailboxFixture(overrides: Partial<MailboxStatus> = {}): MailboxStatus {
  return {
    id: 'mbx-1',
    provider: 'gmail',
    address: 'rep@acme.test',
    primary: true,
    state: 'connected',
    lastSyncAt: null,
    lastError: null,
    signInExpiresAt: null,
    progress: null,
    skippedReasons: {},
    recipientsCut: 0,
    shared: false,
    ...overrides,
  };
}

export function statusFixture(overrides: Partial<ExtensionStatus> = {}): ExtensionStatus {
  return {
    version: '1.2.3',
    crmConfigured: true,
    crmBaseUrl: 'https://crm.acme.test',
    crmUser: { id: 'u1', name: 'Rita Rep' },
    outbox: { pending: 0, failed: 0, delivered: 12 },
    outboxFailures: [],
    mailboxes: [],
    problems: [],
    pageIntegrations: [],
    ...overrides,
  };
}

/**
 * settings.get / settings.update over an in-memory object, merged and validated by the same
 * `mergeSettings` as the background, so an invalid patch fails with the real kind
 * (`invalid_settings`) and the real field issues.
 */
export function settingsHandlers(initial: SettingsInput = {}): FakeHandlers & { current(): Settings } {
  let stored = Settings.parse(initial);
  return {
    current: () => stored,
    'settings.get': () => stored,
    'settings.update': ({ patch }) => {
      stored = mergeSettings(stored, patch);
      return stored;
    },
  };
}
