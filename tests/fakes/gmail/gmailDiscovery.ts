import { readFileSync } from 'node:fs';

/**
 * Requests and responses of the Gmail fake checked against Google's discovery document for
 * Gmail v1 (googleapis/google-api-go-client, gmail/v1/gmail-api.json, the subset vendored in
 * gmail-v1-discovery.subset.json beside this file, with its commit). A request whose method,
 * path, query parameter names, enum values or scalar types the document does not allow is
 * refused with 400 as Google refuses it; a response body that does not fit the method's
 * response schema is a bug of the fake and is reported as such.
 *
 * Error wording (Google's JSON envelope, developers.google.com/gmail/api/guides/handle-errors):
 * - unknown query parameter: `Invalid JSON payload received. Unknown name "x": Cannot bind
 *   query parameter. Field 'x' could not be found in request message.`, status
 *   INVALID_ARGUMENT, as quoted from Google answers in googleapis/google-api-nodejs-client#1991
 *   and in public client code found by code search (Firebase's securetoken endpoint, the same
 *   front end);
 * - an enum value it does not know: `Invalid value at 'history_types', "messageAdded,labelAdded"`
 *   (snake-case field name, no type name), as quoted from Gmail's 400 in a public project's
 *   smoke-test report and in three other public projects' notes on the same refusal (found by
 *   code search; repositories not named by the index). The answer to an unknown `format`
 *   (e.g. format=bogus) has NO PUBLIC SOURCE (searched code and issues for
 *   "Invalid value at 'format'": only other fakes); it is given the history_types form;
 * - a value of the wrong scalar type: `Invalid value at 'max_results' (TYPE_UINT32), "x"`, the
 *   value quoted as sent: quoted from gmail.googleapis.com in a public runbook ("400 Invalid
 *   value at 'max_results' (TYPE_UINT32), \"5/1a0d68...\"" for maxResults=5/<id>) and in a
 *   public Google-API simulator that records its measurements against gmail.googleapis.com
 *   (repositories not named by the code index); TYPE_INT32 / TYPE_BOOL forms of other Google
 *   APIs appear in public clients' fixtures the same way;
 * - `errors[0].reason` is `invalid` for these: that simulator's measured body is
 *   `{"code":400,"message":...,"errors":[{"message":...,"reason":"invalid"}],"status":
 *   "INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest",
 *   "fieldViolations":[{"field":"max_results","description":...}]}]}`, i.e. without `domain`
 *   and with `details`; the fake keeps domain "global" and sends no details (clients read
 *   status, message and reason only), a known difference.
 * A path the document does not have answers 404 notFound "Not Found", the JSON body Google's
 * API front end gave for a not-found in googleapis/google-api-java-client#702
 * (`{"code":404,"errors":[{"domain":"global","message":"Not Found","reason":"notFound"}],
 * "message":"Not Found"}`, Calendar API, 2012); what gmail.googleapis.com answers today for an
 * unknown path under gmail/v1 has NO PUBLIC SOURCE found (searched issues for 404 bodies of
 * unknown Gmail paths; the front end may answer an HTML page).
 */

interface DiscoveryParameter {
  location: 'query' | 'path';
  type: 'string' | 'integer' | 'boolean';
  format?: string;
  enum?: string[];
  repeated?: boolean;
  required?: boolean;
}

interface DiscoveryMethod {
  httpMethod: string;
  path: string;
  parameters: Record<string, DiscoveryParameter>;
  request?: { $ref: string };
  response?: { $ref: string };
  /** The OAuth scopes any one of which the method accepts (listed for the write methods). */
  scopes?: string[];
}

export interface DiscoverySchema {
  $ref?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean';
  format?: string;
  properties?: Record<string, DiscoverySchema>;
  items?: DiscoverySchema;
}

interface DiscoveryDocument {
  batchPath: string;
  parameters: Record<string, DiscoveryParameter>;
  methods: Record<string, DiscoveryMethod>;
  schemas: Record<string, DiscoverySchema>;
}

export const GMAIL_DISCOVERY: DiscoveryDocument = JSON.parse(
  readFileSync(new URL('./gmail-v1-discovery.subset.json', import.meta.url), 'utf8'),
);

export type GmailMethodId =
  | 'gmail.users.labels.create'
  | 'gmail.users.labels.list'
  | 'gmail.users.messages.batchModify'
  | 'gmail.users.getProfile'
  | 'gmail.users.history.list'
  | 'gmail.users.messages.get'
  | 'gmail.users.messages.list'
  | 'gmail.users.threads.get';

export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    errors: { message: string; domain: string; reason: string }[];
    status: string;
  };
}

export type DiscoveryCheck =
  | { ok: true; methodId: GmailMethodId; pathParams: Record<string, string> }
  | { ok: false; status: number; body: GoogleErrorBody };

export function googleError(
  status: number,
  reason: string,
  message: string,
  statusText: string,
  domain = 'global',
): GoogleErrorBody {
  return { error: { code: status, message, errors: [{ message, domain, reason }], status: statusText } };
}

