import {
  CheckSkipped,
  type ConformanceCheck,
  type ConformanceTarget,
  conformanceContext,
} from './ConformanceCheck';
import { CONNECTOR_CHECKS } from './connectorChecks';
import { REST_CONTRACT_CHECKS } from './restContractChecks';

export interface ConformanceResult {
  name: string;
  ok: boolean;
  skipped?: boolean;
  message?: string;
  durationMs: number;
}

export interface ConformanceReport {
  target: string;
  results: ConformanceResult[];
  passed: number;
  failed: number;
  skipped: number;
}

/** The checks a target gets: every connector's, plus the contract's HTTP ones for `rest`. */
export function checksFor(target: ConformanceTarget): ConformanceCheck[] {
  return target.rest ? [...CONNECTOR_CHECKS, ...REST_CONTRACT_CHECKS] : CONNECTOR_CHECKS;
}

/**
 * Runs the named checks in order against one CRM. A check behind a capability runs only
 * when the connector declares it, a declaration check only when it does not; a check
 * whose prerequisite failed is skipped. It creates its own data and never deletes any.
 */
export async function runConformance(
  target: ConformanceTarget,
  options: { checks?: ConformanceCheck[]; onResult?: (result: ConformanceResult) => void } = {},
): Promise<ConformanceReport> {
  const ctx = conformanceContext(target);
  const { capabilities } = ctx.connector.info;
  const checks = (options.checks ?? checksFor(target)).filter(
    (check) =>
      (check.requires === undefined || capabilities[check.requires]) &&
      (check.lacks === undefined || !capabilities[check.lacks]),
  );
  const results: ConformanceResult[] = [];
  for (const check of checks) {
    const started = performance.now();
    let result: ConformanceResult;
    try {
      await check.run(ctx);
      result = { name: check.name, ok: true, durationMs: performance.now() - started };
    } catch (error) {
      const skipped = error instanceof CheckSkipped;
      result = {
        name: check.name,
        ok: skipped,
        skipped: skipped || undefined,
        message: error instanceof Error ? error.message : String(error),
        durationMs: performance.now() - started,
      };
    }
    results.push(result);
    options.onResult?.(result);
  }
  const skipped = results.filter((r) => r.skipped).length;
  const passed = results.filter((r) => r.ok && !r.skipped).length;
  return { target: target.label, results, passed, failed: results.length - passed - skipped, skipped };
}
