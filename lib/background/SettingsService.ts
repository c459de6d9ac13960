import { ExtensionError } from '../errors/ErrorInfo';
import { isRepChoiceKey, lockedChanges } from '../policy/lockedChanges';
import { ManagedPolicyState } from '../policy/ManagedPolicyState';
import type { PolicyView } from '../policy/PolicyView';
import { type EffectiveSettings, effectiveSettings } from '../settings/effectiveSettings';
import type { OrgSettings } from '../settings/OrgSettings';
import { privacyBound } from '../settings/privacyLevels';
import { mergeSettings, type Settings } from '../settings/Settings';
import type { CrmSidebarDb } from '../store/db';
import { EventLog } from '../store/EventLog';
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
 *
 * What it gives is the settings in force: the rep's own, with the organisation's layers
 * applied (the browser's enterprise policy and the CRM's organisation settings,
 * lib/settings/effectiveSettings.ts). Saves go to the rep's own settings only.
 */
export class SettingsService implements SettingsAccess {
  private readonly repository: SettingsRepository;
  private readonly listeners = new Set<(settings: Settings) => void>();
  private readonly organisationListeners = new Set<() => void>();
  /** The organisation's policy and CRM organisation settings, applied over the rep's settings. */
  readonly organisation: ManagedPolicyState;

  constructor(db: CrmSidebarDb, now: () => number = Date.now) {
    this.repository = new SettingsRepository(db, now);
    this.organisation = new ManagedPolicyState(new EventLog(db, { now }));
  }

  async effective(): Promise<EffectiveSettings> {
    // Settings read before the policy is first known would briefly be the rep's alone.
    await this.organisation.firstRead;
    return effectiveSettings({
      rep: await this.repository.get(),
      policy: this.organisation.policy,
      org: this.organisation.org,
    });
  }

  async getSettings(): Promise<Settings> {
    return (await this.effective()).settings;
  }

  /**
   * The settings as the options page edits them: those in force, with each merged list
   * holding the rep's own entries (policyView() lists the organisation's).
   */
  async editableSettings(): Promise<Settings> {
    return (await this.effective()).editable;
  }

  /**
   * Saves the rep's change into their own settings. A change to a value the organisation
   * locked is refused with the reason; the organisation's layers apply on top when the
   * settings are read, so nothing of theirs is copied into the rep's.
   */
  async updateSettings(patch: Record<string, unknown>): Promise<Settings> {
    const refused = lockedChanges(patch, await this.effective());
    if (refused.length > 0)
      throw new ExtensionError(
        'invalid_settings',
        `Set by your organisation: ${refused.join(', ')} cannot be changed here.`,
        {
          source: 'extension',
          issues: refused.map((path) => ({ path, message: 'set by your organisation' })),
        },
      );
    const rep = await this.repository.get();
    const customised = [...new Set([...rep.customised, ...Object.keys(patch).filter(isRepChoiceKey)])];
    await this.repository.replace(mergeSettings(rep, { ...patch, customised }));
    return this.changed();
  }

  /** Applies what the browser's storage.managed holds now (at start and on every change). */
  async applyManagedPolicy(raw: unknown): Promise<void> {
    const changed = await this.organisation.applyManaged(raw);
    // The first read is over (this is it, or a later one): reading settings no longer waits.
    this.organisation.firstRead = null;
    if (changed) await this.organisationChanged();
  }

  /** Applies the CRM's organisation settings (null: the CRM has none, or no CRM is connected). */
  async applyOrgSettings(org: OrgSettings | null): Promise<void> {
    if (this.organisation.applyOrg(org)) await this.organisationChanged();
  }

  async policyView(): Promise<PolicyView> {
    const effective = await this.effective();
    const { policy, org } = this.organisation;
    return {
      organisationName: policy.organisationName,
      sources: effective.sources,
      organisationEntries: effective.organisationEntries,
      ignored: policy.ignored,
      privacyBound: privacyBound(policy.values.privacyLevel, org?.privacyUpperBound ?? undefined),
      crmOrganisationSettings: org !== null,
    };
  }

  /** Calls `listener` after every change of the settings in force; returns the unsubscribe. */
  onChange(listener: (settings: Settings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Calls `listener` after the organisation's layers change (the browser's policy or the
   * CRM's organisation settings), so open pages can read the policy again; returns the unsubscribe.
   */
  onOrganisationChange(listener: () => void): () => void {
    this.organisationListeners.add(listener);
    return () => this.organisationListeners.delete(listener);
  }

  private async organisationChanged(): Promise<void> {
    await this.changed();
    for (const listener of this.organisationListeners) listener();
  }

  private async changed(): Promise<Settings> {
    const next = (await this.effective()).settings;
    for (const listener of this.listeners) listener(next);
    return next;
  }
}
