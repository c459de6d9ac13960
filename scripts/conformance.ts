import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { ConformanceTarget } from '../server/conformance/ConformanceCheck';
import { hubspotTarget, restTarget, salesforceTarget } from '../server/conformance/conformanceTargets';
import { runConformance } from '../server/conformance/runConformance';

const USAGE = `usage:
  npm run conformance -- --crm rest --base-url URL --token TOKEN [--colleague-token TOKEN] [--company-domain DOMAIN]
  npm run conformance -- --crm hubspot --token PRIVATE_APP_TOKEN --rep-email YOU@COMPANY [--colleague-token T --colleague-email E] [--company-domain D]
  npm run conformance -- --crm salesforce --instance-url https://ORG.my.salesforce.com --token ACCESS_TOKEN [--colleague-token T] [--log-as auto|email_message|task] [--company-domain D]
It creates uniquely named contacts, emails and tasks in the CRM and never deletes anything: use a sandbox or developer account.`;

const Common = {
  token: z.string().min(1),
  'colleague-token': z.string().min(1).optional(),
  'company-domain': z.string().min(1).optional(),
};
const Args = z.discriminatedUnion('crm', [
  z.object({ crm: z.literal('rest'), 'base-url': z.url({ protocol: /^https?$/ }), ...Common }),
  z.object({
    crm: z.literal('hubspot'),
    'rep-email': z.email(),
    'colleague-email': z.email().optional(),
    'api-base': z.url({ protocol: /^https?$/ }).optional(),
    ...Common,
  }),
  z.object({
    crm: z.literal('salesforce'),
    'instance-url': z.url({ protocol: /^https?$/ }),
    'log-as': z.enum(['auto', 'email_message', 'task']).default('auto'),
    ...Common,
  }),
]);

const { values } = parseArgs({
  options: {
    crm: { type: 'string', default: process.env.CRM_TYPE ?? 'rest' },
    'base-url': { type: 'string', default: process.env.CRM_BASE_URL },
    token: { type: 'string', default: process.env.CRM_TOKEN },
    'colleague-token': { type: 'string', default: process.env.CRM_COLLEAGUE_TOKEN },
    'company-domain': { type: 'string', default: process.env.CRM_COMPANY_DOMAIN },
    'rep-email': { type: 'string', default: process.env.CRM_REP_EMAIL },
    'colleague-email': { type: 'string', default: process.env.CRM_COLLEAGUE_EMAIL },
    'api-base': { type: 'string', default: process.env.HUBSPOT_API_BASE },
    'instance-url': { type: 'string', default: process.env.SALESFORCE_INSTANCE_URL },
    'log-as': { type: 'string', default: process.env.SALESFORCE_LOG_AS },
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
    case 'hubspot': {
      const colleagueToken = a['colleague-token'];
      const colleagueEmail = a['colleague-email'];
      return hubspotTarget({
        token: a.token,
        repEmail: a['rep-email'],
        colleague:
          colleagueToken && colleagueEmail ? { token: colleagueToken, email: colleagueEmail } : undefined,
        apiBase: a['api-base'],
        companyDomain: a['company-domain'],
      });
    }
    case 'salesforce':
      return salesforceTarget({
        instanceUrl: a['instance-url'],
        token: a.token,
        colleagueToken: a['colleague-token'],
        logAs: a['log-as'],
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
