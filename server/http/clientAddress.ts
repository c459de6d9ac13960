import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, Env } from 'hono';

/**
 * The caller's socket address, the key of the per-client limits (requests made in-process
 * have none). Behind a reverse proxy every caller is the proxy: see server/README.md.
 */
export function clientAddress<E extends Env>(c: Context<E>): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
