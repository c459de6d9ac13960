import type { z } from 'zod';
import type { AccessTokenProvider } from '../auth/AccessTokenProvider';
import { type ClientSecretStore, dexieClientSecretStore } from '../auth/ClientSecretStore';
import { dexieTokenStore } from '../auth/dexieTokenStore';
import { isMailboxAuthError } from '../auth/MailboxAuthError';
import type { OAuthTokens, WebAuthFlow } from '../auth/OAuthClient';
import { authorizeMailbox, refreshTokens } from '../auth/OAuthClient';
import {
  hasMailboxWriteScope,
  hasSharedMailboxScope,
  type OAuthProviderConfig,
  tokenExchangeEndpoint,
} from '../auth/OAuthProviders';
import { TokenManager, type TokenStore } from '../auth/TokenManager';
import { retryTransientCrmErrors } from '../crm/retryTransientCrmErrors';
import { MAILBOX_WRITE_SCOPE_ISSUE } from '../errors/describeError';
import { ExtensionError, storedErrorInfo } from '../errors/ErrorInfo';
import { toErrorInfo } from '../errors/toErrorInfo';
import { skipCountKey } from '../logging/SkipReason';
import { gmailMailboxProvider } from '../mail/gmail/api/gmailMailboxProvider';
import type { MailMessage, MailProvider, ThreadSnapshot } from '../mail/MailMessage';
import { normaliseMessageId } from '../mail/normaliseMessageId';
import { outlookMailboxProvider } from '../mail/outlook/api/outlookMailboxProvider';
import type {
  CursorStoreFactory,
  MailboxApi,
  MailboxProvider,
  SyncFolder,
} from '../mail/sync/MailboxProvider';
import type { CursorStore, SyncPassResult } from '../mail/sync/MailboxSync';
import type { MailboxWriteAccess } from '../mail/sync/mailboxMarkMessages';
import type { MailboxStatus } from '../messaging/messages';
import { wantsMailboxWriteAccess } from '../settings/MailboxMarkSettings';
import type { CrmSidebarDb, MailboxRow } from '../store/db';
import type { SyncPipeline } from './BackgroundCore';
import type { MailboxControls } from './createBackgroundHandlers';
import { MailboxMarks, mailboxIdOf } from './MailboxMarks';
import {
  enqueueLinkedMessages,
  groupForLookup,
  linkingContextFor,
  lookupThread,
  sentMessageIdOf,
} from './MessagePipeline';

/** Everything provider-specific, one adapter per provider (OAuth, client, address, sync). */
export const MAILBOX_PROVIDERS: Record<MailProvider, MailboxProvider> = {
  gmail: gmailMailboxProvider,
  outlook: outlookMailboxProvider,
};

export interface MailboxServiceOptions {
  db: CrmSidebarDb;
  /** The CRM session, stores and outbox the sync logs through (lib/background/BackgroundCore). */
  background: SyncPipeline;
  /** `browser.identity` in the extension. */
  webAuthFlow: WebAuthFlow;
  /** Provider API bases (tests point them at local fakes). */
  apiBaseUrls?: Partial<Record<MailProvider, string>>;
  /** OAuth endpoint overrides (tests). */
  oauthEndpoints?: Partial<Record<MailProvider, { authorizationEndpoint: string; tokenEndpoint: string }>>;
  fetch?: typeof fetch;
  /** Only for local fakes served over plain HTTP. */
  allowInsecureOAuth?: boolean;
  now?: () => number;
  /** Where the mailboxes' tokens are kept (background only); default the extension's database. */
  tokenStore?: TokenStore;
  /** Where OAuth client secrets are kept (background only); default the extension's database. */
  clientSecrets?: ClientSecretStore;
}

interface Progress {
  scanned: number;
  logged: number;
  skipped: number;
  total: number | null;
  skippedReasons: Record<string, number>;
  /** Messages logged with a recipient list cut to what the contract keeps. */
  recipientsCut: number;
}

