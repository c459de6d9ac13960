import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, ElementContext, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (https://github.com/dequelabs/axe-core) in the page against WCAG 2.x A/AA
 * and best-practice rules, optionally only inside `include` (a CSS selector; open shadow
 * roots under it are checked too), and returns the serious and critical violations.
 */
export async function seriousAxeViolations(page: Page, include?: string): Promise<AxeViolation[]> {
  // Evaluated over DevTools rather than added as a <script>: extension pages' CSP
  // (script-src 'self') refuses inline scripts, and the check must not weaken it.
  await page.evaluate(axeSource);
  return page.evaluate(async (selector) => {
    const { axe } = globalThis as unknown as {
      axe: { run: (context: ElementContext, options: RunOptions) => Promise<AxeResults> };
    };
    const result = await axe.run(selector ? { include: [selector] } : document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact ?? null,
        help: v.help,
        targets: v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`),
      }));
  }, include ?? null);
}
