import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceTarget } from '../../server/conformance/ConformanceCheck';
import { hubspotTarget, restTarget, salesforceTarget } from '../../server/conformance/conformanceTargets';
import { runConformance } from '../../server/conformance/runConformance';
import { SEED } from '../../server/seed';
import { type CrmServerHandle, startCrmServer } from '../../server/startCrmServer';
import { FakeHubSpotApi } from '../fakes/FakeHubSpotApi';
import { FakeSalesforceApi, type FakeSalesforceOptions } from '../fakes/FakeSalesforceApi';
import { freshPgliteDataDir } from './freshPgliteDataDir';
import { checkEveryResponseAgainstOpenApi } from './openApiResponseCheck';

checkEveryResponseAgainstOpenApi();

interface ConformanceSubject {
  label: string;
  start(): Promise<{ target: () => ConformanceTarget; close(): Promise<void> }>;
  /** At least this many checks must pass (the suite keeps growing; it must not shrink). */
  minimumPassed: number;
}

/** Every connector, against the CRM it speaks to: the same named checks for each. */
const SUBJECTS: ConformanceSubject[] = [
  {
    label: 'rest (reference server)',
    minimumPassed: 37,
    start: async () => {
      const dataDir = await freshPgliteDataDir('crm-conformance');
      const crm: CrmServerHandle = await startCrmServer({ dataDir, port: 0, quiet: true });
      return {
        target: () =>
          restTarget({
            baseUrl: crm.url,
            token: crm.token,
            colleagueToken: SEED.colleague.token,
            companyDomain: SEED.companies.brightwater.domain,
          }),
        close: async () => {
          await crm.close();
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    label: 'hubspot (strict fake on a loopback port)',
    minimumPassed: 17,
    start: async () => {
      const hubspot = new FakeHubSpotApi();
      await hubspot.start();
      const rep = hubspot.addUser({ email: 'riley@northwind-trading.com' });
      const colleague = hubspot.addUser({ email: 'casey@northwind-trading.com', firstName: 'Casey' });
      hubspot.addObject('companies', { name: 'Brightwater Analytics', domain: 'brightwater.co.uk' });
      return {
        target: () =>
          hubspotTarget({
            apiBase: hubspot.url,
            token: rep.token,
            repEmail: rep.email,
            colleague: { token: colleague.token, email: colleague.email },
            companyDomain: 'brightwater.co.uk',
          }),
        close: () => hubspot.stop(),
      };
    },
  },
  salesforceSubject('salesforce, Enhanced Email with the External ID field (strict fake)', {
    enhancedEmail: true,
    externalIdFields: { EmailMessage: 'CrmSidebar_Log_Key__c', Task: 'CrmSidebar_Log_Key__c' },
  }),
  salesforceSubject('salesforce, completed Tasks with the External ID field (strict fake)', {
    enhancedEmail: false,
    externalIdFields: { Task: 'CrmSidebar_Log_Key__c' },
  }),
];

function salesforceSubject(label: string, org: FakeSalesforceOptions): ConformanceSubject {
  return {
    label,
    minimumPassed: 16,
    start: async () => {
      const salesforce = new FakeSalesforceApi(org);
      await salesforce.start();
      const rep = salesforce.addUser({ name: 'Riley Rep', email: 'riley@northwind-trading.com' });
      const colleague = salesforce.addUser({ name: 'Casey Colleague', email: 'casey@northwind-trading.com' });
      salesforce.add('Account', { Name: 'Brightwater Analytics', Website: 'https://www.brightwater.co.uk/' });
      salesforce.add('Account', { Name: 'Not Brightwater', Website: 'notbrightwater.co.uk' });
      return {
        target: () =>
          salesforceTarget({
            instanceUrl: salesforce.url,
            token: rep.accessToken,
            colleagueToken: colleague.accessToken,
            companyDomain: 'brightwater.co.uk',
          }),
        close: () => salesforce.stop(),
      };
    },
  };
}

describe.each(SUBJECTS)('conformance suite: $label', (subject) => {
  let started: Awaited<ReturnType<ConformanceSubject['start']>>;
  beforeAll(async () => {
    started = await subject.start();
  });
  afterAll(async () => {
    await started?.close();
  });

  it('passes every check, twice in a row, skipping none', async () => {
    for (let round = 0; round < 2; round++) {
      const report = await runConformance(started.target());
      expect(report.results.filter((r) => !r.ok)).toEqual([]);
      expect(report.skipped).toBe(0);
      expect(report.passed).toBeGreaterThanOrEqual(subject.minimumPassed);
    }
    // HubSpot's 10-second burst window makes its run wait, as a real portal would.
  }, 180_000);
});

describe('conformance suite on a broken CRM', () => {
  let crm: CrmServerHandle;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await freshPgliteDataDir('crm-conformance-broken');
    crm = await startCrmServer({ dataDir, port: 0, quiet: true });
  });
  afterAll(async () => {
    await crm?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('fails the checks a broken CRM breaks', async () => {
    // A CRM that forgets to end its pages and answers 409 as 200.
    const broken: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const text = await response.text();
      if (String(input).includes('/activities?limit')) {
        const body = JSON.parse(text);
        return Response.json(
          { ...body, nextCursor: body.nextCursor ?? 'again' },
          { status: response.status },
        );
      }
      return new Response(text, {
        status: response.status === 409 ? 200 : response.status,
        headers: response.headers,
      });
    };
    const report = await runConformance(restTarget({ baseUrl: crm.url, token: crm.token, fetch: broken }));
    const failed = report.results.filter((r) => !r.ok).map((r) => r.name);
    expect(failed.some((name) => name.includes('pages newest first'))).toBe(true);
    expect(failed.some((name) => name.includes('409'))).toBe(true);
    expect(failed.some((name) => name.includes('conflict carrying the existing contact'))).toBe(true);
    expect(report.failed).toBe(failed.length);
  });
});
