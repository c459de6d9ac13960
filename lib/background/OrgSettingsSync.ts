import { z } from 'zod';
import { OrgSettingsResponse } from '../crm/contract';
import { isCrmConfigured, type Settings } from '../settings/Settings';
import type { CrmSidebarDb } from '../store/db';
import type { CrmSessionProvider } from './CrmSession';
import type { SettingsService } from './SettingsService';

/** How often the CRM's organisation settings are asked again (an alarm in the entrypoint). */
export const ORG_SETTINGS_PERIOD_MINUTES = 30;

const STORED_KEY = 'crm.orgSettings';

/** What was last read, kept so a restarted worker applies it before the CRM answers again. */
const StoredOrgSettings = z.object({
  /** The CRM the settings came from (type and base URL): another CRM's are never applied. */
  crm: z.string(),
  response: OrgSettingsResponse.nullable(),
  fetchedAt: z.number(),
});

/** The CRM an organisation's settings belong to: the same CRM keeps them across sign-ins. */
export function orgSettingsOwner(settings: Settings): string | null {
  return isCrmConfigured(settings) ? `${settings.crm.type} ${settings.crm.baseUrl}` : null;
}

export interface OrgSettingsSyncOptions {
  db: CrmSidebarDb;
  settings: SettingsService;
  sessions: Pick<CrmSessionProvider, 'connectorFor'>;
  now?: () => number;
}

/**
 * Reads the organisation's settings the admin keeps in the CRM (`GET /org/settings`,
 * docs/CRM-CONTRACT.md) and gives them to the settings service, which applies them in
 * their place in the precedence (locked policy > CRM organisation settings > rep > policy
 * default > built-in default). Asked when the CRM connection changes, at start and
 * periodically; what was last read is kept, so a CRM that is unreachable for a while never
 * lifts the organisation's rules, and a failed read is recorded by the caller's guard.
 */
export class OrgSettingsSync {
  private readonly now: () => number;
  /** The CRM last asked (or restored), so a settings change that is no new connection asks nothing. */
  private owner: string | null | undefined;

  constructor(private readonly options: OrgSettingsSyncOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Applies what was read last for the current CRM (at start, before the CRM answers). */
  async restore(): Promise<void> {
    const row = await this.options.db.settings.get(STORED_KEY);
    const stored = StoredOrgSettings.safeParse(row?.value);
    const owner = orgSettingsOwner(await this.options.settings.getSettings());
    if (!stored.success || owner === null || stored.data.crm !== owner) return;
    await this.options.settings.applyOrgSettings(stored.data.response?.settings ?? null);
  }

  /** Asks the CRM when the connection is not the one last asked (a new or changed connection). */
  async refreshIfConnectionChanged(settings: Settings): Promise<void> {
    if (orgSettingsOwner(settings) === this.owner) return;
    await this.refresh();
  }

  /**
   * Asks the CRM now and applies its answer: the settings, or none when the CRM offers none
   * (404) or no CRM is connected. Rejects when the CRM cannot be asked; what was in force stays.
   */
  async refresh(): Promise<OrgSettingsResponse | null> {
    const settings = await this.options.settings.getSettings();
    const owner = orgSettingsOwner(settings);
    if (owner === null) {
      await this.options.db.settings.delete(STORED_KEY);
      await this.options.settings.applyOrgSettings(null);
      this.owner = owner;
      return null;
    }
    const connector = this.options.sessions.connectorFor(settings);
    const response = connector.orgSettings ? await connector.orgSettings() : null;
    await this.options.db.settings.put({
      key: STORED_KEY,
      value: { crm: owner, response, fetchedAt: this.now() } satisfies z.input<typeof StoredOrgSettings>,
      updatedAt: this.now(),
    });
    await this.options.settings.applyOrgSettings(response?.settings ?? null);
    this.owner = owner;
    return response;
  }
}
