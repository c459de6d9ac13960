import { META_POLICIES, POLICY_DEFINITIONS, POLICY_NAMES, type PolicyJsonType } from './policyDefinitions';

type JsonSchema = Record<string, unknown>;

const stringList: JsonSchema = { type: 'array', items: { type: 'string' } };

const keywordRule: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    keyword: { type: 'string' },
    field: { type: 'string' },
    action: { type: 'string' },
    taskTitle: { type: 'string' },
    priority: { type: 'string' },
    dueInDays: { type: 'integer' },
  },
};

const SCHEMA_OF: Record<PolicyJsonType, JsonSchema> = {
  string: { type: 'string' },
  boolean: { type: 'boolean' },
  integer: { type: 'integer' },
  stringList,
  keywordRules: { type: 'array', items: keywordRule },
};

/**
 * The extension's `storage.managed_schema` (public/managed-schema.json), generated from the
 * policy table. Chrome's rules (https://developer.chrome.com/docs/extensions/reference/manifest/storage):
 * the top level is an object without additionalProperties, and every schema has exactly one
 * type. The schema keeps to JSON types, without enums: Chrome drops a value that fails the
 * schema before the extension sees it, so the accepted values are checked by the extension,
 * which then says in the options page and the popup which value it ignored and why.
 */
export function managedSchema(): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    organisationName: {
      type: 'string',
      title: 'organisationName',
      description: META_POLICIES.organisationName.description,
    },
  };
  for (const name of POLICY_NAMES) {
    const definition = POLICY_DEFINITIONS[name];
    properties[name] = {
      ...SCHEMA_OF[definition.type],
      title: name,
      description: `${definition.description} Accepts ${definition.accepts}.`,
    };
  }
  properties.lockedSettings = {
    ...stringList,
    title: 'lockedSettings',
    description: META_POLICIES.lockedSettings.description,
  };
  return { type: 'object', properties };
}

export function managedSchemaText(): string {
  return `${JSON.stringify(managedSchema(), null, 2)}\n`;
}
