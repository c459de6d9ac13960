import type { CursorStore } from '../../../lib/mail/sync/MailboxSync';

/** Cursor store that round-trips through JSON, as IndexedDB structured-clones, with a write log. */
export class MemoryCursorStore<T> implements CursorStore<T> {
  readonly writes: { key: string; cursor: T }[] = [];
  private readonly values = new Map<string, string>();

  async get(key: string): Promise<T | null> {
    const value = this.values.get(key);
    return value === undefined ? null : (JSON.parse(value) as T);
  }

  async set(key: string, cursor: T): Promise<void> {
    this.values.set(key, JSON.stringify(cursor));
    this.writes.push({ key, cursor: JSON.parse(JSON.stringify(cursor)) as T });
  }
}
