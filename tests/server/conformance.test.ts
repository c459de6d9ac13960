import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance } from '../../server/conformance/runConformance';
import { SEED } from '../../server/seed';
import { type CrmServerHandle, startCrmServer } from '../../server/startCrmServer';
import { freshPgliteDataDir } from './freshPgliteDataDir';

describe('conformance suite', () => {
  let crm: CrmServerHandle;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await freshPgliteDataDir('crm-conformance');
    crm = await startCrmServer({ dataDir, port: 0, quiet: true });
  });
  afterAll(async () => {
    await crm?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('passes every check against the reference server, twice in a row', async () => {
    for (let round = 0; round < 2; round++) {
      const report = await runConformance({
        baseUrl: crm.url,
        token: crm.token,
        colleagueToken: SEED.colleague.token,
      });
      expect(report.results.filter((r) => !r.ok)).toEqual([]);
      expect(report.skipped).toBe(0);
      expect(report.passed).toBeGreaterThanOrEqual(20);
    }
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
    const report = await runConformance({ baseUrl: crm.url, token: crm.token, fetch: broken });
    const failed = report.results.filter((r) => !r.ok).map((r) => r.name);
    expect(failed.some((name) => name.includes('pages newest first'))).toBe(true);
    expect(failed.some((name) => name.includes('409'))).toBe(true);
    expect(report.failed).toBe(failed.length);
  });
});
