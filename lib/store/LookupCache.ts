import { LookupResponse } from '../crm/contract';
import type { CrmSidebarDb } from './db';

/** A stable key for a lookup request: the same people in any order hit the same entry. */
export function lookupCacheKey(request: { emails?: readonly string[]; domains?: readonly string[] }): string {
  const emails = [...new Set((request.emails ?? []).map((e) => e.trim().toLowerCase()))].sort();
  const domains = [...new Set((request.domains ?? []).map((d) => d.trim().toLowerCase()))].sort();
  return `e:${emails.join(',')}|d:${domains.join(',')}`;
}

export const DEFAULT_LOOKUP_TTL_MS = 5 * 60_000;

/**
 * CRM lookup answers with a time-to-live, so reopening a thread shows the panel at once
 * and the CRM is asked again only after the TTL. Values are zod-parsed when read back.
 */
export class LookupCache {
  constructor(
    private readonly db: CrmSidebarDb,
    private readonly options: { ttlMs?: number; now?: () => number } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async get(key: string): Promise<LookupResponse | null> {
    const row = await this.db.lookupCache.get(key);
    if (!row) return null;
    if (row.expiresAt <= this.now()) {
      await this.db.lookupCache.delete(key);
      return null;
    }
    const parsed = LookupResponse.safeParse(row.value);
    return parsed.success ? parsed.data : null;
  }

  async set(key: string, value: LookupResponse): Promise<void> {
    const now = this.now();
    await this.db.lookupCache.put({
      key,
      value: LookupResponse.parse(value),
      storedAt: now,
      expiresAt: now + (this.options.ttlMs ?? DEFAULT_LOOKUP_TTL_MS),
    });
  }

  /** Forget entries that mention a contact or company that changed (e.g. after create). */
  async invalidate(key: string): Promise<void> {
    await this.db.lookupCache.delete(key);
  }

  async clear(): Promise<void> {
    await this.db.lookupCache.clear();
  }

  /** Deletes expired entries; returns how many. Run from a periodic alarm. */
  async purgeExpired(): Promise<number> {
    return this.db.lookupCache.where('expiresAt').belowOrEqual(this.now()).delete();
  }
}
