import type { CrmConnector } from '../crm/CrmConnector';
import { MeResponse } from '../crm/contract';
import { missingConnectionCode } from '../crm/vendors/crmVendors';
import { ExtensionError } from '../errors/ErrorInfo';
import { type CrmConnection, isCrmConfigured, type Settings } from '../settings/Settings';
import type { CrmSidebarDb } from '../store/db';
import type { SettingsAccess } from './SettingsService';

export type ConnectorFactory = (crm: CrmConnection) => CrmConnector;

export interface CrmSession {
  settings: Settings;
  connector: CrmConnector;
  me: MeResponse;
}

const IDENTITY_KEY = 'crm.identity';

/** A fingerprint of the connection so a cached identity is dropped when URL or token change. */
function connectionFingerprint(crm: CrmConnection): string {
  let h = 0x811c9dc5;
  // Every field of the vendor's branch: a new Salesforce sign-in (its refresh token), another
  // HubSpot login or account field is a new connection.
  const fields = Object.entries(crm).sort(([a], [b]) => (a < b ? -1 : 1));
  for (const ch of JSON.stringify(fields)) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${crm.baseUrl}#${h.toString(16)}`;
}

function notConnected(crm: CrmConnection): ExtensionError<'not_configured'> {
  const code = missingConnectionCode(crm);
  return new ExtensionError('not_configured', `The CRM connection is not complete (${code}).`, {
    source: 'crm',
    code,
  });
}

/**
 * The CRM connection built from the current settings, with the user's identity (`/me`)
 * asked once per connection and kept in the database, so opening a thread costs one
 * lookup and not an extra identity call. Settings are read on every use: a change in the
 * options page takes effect without a reload.
 */
export class CrmSessionProvider {
  private connector: { fingerprint: string; connector: CrmConnector } | null = null;

  constructor(
    private readonly db: CrmSidebarDb,
    private readonly settingsSource: Pick<SettingsAccess, 'getSettings'>,
    private readonly createConnector: ConnectorFactory,
    private readonly now: () => number = Date.now,
  ) {}

  settings(): Promise<Settings> {
    return this.settingsSource.getSettings();
  }

  connectorFor(settings: Settings): CrmConnector {
    if (!isCrmConfigured(settings)) throw notConnected(settings.crm);
    const fingerprint = connectionFingerprint(settings.crm);
    if (this.connector?.fingerprint !== fingerprint) {
      this.connector = { fingerprint, connector: this.createConnector(settings.crm) };
    }
    return this.connector.connector;
  }

  /** The identity cached for the current connection, without asking the CRM. */
  async cachedIdentity(settings?: Settings): Promise<MeResponse | null> {
    const s = settings ?? (await this.settings());
    if (!isCrmConfigured(s)) return null;
    const row = await this.db.settings.get(IDENTITY_KEY);
    const value = row?.value as { fingerprint?: string; me?: unknown } | undefined;
    if (value?.fingerprint !== connectionFingerprint(s.crm)) return null;
    const me = MeResponse.safeParse(value.me);
    return me.success ? me.data : null;
  }

  async session(options: { refreshIdentity?: boolean } = {}): Promise<CrmSession> {
    const settings = await this.settings();
    const connector = this.connectorFor(settings);
    let me = options.refreshIdentity ? null : await this.cachedIdentity(settings);
    if (!me) {
      me = await connector.whoami();
      await this.db.settings.put({
        key: IDENTITY_KEY,
        value: { fingerprint: connectionFingerprint(settings.crm), me },
        updatedAt: this.now(),
      });
    }
    return { settings, connector, me };
  }
}