const compiled = Object.entries(GMAIL_DISCOVERY.methods).map(([id, method]) => {
  const names: string[] = [];
  const pattern = method.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { id: id as GmailMethodId, method, names, regex: new RegExp(`^/${pattern}$`) };
});

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const SCALAR_TYPE_NAMES: Record<string, string> = {
  uint32: 'TYPE_UINT32',
  int32: 'TYPE_INT32',
  uint64: 'TYPE_UINT64',
  int64: 'TYPE_INT64',
  boolean: 'TYPE_BOOL',
};

function invalidValue(name: string, value: string, typeName?: string): DiscoveryCheck {
  const message = typeName
    ? `Invalid value at '${snakeCase(name)}' (${typeName}), "${value}"`
    : `Invalid value at '${snakeCase(name)}', "${value}"`;
  return { ok: false, status: 400, body: googleError(400, 'invalid', message, 'INVALID_ARGUMENT') };
}

function scalarFits(parameter: DiscoveryParameter, value: string): boolean {
  if (parameter.type === 'boolean') return value === 'true' || value === 'false';
  if (parameter.type === 'integer') {
    if (!/^-?\d+$/.test(value)) return false;
    const n = Number(value);
    if (parameter.format === 'uint32') return n >= 0 && n <= 0xffff_ffff;
    if (parameter.format === 'int32') return n >= -0x8000_0000 && n <= 0x7fff_ffff;
    return true;
  }
  if (parameter.format === 'uint64') return /^\d+$/.test(value);
  if (parameter.format === 'int64') return /^-?\d+$/.test(value);
  return true;
}

/** Which discovery method a request is, or the error Google answers it with. */
export function checkGmailRequest(
  httpMethod: string,
  pathname: string,
  query: URLSearchParams,
): DiscoveryCheck {
  const match = compiled
    .map((c) => ({ c, m: c.regex.exec(pathname) }))
    .find(({ c, m }) => m !== null && c.method.httpMethod === httpMethod.toUpperCase());
  if (!match?.m) {
    return { ok: false, status: 404, body: googleError(404, 'notFound', 'Not Found', 'NOT_FOUND') };
  }
  const { c, m } = match;
  const pathParams: Record<string, string> = {};
  c.names.forEach((name, i) => {
    pathParams[name] = decodeURIComponent(m[i + 1] ?? '');
  });
  for (const name of new Set(query.keys())) {
    const parameter = c.method.parameters[name] ?? GMAIL_DISCOVERY.parameters[name];
    if (parameter?.location !== 'query') {
      const message = `Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter. Field '${name}' could not be found in request message.`;
      return { ok: false, status: 400, body: googleError(400, 'invalid', message, 'INVALID_ARGUMENT') };
    }
    for (const value of query.getAll(name)) {
      if (parameter.enum && !parameter.enum.includes(value)) return invalidValue(name, value);
      if (!scalarFits(parameter, value)) {
        return invalidValue(name, value, SCALAR_TYPE_NAMES[parameter.format ?? parameter.type]);
      }
    }
  }
  return { ok: true, methodId: c.id, pathParams };
}

/** Where `value` departs from the schema (empty when it fits); unknown properties included. */
export function schemaViolations(schema: DiscoverySchema, value: unknown, at = '$'): string[] {
  if (schema.$ref) {
    const target = GMAIL_DISCOVERY.schemas[schema.$ref];
    if (!target) return [`${at}: schema ${schema.$ref} is not in the vendored subset`];
    return schemaViolations(target, value, at);
  }
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return [`${at}: not an object`];
      const problems: string[] = [];
      for (const [key, child] of Object.entries(value)) {
        const property = schema.properties?.[key];
        if (!property) problems.push(`${at}.${key}: not a property of the schema`);
        else problems.push(...schemaViolations(property, child, `${at}.${key}`));
      }
      return problems;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${at}: not an array`];
      return value.flatMap((item, i) =>
        schema.items ? schemaViolations(schema.items, item, `${at}[${i}]`) : [],
      );
    case 'string':
      if (typeof value !== 'string') return [`${at}: not a string`];
      if (schema.format === 'uint64' && !/^\d+$/.test(value)) return [`${at}: not a uint64 string`];
      if (schema.format === 'int64' && !/^-?\d+$/.test(value)) return [`${at}: not an int64 string`];
      if (schema.format === 'byte' && !/^[A-Za-z0-9_\-+/=]*$/.test(value)) return [`${at}: not base64`];
      return [];
    case 'integer':
      if (!Number.isInteger(value)) return [`${at}: not an integer`];
      if (schema.format === 'uint32' && (value as number) < 0) return [`${at}: negative uint32`];
      if (schema.format === 'int32' && Math.abs(value as number) > 0x7fff_ffff)
        return [`${at}: beyond int32`];
      return [];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: not a boolean`];
    default:
      return [`${at}: schema without a type`];
  }
}

/** The response schema of a discovery method. */
export function responseSchema(methodId: GmailMethodId): DiscoverySchema {
  const ref = GMAIL_DISCOVERY.methods[methodId]?.response?.$ref;
  if (!ref) throw new Error(`${methodId} has no response schema`);
  return { $ref: ref };
}
