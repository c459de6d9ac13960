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

/**
 * `BENCH_SMOKE=1` (CI's smoke run, `npm run bench:smoke`): every benchmark runs end to end at a
 * small size and prints its figures beside its targets, so a benchmark that breaks is noticed;
 * timings are not judged there (a shared CI machine says nothing about them). `npm run bench`
 * runs the full sizes and judges the targets.
 */
export const BENCH_SMOKE = process.env.BENCH_SMOKE === '1';

/** The full size, or the smoke size under `BENCH_SMOKE=1`. */
export function benchSize(full: number, smoke: number): number {
  return BENCH_SMOKE ? smoke : full;
}

/**
 * Sets the exit code from what the run found. `correct` is everything that is not a timing (all
 * messages delivered, nothing refused by a quota, the right answers): false fails every run.
 * `targetsMet` is the timing targets: judged in full runs only.
 */
export function finishBench({ correct, targetsMet }: { correct: boolean; targetsMet: boolean }): void {
  if (!correct) {
    console.log('BENCHMARK BROKEN: a result is wrong (above), whatever the timings.');
    process.exitCode = 1;
    return;
  }
  if (BENCH_SMOKE) {
    console.log(`smoke run: timing targets ${targetsMet ? 'met' : 'missed'} (not judged at the smoke size)`);
    return;
  }
  if (!targetsMet) process.exitCode = 1;
}
