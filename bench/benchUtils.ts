import { resolve } from 'node:path';

/** The repository root (benchmarks build and bundle from here). */
export const ROOT = resolve(import.meta.dirname, '..');

/** The Chromium the browser benchmarks drive (`apt-get install -y chromium`). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * tsx keeps function names with an `__name` helper; a page that runs functions handed to it
 * as source needs a no-op one (`page.addInitScript(TSX_NAME_SHIM)`).
 */
export const TSX_NAME_SHIM = 'globalThis.__name = (f) => f;';

/** The p-th percentile of `values` (the sample at index floor(p% of n) once sorted); NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
