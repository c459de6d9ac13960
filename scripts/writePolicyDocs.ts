// Regenerates the managed-storage schema (public/managed-schema.json) and the policy
// reference in docs/ADMIN.md from lib/policy/policyDefinitions.ts. A unit test fails when
// either is out of date (tests/unit/policy/policyDocs.test.ts).
import { readFile, writeFile } from 'node:fs/promises';
import { managedSchemaText } from '../lib/policy/managedSchema';
import { withPolicyReference } from '../lib/policy/policyReference';

await writeFile('public/managed-schema.json', managedSchemaText());
await writeFile('docs/ADMIN.md', withPolicyReference(await readFile('docs/ADMIN.md', 'utf8')));
console.log('Wrote public/managed-schema.json and the policy reference in docs/ADMIN.md');
