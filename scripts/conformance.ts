import { parseArgs } from 'node:util';
import { z } from 'zod';
import { runConformance } from '../server/conformance/runConformance';

/** `npm run conformance -- --base-url URL --token T [--colleague-token T2]` */
const Args = z.object({
  'base-url': z.url({ protocol: /^https?$/ }),
  token: z.string().min(1),
  'colleague-token': z.string().min(1).optional(),
});

const { values } = parseArgs({
  options: {
    'base-url': { type: 'string', default: process.env.CRM_BASE_URL },
    token: { type: 'string', default: process.env.CRM_TOKEN },
    'colleague-token': { type: 'string', default: process.env.CRM_COLLEAGUE_TOKEN },
  },
});
const args = Args.safeParse(values);
if (!args.success) {
  console.error(
    `usage: npm run conformance -- --base-url URL --token TOKEN [--colleague-token TOKEN]\n${z.prettifyError(args.error)}`,
  );
  process.exit(2);
}

console.log(`CRM contract conformance: ${args.data['base-url']}`);
const report = await runConformance({
  baseUrl: args.data['base-url'],
  token: args.data.token,
  colleagueToken: args.data['colleague-token'],
  onResult: (r) => {
    const mark = r.skipped ? 'skip' : r.ok ? 'pass' : 'FAIL';
    console.log(`${mark}  ${r.name}${r.message ? ` — ${r.message}` : ''} (${Math.round(r.durationMs)} ms)`);
  },
});
console.log(
  `${report.passed} passed, ${report.failed} failed${report.skipped ? `, ${report.skipped} skipped` : ''}`,
);
process.exit(report.failed > 0 ? 1 : 0);