/** Dexie-backed cursor store; cursors are JSON parsed with the engine's own schema. */
function dexieCursorStore<T>(
  db: CrmSidebarDb,
  schema: z.ZodType<T>,
  kind: MailboxProvider['cursorKind'],
): CursorStore<T> {
  return {
    async get(key) {
      const row = await db.syncCursors.get(key);
      if (!row) return null;
      try {
        const parsed = schema.safeParse(JSON.parse(row.cursor));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },
    async set(key, cursor) {
      await db.syncCursors.put({
        mailboxId: key,
        cursor: JSON.stringify(cursor),
        kind,
        updatedAt: Date.now(),
      });
    },
  };
}

/**
 * Mailbox connections and the background sync (docs/ARCHITECTURE.md, "Connecting mailboxes"): OAuth with PKCE,
 * tokens kept only here, one sync per mailbox at a time, every synced message through the
 * same pipeline as a click, and a mailbox whose grant is gone marked "needs
 * re-authentication" until the user reconnects (which resumes from the saved cursor).
 */
export class MailboxService implements MailboxControls {
  private readonly tokens: TokenStore;
  private readonly clients = new Map<string, MailboxApi>();
  private readonly tokenManagers = new Map<MailProvider, TokenManager>();
  private readonly secrets: ClientSecretStore;
  private readonly progress = new Map<string, Progress>();
  private readonly running = new Map<string, Promise<void>>();
  /** Graph answers per Outlook item, so reopening a thread does not ask Graph again. */
  private readonly enriched = new Map<string, MailMessage>();
  /** Mailboxes with a pass queued behind the running one, for a compose send it may miss. */
  private readonly passAfterSend = new Set<string>();
  /** Labels, categories and archiving of logged mail; Gmail's thread-list marker. */
  readonly marks: MailboxMarks;

  constructor(private readonly options: MailboxServiceOptions) {
    this.tokens = options.tokenStore ?? dexieTokenStore(options.db);
    this.secrets = options.clientSecrets ?? dexieClientSecretStore(options.db);
    this.marks = new MailboxMarks({
      db: options.db,
      registry: options.background.registry,
      events: options.background.events,
      settings: async () => (await options.background.getSettings()).mailboxMarks,
      api: async (id) => {
        const row = await options.db.mailboxes.get(id);
        return row?.status === 'connected' ? this.clientFor(row, this.accessTokens(row)) : null;
      },
      writeAccess: (id) => this.hasWriteAccess(id),
      onWriteRefused: async (id, error) => {
        await options.db.mailboxes.update(id, { writeAccessRefused: toErrorInfo(error) });
      },
      now: options.now,
    });
    // After each delivery the marks settle what the CRM now holds; their failures are their own.
    options.background.onDrained?.((crmUserId) =>
      options.background.events.guard('marks', 'marks.failed', 'Marking logged mail in the mailbox', () =>
        this.marks.apply(crmUserId),
      ),
    );
  }

  /** Remembers what a click or a compose send queued (CrmSidebarBackground's pipeline hook). */
  readonly rememberQueued = (message: MailMessage, externalId: string, direction: 'incoming' | 'outgoing') =>
    this.marks.record(message, externalId, direction);

  /** Whether the mailbox's stored grant includes the provider's write scope. */
  async hasWriteAccess(mailboxId: string): Promise<boolean> {
    const row = await this.options.db.mailboxes.get(mailboxId);
    const tokens = row ? await this.tokens.get(mailboxId) : null;
    return row !== undefined && tokens !== null && hasMailboxWriteScope(row.provider, tokens.scopes ?? []);
  }

  /**
   * Asks the provider for write access (Gmail gmail.modify, Microsoft Mail.ReadWrite) for
   * connected mailboxes, as incremental consent: the same account (login_hint), Google keeping
   * what was granted (include_granted_scopes), Microsoft asking for the added permission on
   * this sign-in. A refusal (window closed, consent declined, the box left unticked) keeps the
   * read-only grant and the sync as they were; the mailbox then says why marks are not active.
   */
  async grantWriteAccess(id?: string): Promise<MailboxWriteAccess[]> {
    const rows = await this.options.db.mailboxes
      .filter((m) => m.status === 'connected' && m.sharedThrough === undefined && (!id || m.id === id))
      .toArray();
    for (const row of rows) {
      if (await this.hasWriteAccess(row.id)) continue;
      try {
        const config = await this.oauthConfig(row.provider, true);
        const tokens = await authorizeMailbox(config, this.options.webAuthFlow, {
          ...this.oauthRequestOptions(),
          loginHint: row.address,
        });
        const address = await this.openApi(
          `grant:${row.id}`,
          row.provider,
          async () => tokens.accessToken,
        ).address();
        if (`${row.provider}:${address.toLowerCase()}` !== row.id)
          throw new ExtensionError(
            'cancelled',
            `The sign-in was for ${address}, not ${row.address}: nothing was changed.`,
            { source: row.provider },
          );
        await this.tokenManager(row.provider).save(row.id, tokens);
        const granted = hasMailboxWriteScope(row.provider, tokens.scopes);
        await this.options.db.mailboxes.update(row.id, {
          writeAccessRefused: granted
            ? undefined
            : {
                kind: 'cancelled',
                message: `${MAILBOX_PROVIDERS[row.provider].accountName} did not grant permission to change mail (the box was left unticked on the consent page).`,
                source: row.provider,
                issues: [{ path: MAILBOX_WRITE_SCOPE_ISSUE, message: 'not granted' }],
              },
        });
      } catch (error) {
        // Whatever went wrong, the read-only grant stays: only the marks wait.
        await this.options.db.mailboxes.update(row.id, { writeAccessRefused: toErrorInfo(error) });
      }
    }
    return this.writeAccessStatus();
  }

  /** Per mailbox: whether labels / categories and archiving can work, and if not, why. */
  async writeAccessStatus(): Promise<MailboxWriteAccess[]> {
    const rows = await this.options.db.mailboxes
      .filter((m) => m.status !== 'disconnected' && m.sharedThrough === undefined)
      .toArray();
    return Promise.all(
      rows.map(async (row): Promise<MailboxWriteAccess> => {
        const granted = row.status === 'connected' && (await this.hasWriteAccess(row.id));
        return {
          mailboxId: row.id,
          provider: row.provider,
          address: row.address,
          granted,
          refusal: granted ? null : (storedErrorInfo(row.writeAccessRefused) ?? null),
        };
      }),
    );
  }

  /**
   * Of a mailbox's thread ids, those with mail the CRM holds, and whether Gmail's thread list
   * shows the "In CRM" marker: on by the settings, and not where the mailbox's own label
   * already shows the same thing.
   */
  async loggedThreads(
    provider: MailProvider,
    address: string,
    threadIds: readonly string[],
  ): Promise<{ threadIds: string[]; marker: boolean }> {
    const settings = (await this.options.background.getSettings()).mailboxMarks;
    const labelled = settings.labelLogged && (await this.hasWriteAccess(mailboxIdOf(provider, address)));
    const marker = settings.threadListMarker && !labelled;
    if (!marker || threadIds.length === 0) return { threadIds: [], marker };
    return { threadIds: await this.marks.loggedThreads(provider, address, threadIds), marker };
  }

  /**
   * A send from a compose view: one sync pass of that mailbox now, so the sent message is
   * logged within seconds rather than at the next scheduled pass. Resolves the number of
   * passes started (0 when the mailbox is not connected).
   */
  async syncAfterSend(provider: MailProvider, address: string): Promise<number> {
    const id = mailboxIdOf(provider, address);
    const row = await this.options.db.mailboxes.get(id);
    if (row?.status !== 'connected') return 0;
    const current = this.running.get(id);
    if (!current) {
      void this.syncMailbox(id);
    } else if (!this.passAfterSend.has(id)) {
      // A pass already under way may have read the folder before this send: one more after it
      // (however many sends arrive meanwhile).
      this.passAfterSend.add(id);
      void current.finally(() => {
        this.passAfterSend.delete(id);
        void this.syncMailbox(id);
      });
    }
    return 1;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private oauthRequestOptions() {
    return {
      fetch: this.options.fetch,
      allowInsecureRequests: this.options.allowInsecureOAuth,
      now: this.options.now,
    };
  }

  /**
   * The provider's OAuth configuration from the settings: the admin's client id, the token
   * endpoint (the provider's, or the team's token-exchange server, which adds the secret
   * itself), and the client secret where the provider requires one and no server adds it.
   */
  private async oauthConfig(
    provider: MailProvider,
    /** Ask for write access too; default: when the settings want it (labels, archiving). */
    write?: boolean,
    /** Ask for Mail.Read.Shared too; default: while a shared mailbox is connected, so renewals keep it. */
    shared?: boolean,
  ): Promise<OAuthProviderConfig> {
    const settings = await this.options.background.getSettings();
    const adapter = MAILBOX_PROVIDERS[provider];
    const base = adapter.oauthConfig(settings.oauth, {
      write: write ?? wantsMailboxWriteAccess(settings.mailboxMarks),
      shared:
        shared ??
        (provider === 'outlook' &&
          (await this.options.db.mailboxes
            .filter((m) => m.sharedThrough !== undefined && m.status !== 'disconnected')
            .count()) > 0),
    });
    if (!base) {
      throw new ExtensionError('not_configured', `No ${adapter.accountName} OAuth client id is set.`, {
        source: provider,
        code: 'oauth_client_id_missing',
      });
    }
    const endpoints = this.options.oauthEndpoints?.[provider];
    const config = endpoints ? { ...base, ...endpoints } : base;
    const exchange = settings.oauth.tokenExchangeUrl;
    if (exchange !== '') {
      // The server redeems with its own (confidential) registration: no fixed 24 h lifetime.
      return {
        ...config,
        tokenEndpoint: tokenExchangeEndpoint(exchange, provider),
        refreshTokenLifetimeMs: null,
        silentRenewal: false,
      };
    }
    if (adapter.clientSecret === 'required') {
      const secret = await this.secrets.get(provider);
      if (!secret) {
        // The mailbox's own set-up, not the CRM's: worded for the provider (describeError).
        throw new ExtensionError(
          'not_configured',
          `${adapter.accountName} needs the client secret of the OAuth client, and none is stored.`,
          { source: provider, code: 'oauth_client_secret_missing' },
        );
      }
      return { ...config, clientSecret: secret };
    }
    return config;
  }

  /** One per provider for the worker's lifetime; reads the settings at every refresh. */
  private tokenManager(provider: MailProvider): TokenManager {
    const existing = this.tokenManagers.get(provider);
    if (existing) return existing;
    const manager = new TokenManager({
      provider,
      store: this.tokens,
      refresh: async (rt, refreshTokenExpiresAt) =>
        refreshTokens(await this.oauthConfig(provider), rt, {
          ...this.oauthRequestOptions(),
          refreshTokenExpiresAt,
        }),
      renew: (mailboxId) => this.renewSilently(provider, mailboxId),
      onSaved: async (mailboxId, tokens) => {
        await this.options.db.mailboxes.update(mailboxId, {
          signInExpiresAt: tokens.refreshTokenExpiresAt ?? undefined,
        });
      },
      now: this.options.now,
    });
    this.tokenManagers.set(provider, manager);
    return manager;
  }

  /**
   * A new sign-in without a window (`prompt=none`, `launchWebAuthFlow({ interactive: false })`)
   * from the provider's session, for the same account only.
   */
  private async renewSilently(provider: MailProvider, mailboxId: string): Promise<OAuthTokens> {
    const mailbox = await this.options.db.mailboxes.get(mailboxId);
    // A silent sign-in cannot ask for consent: never for a scope the rep refused, nor one not granted yet.
    const granted = await this.hasWriteAccess(mailboxId);
    const config = await this.oauthConfig(provider, granted && !mailbox?.writeAccessRefused);
    if (!config.silentRenewal)
      throw new ExtensionError('auth', `${provider} sign-ins are not renewed silently`, {
        source: provider,
        code: 'mailbox_renewal_unavailable',
      });
    const tokens = await authorizeMailbox(config, this.options.webAuthFlow, {
      ...this.oauthRequestOptions(),
      silent: true,
      ...(mailbox ? { loginHint: mailbox.address } : {}),
    });
    const address = await this.openApi(
      `renew:${mailboxId}`,
      provider,
      async () => tokens.accessToken,
    ).address();
    if (`${provider}:${address.toLowerCase()}` !== mailboxId) {
      throw new ExtensionError('auth', `The silent sign-in returned another account (${address}).`, {
        source: provider,
        code: 'mailbox_account_changed',
      });
    }
    return tokens;
  }

  private openApi(
    mailboxId: string,
    provider: MailProvider,
    getAccessToken: AccessTokenProvider,
    sharedMailbox?: { address: string; repAddress: string },
  ): MailboxApi {
    return MAILBOX_PROVIDERS[provider].open(mailboxId, getAccessToken, {
      baseUrl: this.options.apiBaseUrls?.[provider],
      fetch: this.options.fetch,
      sharedMailbox,
    });
  }

  private clientFor(
    mailbox: Pick<MailboxRow, 'id' | 'provider'> & Partial<Pick<MailboxRow, 'address' | 'sharedThrough'>>,
    getAccessToken: AccessTokenProvider,
  ) {
    const existing = this.clients.get(mailbox.id);
    if (existing) return existing;
    // One client per mailbox for the worker's lifetime: Gmail's quota limiter must see every call.
    const api = this.openApi(
      mailbox.id,
      mailbox.provider,
      getAccessToken,
      mailbox.sharedThrough !== undefined && mailbox.address !== undefined
        ? { address: mailbox.address, repAddress: addressOfMailboxId(mailbox.sharedThrough) }
        : undefined,
    );
    this.clients.set(mailbox.id, api);
    return api;
  }

  private accessTokens(mailbox: MailboxRow): AccessTokenProvider {
    // A shared mailbox is read with the sign-in of the rep's own mailbox.
    return this.tokenManager(mailbox.provider).accessTokenProvider(mailbox.sharedThrough ?? mailbox.id);
  }

  async connect(provider: MailProvider): Promise<MailboxStatus> {
    const config = await this.oauthConfig(provider);
    const tokens: OAuthTokens = await authorizeMailbox(
      config,
      this.options.webAuthFlow,
      this.oauthRequestOptions(),
    );
    // Ask the provider who signed in: a Reconnect to the same account keeps its id and cursor.
    const probeId = `pending:${provider}:${this.now()}`;
    const probeToken: AccessTokenProvider = async () => tokens.accessToken;
    const address = await this.openApi(probeId, provider, probeToken).address();
    const id = `${provider}:${address.toLowerCase()}`;
    const { db } = this.options;
    const existing = await db.mailboxes.get(id);
    const anyPrimary =
      (await db.mailboxes.filter((m) => m.primary && m.status !== 'disconnected').count()) > 0;
    const row: MailboxRow = {
      id,
      provider,
      address: address.toLowerCase(),
      primary: existing?.primary ?? !anyPrimary,
      status: 'connected',
      connectedAt: existing?.connectedAt ?? this.now(),
      lastSyncAt: existing?.lastSyncAt,
    };
    if (tokens.refreshTokenExpiresAt !== null) row.signInExpiresAt = tokens.refreshTokenExpiresAt;
    await this.tokenManager(provider).save(id, tokens);
    await db.mailboxes.put(row);
    this.clients.delete(id);
    void this.syncMailbox(id);
    return this.statusOf(row);
  }

  /**
   * Connects a shared mailbox the organisation's policy lists (`sharedMailboxes`): the rep
   * signs in to their own Outlook mailbox again, asked for Mail.Read.Shared as incremental
   * consent (the same account, login_hint), and one request to the shared mailbox's Sent
   * Items proves the access (https://learn.microsoft.com/en-us/graph/outlook-share-messages-folders).
   * Its sent mail is then synced like the rep's own, under the rep's sign-in.
   */
  async connectShared(address: string): Promise<MailboxStatus> {
    const { db, background } = this.options;
    const shared = address.trim().toLowerCase();
    const settings = await background.getSettings();
    if (!settings.sharedMailboxes.includes(shared))
      throw new ExtensionError(
        'invalid_request',
        `${shared} is not among the shared mailboxes your organisation allows.`,
        {
          source: 'outlook',
        },
      );
    const own = (
      await db.mailboxes
        .filter((m) => m.provider === 'outlook' && m.sharedThrough === undefined && m.status === 'connected')
        .toArray()
    ).sort((a, b) => Number(b.primary) - Number(a.primary))[0];
    if (!own)
      throw new ExtensionError('auth', 'No Outlook mailbox of your own is connected.', {
        source: 'outlook',
        code: 'shared_mailbox_needs_own',
      });
    const config = await this.oauthConfig('outlook', undefined, true);
    const tokens = await authorizeMailbox(config, this.options.webAuthFlow, {
      ...this.oauthRequestOptions(),
      loginHint: own.address,
    });
    const signedIn = await this.openApi(
      `grant:${own.id}`,
      'outlook',
      async () => tokens.accessToken,
    ).address();
    if (`outlook:${signedIn.toLowerCase()}` !== own.id)
      throw new ExtensionError(
        'cancelled',
        `The sign-in was for ${signedIn}, not ${own.address}: nothing was changed.`,
        {
          source: 'outlook',
        },
      );
    await this.tokenManager('outlook').save(own.id, tokens);
    if (!hasSharedMailboxScope(tokens.scopes))
      throw new ExtensionError('auth', 'Microsoft did not grant Mail.Read.Shared.', {
        source: 'outlook',
        code: 'shared_mailbox_denied',
      });
    const id = mailboxIdOf('outlook', shared);
    const probe = this.openApi(`probe:${id}`, 'outlook', async () => tokens.accessToken, {
      address: shared,
      repAddress: own.address,
    });
    try {
      const to = this.now();
      for await (const _page of probe.listWindow(
        'sent',
        { from: to - 86_400_000, to },
        { mailboxAddress: shared, pageSize: 1 },
      ))
        break;
    } catch (error) {
      if (isMailboxAuthError(error))
        throw new ExtensionError('auth', `Microsoft Graph refused ${shared} (403 ErrorAccessDenied).`, {
          source: 'outlook',
          code: 'shared_mailbox_denied',
        });
      throw error;
    }
    const existing = await db.mailboxes.get(id);
    const row: MailboxRow = {
      id,
      provider: 'outlook',
      address: shared,
      primary: false,
      status: 'connected',
      connectedAt: existing?.connectedAt ?? this.now(),
      lastSyncAt: existing?.lastSyncAt,
      sharedThrough: own.id,
    };
    await db.mailboxes.put(row);
    this.clients.delete(id);
    void this.syncMailbox(id);
    return this.statusOf(row);
  }

  /** Stores (or with '' forgets) the admin's client secret; it never leaves the background. */
  async setClientSecret(provider: MailProvider, secret: string): Promise<{ configured: boolean }> {
    await this.secrets.set(provider, secret.trim() || null);
    return { configured: secret.trim() !== '' };
  }

  /** The redirect URI every mailbox sign-in sends (what the admin registers for the app). */
  redirectUri(): string {
    return this.options.webAuthFlow.getRedirectUrl();
  }

  /** Which providers have a client secret stored (never the secret itself). */
  async clientSecretStatus(): Promise<Record<MailProvider, boolean>> {
    const [gmail, outlook] = await Promise.all([this.secrets.get('gmail'), this.secrets.get('outlook')]);
    return { gmail: gmail !== null, outlook: outlook !== null };
  }

  async disconnect(id: string): Promise<void> {
    const { db } = this.options;
    // What was logged stays in the CRM (docs/ARCHITECTURE.md, "Connecting mailboxes"); only syncing stops, and the tokens go.
    await db.mailboxes.update(id, { status: 'disconnected', primary: false });
    await this.tokens.delete(id);
    this.clients.delete(id);
  }

  async setPrimary(id: string): Promise<void> {
    const { db } = this.options;
    await db.mailboxes.toCollection().modify((m) => {
      m.primary = m.id === id;
    });
  }

  async syncNow(id?: string): Promise<number> {
    const rows = await this.options.db.mailboxes
      .filter((m) => m.status === 'connected' && (!id || m.id === id))
      .toArray();
    for (const row of rows) void this.syncMailbox(row.id);
    return rows.length;
  }

  /** All connected mailboxes, one pass each; what the periodic alarm calls. */
  async syncAll(): Promise<void> {
    const rows = await this.options.db.mailboxes.filter((m) => m.status === 'connected').toArray();
    await Promise.all(rows.map((r) => this.syncMailbox(r.id)));
  }

  statusOf(row: MailboxRow): MailboxStatus {
    const p = this.progress.get(row.id);
    const syncing = this.running.has(row.id);
    return {
      id: row.id,
      provider: row.provider,
      address: row.address,
      primary: row.primary,
      state: row.status === 'connected' && syncing ? 'syncing' : row.status,
      lastSyncAt: row.lastSyncAt ? new Date(row.lastSyncAt).toISOString() : null,
      lastError: storedErrorInfo(row.lastError),
      signInExpiresAt: row.signInExpiresAt ? new Date(row.signInExpiresAt).toISOString() : null,
      progress: p ? { scanned: p.scanned, logged: p.logged, skipped: p.skipped, total: p.total } : null,
      skippedReasons: p?.skippedReasons ?? {},
      recipientsCut: p?.recipientsCut ?? 0,
      shared: row.sharedThrough !== undefined,
    };
  }

  /** The addresses of the provider's mailboxes that are connected now (lower case). */
  async connectedAddresses(provider: MailProvider): Promise<string[]> {
    const rows = await this.options.db.mailboxes.toArray();
    return rows.filter((r) => r.provider === provider && r.status === 'connected').map((r) => r.address);
  }

  /** The API of the mailbox `address`, with the sync's client; null when it is not connected. */
  async connectedApi(provider: MailProvider, address: string): Promise<MailboxApi | null> {
    const row = await this.options.db.mailboxes.get(mailboxIdOf(provider, address));
    if (row?.status !== 'connected') return null;
    return this.clientFor(row, this.accessTokens(row));
  }

  /**
   * A connected mailbox with the client the sync uses, so the sync audit's requests share its
   * quota limiter (Gmail) and concurrency (Graph).
   */
  async mailboxApi(id: string): Promise<{ row: MailboxRow; api: MailboxApi }> {
    const row = await this.options.db.mailboxes.get(id);
    if (!row || row.status === 'disconnected')
      throw new ExtensionError('not_found', 'That mailbox is not connected.', { source: row?.provider });
    if (row.status === 'needs_reauth')
      throw new ExtensionError('auth', `Reconnect ${row.address} first: its sign-in has run out.`, {
        source: row.provider,
      });
    return { row, api: this.clientFor(row, this.accessTokens(row)) };
  }

  /** One pass over Sent (and Inbox when auto-logging received mail); single-flight per mailbox. */
  syncMailbox(id: string): Promise<void> {
    const current = this.running.get(id);
    if (current) return current;
    const run = this.pass(id).finally(() => this.running.delete(id));
    this.running.set(id, run);
    return run;
  }

  private async pass(id: string): Promise<void> {
    const { db, background } = this.options;
    const mailbox = await db.mailboxes.get(id);
    if (mailbox?.status !== 'connected') return;
    try {
      await this.syncFolders(mailbox);
      await db.mailboxes.update(id, { lastSyncAt: this.now(), lastError: undefined });
    } catch (e) {
      // Every failure of a pass, the CRM session's included, is recorded on the mailbox and
      // in the event log, so the popup shows it whether the pass was scheduled or clicked.
      const info = await background.events.failure(
        `sync:${id}`,
        'sync.failed',
        `Sync of ${mailbox.address}`,
        e,
      );
      const reauth = isMailboxAuthError(e);
      await db.mailboxes.update(id, { lastError: info, ...(reauth ? { status: 'needs_reauth' } : {}) });
    }
  }

  private async syncFolders(mailbox: MailboxRow): Promise<void> {
    const { db, background } = this.options;
    const id = mailbox.id;
    const session = await background.sessions.session();
    const settings = session.settings;
    const progress: Progress = {
      scanned: 0,
      logged: 0,
      skipped: 0,
      total: null,
      skippedReasons: {},
      recipientsCut: 0,
    };
    this.progress.set(id, progress);
    const outbox = background.outboxFor(session);
    const mailboxes = await db.mailboxes.toArray();
    // Sent is read before Inbox: a received reply to mail this pass read is known as one.
    const sentMessageIds = new Set<string>();
    const context = {
      ...linkingContextFor(
        session,
        mailboxes.map((m) => m.address),
      ),
      sentMessageIds,
    };

    const sink = async (messages: MailMessage[]) => {
      for (const group of groupForLookup(messages, context)) {
        // The lookup is not in the outbox: a transient CRM failure must not throw away the page.
        const linked = await retryTransientCrmErrors(() =>
          lookupThread(group, context, session.connector, background.cache, false),
        );
        for (const { message, links } of linked.messages) {
          const sentId = sentMessageIdOf(message, links);
          if (sentId) sentMessageIds.add(sentId);
        }
        const outcomes = await enqueueLinkedMessages(linked.messages, 'auto', {
          session,
          outbox,
          registry: background.registry,
          threadDeals: background.threadDeals,
          events: background.events,
          now: this.options.now,
          // Marks change the rep's own mailbox only (a shared one is read with Mail.Read.Shared).
          ...(mailbox.sharedThrough === undefined
            ? {
                onQueued: (message: MailMessage, externalId: string, direction: 'incoming' | 'outgoing') =>
                  this.marks.record(message, externalId, direction),
              }
            : {}),
        });
        for (const o of outcomes) {
          if (o.status === 'enqueued') {
            // The same message handed over twice in a pass (its activities already queued) is one.
            if (o.alreadyQueued) continue;
            progress.logged++;
            if (o.recipientsLeftOut) progress.recipientsCut++;
          } else if (o.status === 'skipped') {
            progress.skipped++;
            // Counted by rule, automated mail by kind ("automated:newsletter"): describeSkipCount words it.
            const key = skipCountKey(o.skip);
            progress.skippedReasons[key] = (progress.skippedReasons[key] ?? 0) + 1;
          }
        }
      }
    };
    const onProgress = (p: { scanned: number; total?: number }) => {
      progress.scanned = p.scanned;
      progress.total = p.total ?? null;
    };
    const getAccessToken = this.accessTokens(mailbox);
    const client = this.clientFor(mailbox, getAccessToken);
    // A shared mailbox is read for its sent mail only (its inbox is the team's, not the rep's).
    const folders: SyncFolder[] =
      settings.autoLogReceived && mailbox.sharedThrough === undefined ? ['sent', 'inbox'] : ['sent'];
    const cursorStore: CursorStoreFactory = (schema) =>
      dexieCursorStore(db, schema, MAILBOX_PROVIDERS[mailbox.provider].cursorKind);
    const results: SyncPassResult[] = [];
    for (const folder of folders) {
      results.push(
        await client.syncFolder(folder, {
          mailboxId: id,
          mailboxAddress: mailbox.address,
          sink,
          importWindowDays: settings.historicalImportDays,
          onProgress,
          now: this.options.now,
          cursorStore,
        }),
      );
    }
    await background.events.success(
      `sync:${id}`,
      'sync.pass',
      `Synced ${mailbox.address}: ${progress.logged} logged, ${progress.skipped} skipped`,
      results,
    );
    // Delivery has its own area: a CRM that is down is an outbox problem, not a sync one.
    await background.events.guard(
      'outbox',
      'outbox.drain.failed',
      'Delivering logged emails to the CRM',
      () => background.drainOutbox(session),
    );
  }

  /**
   * Exact data for an Outlook thread read from the page: when the mailbox is connected, the
   * item's internetMessageId, recipients and conversation come from Graph.
   */
  async enrichSnapshot(snapshot: ThreadSnapshot): Promise<ThreadSnapshot> {
    if (snapshot.provider !== 'outlook') return snapshot;
    const rows = await this.options.db.mailboxes
      .filter((m) => m.provider === 'outlook' && m.status === 'connected')
      .toArray();
    const mailbox =
      rows.find((m) => m.address === snapshot.mailbox) ?? rows.find((m) => m.primary) ?? rows[0];
    if (!mailbox) return snapshot;
    const client = this.clientFor(mailbox, this.accessTokens(mailbox));
    if (client.upgradePageSnapshot) return client.upgradePageSnapshot(snapshot, mailbox.address);
    const readMessage = client.readMessage?.bind(client);
    if (!readMessage) return snapshot;
    const messages = await Promise.all(
      snapshot.messages.map(async (m) => {
        if (m.messageId || m.providerMessageId.startsWith('dom-')) return m;
        const cacheKey = `${mailbox.id} ${m.providerMessageId}`;
        let exact = this.enriched.get(cacheKey);
        if (!exact) {
          const read = await readMessage(m.providerMessageId, mailbox.address, m.folderRole).catch(
            () => null,
          );
          if (!read) return m;
          exact = read;
          this.enriched.set(cacheKey, exact);
          if (this.enriched.size > 500) this.enriched.delete(this.enriched.keys().next().value!);
        }
        return {
          ...m,
          ...exact,
          providerMessageId: m.providerMessageId,
          messageId: normaliseMessageId(exact.messageId),
          messageIdSource: 'api' as const,
          snippet: exact.snippet || m.snippet,
        };
      }),
    );
    return { ...snapshot, mailbox: snapshot.mailbox ?? mailbox.address, messages };
  }
}

/** The address in a mailbox id (`provider:address`, see mailboxIdOf). */
function addressOfMailboxId(id: string): string {
  return id.slice(id.indexOf(':') + 1);
}
