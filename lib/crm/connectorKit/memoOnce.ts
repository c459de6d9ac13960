/**
 * A lazily loaded value shared by every caller (the CRM user, the owners list, a schema
 * check): loaded on first use, kept once it succeeds, forgotten when it fails so the next
 * call tries again instead of repeating the failure for the connector's life.
 */
export function memoOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | null = null;
  return () => {
    value ??= load().catch((error: unknown) => {
      value = null;
      throw error;
    });
    return value;
  };
}
