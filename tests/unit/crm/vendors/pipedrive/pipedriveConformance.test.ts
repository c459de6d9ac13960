import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipedriveTarget } from '../../../../../lib/crm/vendors/pipedrive/pipedriveConformance';
import { runConformance } from '../../../../../server/conformance/runConformance';
import { FakePipedriveApi } from '../../../../fakes/FakePipedriveApi';

describe('the shared connector conformance suite on Pipedrive (strict fake)', () => {
  let pipedrive: FakePipedriveApi;
  beforeAll(async () => {
    // The Advanced plan's burst (40 requests per 2 s): the run waits where a real company would.
    pipedrive = new FakePipedriveApi({ burstLimit: 40 });
    await pipedrive.start();
  });
  afterAll(() => pipedrive.stop());

  it('passes every check that applies, and its declarations hold', async () => {
    const rep = pipedrive.addUser({ name: 'Riley Rep', email: 'riley@ourco.example' });
    const colleague = pipedrive.addUser({ name: 'Casey Colleague', email: 'casey@ourco.example' });
    const target = pipedriveTarget({
      apiBase: pipedrive.url,
      token: rep.token,
      colleagueToken: colleague.token,
    });
    const report = await runConformance(target);
    expect(report.results.filter((r) => !r.ok)).toEqual([]);
    expect(report.skipped).toBe(0);
    expect(report.passed).toBeGreaterThanOrEqual(14);
    expect(pipedrive.counters.byStatus[429] ?? 0).toBe(0);
  }, 120_000);
});
