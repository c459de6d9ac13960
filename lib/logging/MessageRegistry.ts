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
    return hasActivities(await this.get(crmUserId, externalId));
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
    for (const row of rows) if (row && hasActivities(row)) logged.add(row.externalId);
    return logged;
  }

  /**
   * The contacts the rep removed this email from, for each of `externalIds` that has any
   * (the audit lists them as "removed by you" instead of missing).
   */
  async removedAmong(crmUserId: string, externalIds: readonly string[]): Promise<Map<string, Set<string>>> {
    const rows = await this.db.registry.bulkGet(externalIds.map((id) => [crmUserId, id] as [string, string]));
    const removed = new Map<string, Set<string>>();
    for (const row of rows) {
      const contacts = Object.keys(row?.removed ?? {});
      if (row && contacts.length > 0) removed.set(row.externalId, new Set(contacts));
    }
    return removed;
  }

  /**
   * The rep removed this email from `contactId` in the CRM: the activity is no longer logged
   * there, and stays removed until the rep logs it there again themselves (`unmarkRemoved`).
   */
  async markRemoved(crmUserId: string, externalId: string, contactId: string): Promise<void> {
    await this.db.transaction('rw', this.db.registry, async () => {
      const row = (await this.db.registry.get([crmUserId, externalId])) ?? {
        crmUserId,
        externalId,
        activities: {},
        loggedAt: this.now(),
        status: 'logged' as const,
      };
      const { [contactId]: _gone, ...activities } = row.activities;
      await this.db.registry.put({
        ...row,
        activities,
        removed: { ...row.removed, [contactId]: { removedAt: this.now() } },
      });
    });
  }

  /** The rep undid a removal (or logs it there again on purpose): the contact may be logged again. */
  async unmarkRemoved(crmUserId: string, externalId: string, contactIds: readonly string[]): Promise<void> {
    await this.db.transaction('rw', this.db.registry, async () => {
      const row = await this.db.registry.get([crmUserId, externalId]);
      if (!row?.removed) return;
      const removed = { ...row.removed };
      for (const id of contactIds) delete removed[id];
      await this.putOrDrop({ ...row, removed });
    });
  }

  /** A move from one contact to another, as the CRM answered it. */
  async markMoved(
    crmUserId: string,
    externalId: string,
    from: string,
    to: { contactId: string; activityId: string },
  ): Promise<void> {
    await this.db.transaction('rw', this.db.registry, async () => {
      const row = await this.db.registry.get([crmUserId, externalId]);
      if (!row) return;
      const { [from]: moved, ...activities } = row.activities;
      activities[to.contactId] = { activityId: to.activityId, status: moved?.status ?? 'created' };
      // The rep chose where it belongs: not logged to the old contact again, logged to the new one.
      const { [to.contactId]: _back, ...removed } = row.removed ?? {};
      removed[from] = { removedAt: this.now() };
      await this.db.registry.put({ ...row, activities, removed });
    });
  }

  private async putOrDrop(row: RegistryRow): Promise<void> {
    if (
      Object.keys(row.activities).length === 0 &&
      Object.keys(row.removed ?? {}).length === 0 &&
      row.logOffAtSend === undefined
    )
      await this.db.registry.delete([row.crmUserId, row.externalId]);
    else await this.db.registry.put(row);
  }

  /** Which of `externalIds` the rep sent with "Log to CRM" off and nobody logged since. */
  async logOffAtSendAmong(crmUserId: string, externalIds: readonly string[]): Promise<Set<string>> {
    const rows = await this.db.registry.bulkGet(externalIds.map((id) => [crmUserId, id] as [string, string]));
    const off = new Set<string>();
    for (const row of rows)
      if (row?.logOffAtSend !== undefined && !hasActivities(row)) off.add(row.externalId);
    return off;
  }

  /**
   * The rep sent this Message-ID with "Log to CRM" off: the sync leaves it out (the pipeline's
   * `log_off_at_send` rule) until the rep logs it with a click. Nothing changes for a message
   * already logged.
   */
  async markLogOffAtSend(crmUserId: string, externalId: string): Promise<'marked' | 'already_logged'> {
    return this.db.transaction('rw', this.db.registry, async () => {
      const row = await this.db.registry.get([crmUserId, externalId]);
      if (hasActivities(row)) return 'already_logged';
      await this.db.registry.put({
        ...(row ?? {
          crmUserId,
          externalId,
          activities: {},
          loggedAt: this.now(),
          status: 'logged' as const,
        }),
        logOffAtSend: this.now(),
      });
      return 'marked';
    });
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
        const removed = { ...row.removed };
        for (const r of byExternalId.get(externalId) ?? []) {
          activities[r.contactId] ??= { activityId: r.id, status: r.status };
          // Logged there again (the rep's undo of a removal): no longer removed.
          delete removed[r.contactId];
        }
        // Logged after all (the rep's click): "Log to CRM was off" no longer holds.
        const { logOffAtSend: _logged, ...rest } = row;
        return row.removed ? { ...rest, activities, removed } : { ...rest, activities };
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
      await this.putOrDrop({ ...row, activities });
    });
  }

  async count(crmUserId?: string): Promise<number> {
    return crmUserId === undefined
      ? this.db.registry.count()
      : this.db.registry.where('crmUserId').equals(crmUserId).count();
  }
}

function hasActivities(row: RegistryRow | undefined): boolean {
  return row !== undefined && Object.keys(row.activities).length > 0;
}
