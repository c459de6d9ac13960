import { DEFAULT_SETTINGS, Settings, type SettingsInput } from '../settings/Settings';
import { type CrmSidebarDb, SETTINGS_KEY } from './db';

/**
 * The Settings object in the `settings` table, zod-parsed on every read and write: a
 * stored object from an older version gains the new fields' defaults, and nothing invalid
 * is ever written. An unreadable stored object falls back to the defaults and says so in
 * the event log instead of breaking the extension.
 */
export class SettingsRepository {
  constructor(
    private readonly db: CrmSidebarDb,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<Settings> {
    const row = await this.db.settings.get(SETTINGS_KEY);
    if (!row) return DEFAULT_SETTINGS;
    const parsed = Settings.safeParse(row.value);
    if (parsed.success) return parsed.data;
    await this.db.events.add({
      at: this.now(),
      level: 'error',
      kind: 'settings.invalid',
      message: 'Stored settings could not be read; using the defaults until they are saved again.',
      data: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    });
    return DEFAULT_SETTINGS;
  }

  /** Merges a shallow patch into the current settings; rejects (ZodError) when invalid. */
  async update(patch: Partial<SettingsInput>): Promise<Settings> {
    return this.db.transaction('rw', this.db.settings, this.db.events, async () => {
      const current = await this.get();
      const next = Settings.parse({ ...current, ...patch });
      await this.db.settings.put({ key: SETTINGS_KEY, value: next, updatedAt: this.now() });
      return next;
    });
  }

  /** Replaces the whole object (import, reset). */
  async replace(settings: SettingsInput): Promise<Settings> {
    const next = Settings.parse(settings);
    await this.db.settings.put({ key: SETTINGS_KEY, value: next, updatedAt: this.now() });
    return next;
  }
}
