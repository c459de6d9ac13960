import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_SMOKE } from './benchUtils';

// Runs every bench/*.bench.ts in its own process so one benchmark's heap and JIT state
// cannot colour another's figures. Each benchmark prints its own figures beside its targets.
// A benchmark fails the run when it exits non-zero (it broke, gave a wrong answer, or in a
// full run missed a target) or when it printed no figure beside a target: a benchmark that
// silently stopped measuring is as broken as one that throws.
const dir = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)))
  .sort();
if (files.length === 0) {
  console.error(only ? `no benchmark matches "${only}"` : 'no benchmarks in bench/');
  process.exit(1);
}

/** A printed line that states a target is a figure beside its target. */
const FIGURE_BESIDE_TARGET = /target/i;
/** Past this a smoke run is hanging, not measuring. */
const SMOKE_TIMEOUT_MS = 15 * 60_000;

interface Outcome {
  file: string;
  status: number | null;
  seconds: number;
  figures: number;
  timedOut: boolean;
}

function runBenchmark(file: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(dir, file)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let figures = 0;
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      figures += lines.filter((line) => FIGURE_BESIDE_TARGET.test(line)).length;
    });
    let timedOut = false;
    const timer = BENCH_SMOKE
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, SMOKE_TIMEOUT_MS)
      : undefined;
    child.on('close', (status) => {
      clearTimeout(timer);
      if (FIGURE_BESIDE_TARGET.test(pending)) figures++;
      done({ file, status, seconds: (performance.now() - started) / 1000, figures, timedOut });
    });
  });
}

console.log(BENCH_SMOKE ? 'Smoke run (BENCH_SMOKE=1): small sizes, timings printed, not judged.' : '');
const outcomes: Outcome[] = [];
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  outcomes.push(await runBenchmark(file));
}

console.log('\n=== summary ===');
let failed = 0;
for (const o of outcomes) {
  const problem = o.timedOut
    ? `hung: killed after ${SMOKE_TIMEOUT_MS / 60_000} min`
    : o.status !== 0
      ? `exit ${o.status}`
      : o.figures === 0
        ? 'printed no figure beside a target'
        : null;
  if (problem) failed++;
  console.log(
    `${o.file.padEnd(32)} ${problem ? `FAILED (${problem})` : 'ok'}, ${o.figures} figure line(s), ${o.seconds.toFixed(1)} s`,
  );
}
console.log(`${outcomes.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
