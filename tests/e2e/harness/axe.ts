import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, ElementContext, RunOptions } from 'axe-core';
import type { Frame, Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

export interface AxeReport {
  /** Serious and critical violations of WCAG 2.x A/AA and best-practice rules. */
  violations: AxeViolation[];
  /** Text whose contrast axe measured and found sufficient (color-contrast passes). */
  contrastChecked: number;
  /**
   * Text whose contrast axe could not measure (its "incomplete" color-contrast results:
   * overlapping elements, background images), each with axe's reason.
   */
  contrastUnmeasured: string[];
  /**
   * Glyphs such as ✓ that axe does not judge as text ("only non-text characters"); WCAG's
   * 3:1 for graphics applies to them, which axe does not measure. Counted, not failed.
   */
  contrastGlyphs: number;
}

/**
 * Runs axe-core (https://github.com/dequelabs/axe-core) in the page against WCAG 2.x A/AA
 * and best-practice rules, optionally only inside `include` (a CSS selector; open shadow
 * roots under it are checked too), or in one frame (the CRM panel is an extension page in
 * a frame of its own). The page's colour scheme is whatever the caller
 * emulated (page.emulateMedia), so the same check measures light and dark contrast.
 */
export async function axeReport(page: Page | Frame, include?: string): Promise<AxeReport> {
  // Evaluated over DevTools rather than added as a <script>: extension pages' CSP
  // (script-src 'self') refuses inline scripts, and the check must not weaken it.
  await page.evaluate(axeSource);
  return page.evaluate(async (selector) => {
    const { axe } = globalThis as unknown as {
      axe: { run: (context: ElementContext, options: RunOptions) => Promise<AxeResults> };
    };
    const result = await axe.run(selector ? { include: [selector] } : document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations', 'incomplete', 'passes'],
    });
    const unmeasured = result.incomplete.find((r) => r.id === 'color-contrast')?.nodes ?? [];
    const isGlyph = (node: (typeof unmeasured)[number]) =>
      node.any.some((check) => check.data && (check.data as { messageKey?: string }).messageKey === 'nonBmp');
    const describe = (node: AxeResults['violations'][number]['nodes'][number]) =>
      `${JSON.stringify(node.target)} ${node.failureSummary ?? node.any.map((c) => c.message).join('; ')}`;
    return {
      violations: result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.map(describe) })),
      contrastChecked: result.passes.find((r) => r.id === 'color-contrast')?.nodes.length ?? 0,
      contrastUnmeasured: unmeasured.filter((node) => !isGlyph(node)).map(describe),
      contrastGlyphs: unmeasured.filter(isGlyph).length,
    };
  }, include ?? null);
}

/** The serious and critical violations only (see axeReport). */
export async function seriousAxeViolations(page: Page | Frame, include?: string): Promise<AxeViolation[]> {
  return (await axeReport(page, include)).violations;
}
