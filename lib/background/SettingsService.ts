import { mergeSettings, type Settings } from '../settings/Settings';
import type { CrmSidebarDb } from '../store/db';
import { SettingsRepository } from '../store/SettingsRepository';

/** Reading and saving the settings, as the sign-ins and services need them. */
export interface SettingsAccess {
  getSettings(): Promise<Settings>;
  /** Merges a patch (nested objects replaced whole); rejects with `invalid_input` when invalid. */
  updateSettings(patch: Record<string, unknown>): Promise<Settings>;
}

/**
 * The settings of the extension, read from the database on every use (a change in the
 * options page takes effect without a reload), and the one place they are saved: whoever
 * must react to a change (the thread views built under the old rules, the sync alarm)
 * subscribes with `onChange`.
 */
export class SettingsService implements SettingsAccess {
  private readonly repository: SettingsRepository;
  private readonly listeners = new Set<(settings: Settings) => void>();

  constructor(db: CrmSidebarDb, now: () => number = Date.now) {
    this.repository = new SettingsRepository(db, now);
  }

  getSettings(): Promise<Settings> {
    return this.repository.get();
  }

  async updateSettings(patch: Record<string, unknown>): Promise<Settings> {
    const current = await this.repository.get();
    const next = await this.repository.replace(mergeSettings(current, patch));
    for (const listener of this.listeners) listener(next);
    return next;
  }

  /** Calls `listener` after every save; returns the unsubscribe. */
  onChange(listener: (settings: Settings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
