import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CRM_VENDOR_BACKENDS } from '../lib/crm/vendors/crmVendorBackends';
import type { CrmType } from '../lib/crm/vendors/crmVendors';
import type { ConformanceTarget } from '../server/conformance/ConformanceCheck';
import { runConformance } from '../server/conformance/runConformance';

const vendors = Object.entries(CRM_VENDOR_BACKENDS) as [CrmType, (typeof CRM_VENDOR_BACKENDS)[CrmType]][];

const USAGE = `usage:
${vendors.map(([type, backend]) => `  npm run conformance -- --crm ${type} ${backend.conformance.usage}`).join('\n')}
It creates uniquely named contacts, emails and tasks in the CRM and never deletes anything: use a sandbox or developer account.`;

const { values } = parseArgs({
  options: {
    crm: { type: 'string', default: process.env.CRM_TYPE ?? 'rest' },
    token: { type: 'string', default: process.env.CRM_TOKEN },
    'colleague-token': { type: 'string', default: process.env.CRM_COLLEAGUE_TOKEN },
    'company-domain': { type: 'string', default: process.env.CRM_COMPANY_DOMAIN },
    // Every vendor's own options, each defaulting to its environment variable.
    ...Object.fromEntries(
      vendors.flatMap(([, backend]) =>
        Object.entries(backend.conformance.options).map(([name, { env }]) => [
          name,
          { type: 'string' as const, default: process.env[env] },
        ]),
      ),
    ),
  },
});
const vendor = vendors.find(([type]) => type === values.crm)?.[1];
if (!vendor) {
  console.error(`${USAGE}\n--crm: one of ${vendors.map(([type]) => type).join(', ')}`);
  process.exit(2);
}
const args = vendor.conformance.args.safeParse(values);
if (!args.success) {
  console.error(`${USAGE}\n${z.prettifyError(args.error)}`);
  process.exit(2);
}

const target: ConformanceTarget = vendor.conformance.target(args.data);
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
