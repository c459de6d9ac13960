import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { managedSchema, managedSchemaText } from '../../../lib/policy/managedSchema';
import { META_POLICIES, POLICY_NAMES } from '../../../lib/policy/policyDefinitions';
import { policyReference } from '../../../lib/policy/policyReference';

const adminDoc = readFileSync('docs/ADMIN.md', 'utf8');

describe('the policy reference and the managed schema follow the policy table', () => {
  it('docs/ADMIN.md documents every policy (run `npm run policy:docs` after changing one)', () => {
    for (const name of [...POLICY_NAMES, ...Object.keys(META_POLICIES)])
      expect(adminDoc, `policy ${name} is not documented`).toContain(`| \`${name}\` |`);
    expect(adminDoc).toContain(policyReference());
  });

  it('public/managed-schema.json is the generated schema', () => {
    expect(readFileSync('public/managed-schema.json', 'utf8')).toBe(managedSchemaText());
  });

  it('keeps Chrome’s schema rules: a top-level object without additionalProperties, one type per schema', () => {
    const schema = managedSchema();
    expect(schema.type).toBe('object');
    expect(schema).not.toHaveProperty('additionalProperties');
    const visit = (node: Record<string, unknown>) => {
      expect(typeof node.type, JSON.stringify(node)).toBe('string');
      for (const child of Object.values((node.properties as Record<string, Record<string, unknown>>) ?? {}))
        visit(child);
      if (node.items) visit(node.items as Record<string, unknown>);
    };
    visit(schema);
  });
});
