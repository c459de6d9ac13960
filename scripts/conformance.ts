import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { ConformanceTarget } from '../server/conformance/ConformanceCheck';
import { restTarget } from '../server/conformance/conformanceTargets';
import { runConformance } from '../server/conformance/runConformance';

const USAGE = `usage:
  npm run conformance -- --crm rest --base-url URL --token TOKEN [--colleague-token TOKEN] [--company-domain DOMAIN]`;

const Common = {
  token: z.string().min(1),
  'colleague-token': z.string().min(1).optional(),
  'company-domain': z.string().min(1).optional(),
};
const Args = z.discriminatedUnion('crm', [
  z.object({ crm: z.literal('rest'), 'base-url': z.url({ protocol: /^https?$/ }), ...Common }),
]);

const { values } = parseArgs({
  options: {
    crm: { type: 'string', default: process.env.CRM_TYPE ?? 'rest' },
    'base-url': { type: 'string', default: process.env.CRM_BASE_URL },
    token: { type: 'string', default: process.env.CRM_TOKEN },
    'colleague-token': { type: 'string', default: process.env.CRM_COLLEAGUE_TOKEN },
    'company-domain': { type: 'string', default: process.env.CRM_COMPANY_DOMAIN },
  },
});
const args = Args.safeParse(values);
if (!args.success) {
  console.error(`${USAGE}\n${z.prettifyError(args.error)}`);
  process.exit(2);
}

function targetFor(a: z.infer<typeof Args>): ConformanceTarget {
  switch (a.crm) {
    case 'rest':
      return restTarget({
        baseUrl: a['base-url'],
        token: a.token,
        colleagueToken: a['colleague-token'],
        companyDomain: a['company-domain'],
      });
  }
}

const target = targetFor(args.data);
console.log(`CRM connector conformance: ${target.label}`);
const report = await runConformance(target, {
  onResult: (r) => {
    const mark = r.skipped ? 'skip' : r.ok ? 'pass' : 'FAIL';
    console.log(`${mark}  ${r.name}${r.message ? ` — ${r.message}` : ''} (${Math.round(r.durationMs)} ms)`);
  },
});
console.log(
  `${report.passed} passed, ${report.failed} failed${report.skipped ? `, ${report.skipped} skipped` : ''}`,
);
process.exit(report.failed > 0 ? 1 : 0);
