import type { ActivityResult } from '../crm/contract';
import type { CrmSidebarDb, RegistryRow } from '../store/db';

/**
 * The Message-ID registry (docs/ARCHITECTURE.md, "Message identity"): which Message-IDs this CRM user has logged, keyed
 * `[crmUserId+externalId]`. It answers "already logged?" instantly for the panel and stops
 * the sync re-sending a message that moved folders. Written only from the CRM's answer,
 * so it never claims a log the CRM does not have.
 */
export class MessageRegistry {
  constructor(
    private readonly db: CrmSidebarDb,
    private readonly now: () => number = Date.now,
  ) {}

  async get(crmUserId: string, externalId: string): Promise<RegistryRow | undefined> {
    return this.db.registry.get([crmUserId, externalId]);
  }

  async isLogged(crmUserId: string, externalId: string): Promise<boolean> {
    return (await this.get(crmUserId, externalId)) !== undefined;
  }

  /** Whether a given contact already has this message (one activity per contact). */
  async isLoggedFor(crmUserId: string, externalId: string, contactId: string): Promise<boolean> {
    const row = await this.get(crmUserId, externalId);
    return row?.activities[contactId] !== undefined;
  }

  /** The subset of `externalIds` already logged, in one read (sync batches). */
  async loggedAmong(crmUserId: string, externalIds: readonly string[]): Promise<Set<string>> {
    const rows = await this.db.registry.bulkGet(externalIds.map((id) => [crmUserId, id] as [string, string]));
    const logged = new Set<string>();
    for (const row of rows) if (row) logged.add(row.externalId);
    return logged;
  }

  /**
   * Records the CRM's answer to `logActivities`: every `created` / `existing` result.
   * Per-item errors are ignored: nothing was logged for them. Safe inside an outer
   * transaction that includes the registry table.
   */
  async markLogged(crmUserId: string, results: readonly ActivityResult[]): Promise<void> {
    const byExternalId = new Map<string, Extract<ActivityResult, { status: 'created' | 'existing' }>[]>();
    for (const r of results) {
      if (r.status === 'error') continue;
      const list = byExternalId.get(r.externalId) ?? [];
      list.push(r);
      byExternalId.set(r.externalId, list);
    }
    if (byExternalId.size === 0) return;
    await this.db.transaction('rw', this.db.registry, async () => {
      const keys = [...byExternalId.keys()];
      const existing = await this.db.registry.bulkGet(keys.map((id) => [crmUserId, id] as [string, string]));
      const rows: RegistryRow[] = keys.map((externalId, i) => {
        const row: RegistryRow = existing[i] ?? {
          crmUserId,
          externalId,
          activities: {},
          loggedAt: this.now(),
          status: 'logged',
        };
        const activities = { ...row.activities };
        for (const r of byExternalId.get(externalId) ?? []) {
          activities[r.contactId] ??= { activityId: r.id, status: r.status };
        }
        return { ...row, activities };
      });
      await this.db.registry.bulkPut(rows);
    });
  }

  /**
   * Drops what the registry says about `contactIds` for one Message-ID, when the CRM has been
   * seen not to hold those activities (the sync audit found them deleted there), so the
   * pipeline logs them again; the row goes when no contact is left on it.
   */
  async forget(crmUserId: string, externalId: string, contactIds: readonly string[]): Promise<void> {
    await this.db.transaction('rw', this.db.registry, async () => {
      const row = await this.db.registry.get([crmUserId, externalId]);
      if (!row) return;
      const activities = { ...row.activities };
      for (const id of contactIds) delete activities[id];
      if (Object.keys(activities).length === 0) await this.db.registry.delete([crmUserId, externalId]);
      else await this.db.registry.put({ ...row, activities });
    });
  }

  async count(crmUserId?: string): Promise<number> {
    return crmUserId === undefined
      ? this.db.registry.count()
      : this.db.registry.where('crmUserId').equals(crmUserId).count();
  }
}
