// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { panelStyles } from '../../../components/panel/panelStyles';

/** Selectors of every style rule, skipping @keyframes bodies and unwrapping @media. */
function selectorsOf(css: string): string[] {
  const withoutComments = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const withoutKeyframes = withoutComments.replace(/@keyframes[^{]+\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}/g, '');
  const unwrapped = withoutKeyframes.replace(/@media[^{]+\{([\s\S]*?\})\s*\}/g, '$1');
  const selectors: string[] = [];
  for (const match of unwrapped.matchAll(/([^{}]+)\{[^{}]*\}/g)) {
    for (const selector of match[1]!.split(',')) selectors.push(selector.trim());
  }
  return selectors;
}

describe('panelStyles', () => {
  it('scopes every rule under .crm-panel so nothing leaks into the webmail page', () => {
    const selectors = selectorsOf(panelStyles);
    expect(selectors.length).toBeGreaterThan(50);
    const unscoped = selectors.filter((selector) => !/^\.crm-panel(?![\w-])/.test(selector));
    expect(unscoped).toEqual([]);
  });

  it('names its animations so they cannot collide with the page', () => {
    const names = [...panelStyles.matchAll(/@keyframes\s+([\w-]+)/g)].map((match) => match[1]);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toMatch(/^crm-panel-/);
  });

  it('shows a visible focus outline', () => {
    expect(panelStyles).toMatch(/\.crm-panel :focus-visible\s*\{[^}]*outline: 2px solid/);
  });
});
